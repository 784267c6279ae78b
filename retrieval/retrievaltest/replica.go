package retrievaltest

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
)

// replayWait bounds WaitForReplay: a replica streaming on the same machine replays a
// test's writes in milliseconds; ten seconds is room for a loaded machine.
const replayWait = 10 * time.Second

// StartReplica starts a streaming replica of c on a free port, as .ci/replica does for
// footnote's own cluster: pg_basebackup -R (which writes primary_conninfo and
// standby.signal) over the replication connection the template's pg_hba.conf allows on
// 127.0.0.1, then a hot standby. The base backup is the whole template cluster, a few tens
// of megabytes, copied in well under a second. The replica is a Cluster of its own: tests
// stop and start it, and read it with Count; it is stopped and removed when the test ends.
func (c *Cluster) StartReplica() *Cluster {
	c.t.Helper()
	dir, err := clusterDir("footnote-pgreplica-")
	if err != nil {
		c.t.Fatalf("replica: %v", err)
	}
	start := time.Now()
	r := &Cluster{t: c.t, dir: dir}
	c.t.Cleanup(r.remove)
	if err := asPostgres(filepath.Join(pgBin, "pg_basebackup"), "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres",
		"-D", r.data(), "-R", "-X", "stream", "-c", "fast", "--no-sync"); err != nil {
		c.t.Fatalf("base backup of the private cluster: %v\n%s", err, c.Log())
	}
	if err := appendConf(r.data(), "hot_standby = on\n"); err != nil {
		c.t.Fatalf("replica: %v", err)
	}
	if err := r.startOnFreePort(); err != nil {
		c.t.Fatalf("start the replica: %v\n%s", err, r.Log())
	}
	c.t.Logf("streaming replica on port %d, backed up and started in %s", r.port, time.Since(start).Round(time.Millisecond))
	return r
}

// WaitForReplay returns once the replica r has replayed all the WAL primary had written
// when it was called, and fails the test after replayWait.
func (r *Cluster) WaitForReplay(primary *Cluster) {
	r.t.Helper()
	var target string
	primary.withConn(func(ctx context.Context, conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&target)
	}, "read the primary's WAL position")
	deadline := time.Now().Add(replayWait)
	for {
		if r.Count(`SELECT (pg_last_wal_replay_lsn() >= $1::pg_lsn)::int`, target) == 1 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the replica did not replay the primary's WAL up to %s in %s\n%s", target, replayWait, r.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// EngineOn is an engine over s (a Store on this cluster, perhaps with replicas), with a
// collection of its own (not removed: the whole cluster is).
func (c *Cluster) EngineOn(s *retrieval.Store, opts ...Option) (*retrieval.Engine, string) {
	c.t.Helper()
	return newEngine(c.t, s, opts...), Collection(c.t)
}

// PauseReplay pauses the replica's replay of the primary's WAL (pg_wal_replay_pause()) and
// returns once it has paused: what the primary writes from then on is missing from the
// replica until ResumeReplay.
func (r *Cluster) PauseReplay() {
	r.t.Helper()
	r.Exec(`SELECT pg_wal_replay_pause()`)
	deadline := time.Now().Add(replayWait)
	for r.Count(`SELECT (pg_get_wal_replay_pause_state() = 'paused')::int`) == 0 {
		if time.Now().After(deadline) {
			r.t.Fatalf("the replica's replay did not pause in %s\n%s", replayWait, r.Log())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ResumeReplay resumes the replica's replay (pg_wal_replay_resume()).
func (r *Cluster) ResumeReplay() {
	r.t.Helper()
	r.Exec(`SELECT pg_wal_replay_resume()`)
}

// CutOff stops the replica r receiving WAL from its primary (primary_conninfo cleared, as
// when the network between them fails) and returns once its WAL receiver is gone; the
// replica stays up, in recovery, serving what it has replayed. The function it returns
// connects it again and waits until it streams.
func (r *Cluster) CutOff() (reconnect func()) {
	r.t.Helper()
	var conninfo string
	r.withConn(func(ctx context.Context, conn *pgx.Conn) error {
		return conn.QueryRow(ctx, `SHOW primary_conninfo`).Scan(&conninfo)
	}, "read primary_conninfo")
	r.setConninfo("")
	return func() { r.setConninfo(conninfo) }
}

// setConninfo sets the replica's primary_conninfo to conninfo and waits until its WAL
// receiver is gone (conninfo empty) or streaming.
func (r *Cluster) setConninfo(conninfo string) {
	r.t.Helper()
	r.withConn(func(ctx context.Context, conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `ALTER SYSTEM SET primary_conninfo = `+quoteLiteral(conninfo)); err != nil {
			return err
		}
		_, err := conn.Exec(ctx, `SELECT pg_reload_conf()`)
		return err
	}, "set primary_conninfo")
	want := `SELECT (count(*) = 0)::int FROM pg_stat_wal_receiver`
	if conninfo != "" {
		want = `SELECT count(*)::int FROM pg_stat_wal_receiver WHERE status = 'streaming'`
	}
	deadline := time.Now().Add(replayWait + 5*time.Second) // a receiver restarts after wal_retrieve_retry_interval (5 s)
	for r.Count(want) == 0 {
		if time.Now().After(deadline) {
			r.t.Fatalf("the replica's WAL receiver did not %s\n%s", map[bool]string{true: "stop", false: "stream again"}[conninfo == ""], r.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// quoteLiteral quotes s as an SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
