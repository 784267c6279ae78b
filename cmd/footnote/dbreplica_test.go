package main_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// checkReplicaScript runs .ci/replica (copied into repo by scriptRepo) against the cluster
// .ci/db made there on port, whose data is in data: the replica it starts is a hot standby
// on a port of its own that replays what the primary writes, and footnote_app logs in to it
// with the password .ci/replica wrote into passfile for that port. Run again, it only says
// it is ready.
func checkReplicaScript(t *testing.T, repo, data, port, passfile string) {
	t.Helper()
	rport, rdata := freePort(t), data+"-replica"
	replica := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("bash", append([]string{".ci/replica"}, args...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "FOOTNOTE_PGPORT="+port, "FOOTNOTE_REPLICA_PORT="+rport,
			"FOOTNOTE_REPLICA_DATA="+rdata, "PGPASSFILE=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf(".ci/replica %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() {
		replica("stop")
		_ = os.RemoveAll(rdata)
		_ = os.Remove(rdata + ".pgpass")
	})
	replica()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	connect := func(user, port string) *pgx.Conn {
		t.Helper()
		c, err := pgx.Connect(ctx, "postgres://"+user+"@127.0.0.1:"+port+"/footnote?sslmode=disable&connect_timeout=10&passfile="+passfile)
		if err != nil {
			t.Fatalf("%s on port %s: %v", user, port, err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	owner, reader := connect("footnote", port), connect("footnote_app", rport)
	if _, err := owner.Exec(ctx, `CREATE TABLE replica_probe (id int)`); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var standby, seen bool
		err := reader.QueryRow(ctx, `SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM pg_class WHERE relname = 'replica_probe')`).Scan(&standby, &seen)
		if err != nil || !standby {
			t.Fatalf("the replica: standby %v (%v); want a server in recovery", standby, err)
		}
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the replica did not replay the primary's new table in 10s")
		}
	}
	if out := replica(); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "replica: ready: DATABASE_READ_URL=postgres://footnote_app@127.0.0.1:"+rport+"/footnote") {
		t.Errorf(".ci/replica said %q; want only that it is ready", out)
	}
}
