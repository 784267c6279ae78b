package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// Read replicas (DATABASE_READ_URL). Searches and listings may be read from streaming
// replicas of the primary; everything else (writes, transactions, locks, River's jobs,
// migrations) stays on the primary. A read goes to a replica only when that replica is up,
// no further behind than maxReplicaLag, and has replayed every write this process made to
// the collection read (read-your-writes); otherwise it goes to the primary. A replica
// query that fails before any row was read is run again on the primary.
//
// The Store methods that read from a replica (readIn, or onReplica): lookupTerms,
// searchLexical and searchDense (through collectHits), loadResults (one search pins one
// server for all four: pinReads, called by Engine.search), listArticles, listFeeds,
// termsBetween (spelling suggestions), articleText (an answer's signals) and jobCounts
// (`footnote jobs`). Everything else, reads inside write transactions, claims, locks and
// the loadPassage of a citation's full text included, runs on the primary.
//
// Read-your-writes: after each write to a collection, the Store asks the primary for its
// WAL insert position (pg_current_wal_insert_lsn(), after the commit, so the commit record
// lies before it) and remembers it for that collection; a replica reads that collection
// only once its pg_last_wal_replay_lsn() has reached it. So a member who adds an article
// through this process finds it in the very next search, wherever that search runs. The
// position is also recorded in the primary (write_marks, through footnote_mark_write), and
// a read of a collection first asks the primary for the latest recorded there
// (sharedMark), so a member who adds through one server and asks through another finds
// the article too. A process without replicas records nothing: its writes (a `footnote
// worker` polling feeds) reach replica reads within the lag bound, maxReplicaLag.

const (
	// maxReplicaLag is how far behind the primary a replica may be and still serve reads:
	// the staleness a search may show of another process's writes. Lower sends more reads
	// to the primary whenever a replica hiccups (a vacuum's replay, a burst of imports);
	// higher lets searches miss articles added elsewhere for longer.
	maxReplicaLag = 10 * time.Second
	// replicaCheckEvery is how long a replica's replay position and lag are trusted before
	// they are asked again (one small query, by whichever read comes first). Shorter
	// sends an author's reads back to a replica sooner after a write, at one more query per
	// replica per interval; longer keeps them on the primary longer.
	replicaCheckEvery = 250 * time.Millisecond
	// replicaDownRetry is how long a replica that failed is left alone before it is tried
	// again: long enough that an unreachable one costs a read a failed connection only
	// now and then, short enough that a restarted one serves again within seconds.
	replicaDownRetry = 5 * time.Second
	// replicaCheckTimeout bounds one check, connection included: a replica that does not
	// answer in that time is down for replicaDownRetry.
	replicaCheckTimeout = 2 * time.Second
	// markKeep is how long a write's mark is kept once no replica is known to have replayed
	// it: a replica that serves is at most maxReplicaLag behind, so a mark this much older
	// constrains nothing a serving replica could show; the margin covers clock steps and a
	// replica that comes back from a long outage (it is lagging, and skipped, until it has
	// replayed what it missed).
	markKeep = 6 * maxReplicaLag
	// pruneMarksAt is how many collections' marks a process keeps before it prunes them: a
	// bot written to by thousands of servers would otherwise keep one mark per server for
	// ever.
	pruneMarksAt = 256
)

// StoreOption adds to what OpenStore opens.
type StoreOption func(*storeOptions)

type storeOptions struct {
	readDSNs []string
	log      *slog.Logger
}

// WithReplicas makes the Store read searches and listings from the streaming replicas at
// dsns (DATABASE_READ_URL), logging to log when one is skipped or back. A replica that
// cannot be reached at start is skipped, not an error: reads go to the primary until it
// answers.
func WithReplicas(dsns []string, log *slog.Logger) StoreOption {
	return func(o *storeOptions) { o.readDSNs, o.log = dsns, log }
}

// lsn is a position in the WAL (pg_lsn).
type lsn uint64

// parseLSN reads pg_lsn's text form, two hexadecimal halves: "16/B374D848".
func parseLSN(s string) (lsn, error) {
	hi, lo, ok := strings.Cut(s, "/")
	h, err1 := strconv.ParseUint(hi, 16, 32)
	l, err2 := strconv.ParseUint(lo, 16, 32)
	if !ok || err1 != nil || err2 != nil {
		return 0, fmt.Errorf("read WAL position %q: not a pg_lsn", s)
	}
	return lsn(h<<32 | l), nil
}

// replica is one read replica and what the Store last learnt of it.
type replica struct {
	name  string // host:port/database: no credentials, for logs and metrics
	pool  *pgxpool.Pool
	check sync.Mutex // held by the one check in flight
	state atomic.Pointer[replicaState]
}

// replicaState is a replica at one check.
type replicaState struct {
	at     time.Time
	replay lsn           // pg_last_wal_replay_lsn()
	lag    time.Duration // how far the replica is behind, 0 when it has replayed all it received
	err    error         // why it serves no reads; nil when it may
}

// replicas are a Store's read replicas, its routing of reads, and the WAL positions of its
// writes.
type replicas struct {
	list []*replica
	// primary is asked for its WAL position when a replica receives no WAL (cut off from
	// it): a replica that has replayed all the primary wrote is current however long ago
	// its last transaction was (refresh). Nil in unit tests.
	primary *pgxpool.Pool
	next    atomic.Uint64 // round robin over list
	log     *slog.Logger

	mu         sync.Mutex
	written    map[string]writeMark // by collection; "" for writes that span collections
	pruneAfter int                  // prune written when it grows past this many marks

	reads *prometheus.CounterVec // footnote_db_reads_total{target, reason}
	lag   *prometheus.GaugeVec   // footnote_db_replica_lag_seconds{replica}
}

// writeMark is the primary's WAL position after this process's last write to a collection.
type writeMark struct {
	pos lsn
	at  time.Time
}

// unknownLSN marks a write whose position could not be read: the collection's reads go to
// the primary until the mark is maxReplicaLag old.
const unknownLSN = lsn(1<<63 - 1)

func newReplicas(log *slog.Logger) *replicas {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &replicas{
		log:        log,
		written:    map[string]writeMark{},
		pruneAfter: pruneMarksAt,
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "footnote_db_reads_total",
			Help: "Searches (each counted once: its queries share one server) and listings by where they ran (target replica or primary) and why: ok (a replica), own_write (no replica has replayed this process's last write to the collection yet), recent_write (nor another process's), down, lagging (every replica was, or the last one tried), failed (a query failed on the replica and ran again on the primary).",
		}, []string{"target", "reason"}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "footnote_db_replica_lag_seconds",
			Help: "How far each read replica was behind the primary at its last check (0 when it had replayed all it received; -1 when it was down).",
		}, []string{"replica"}),
	}
}

// add opens a pool on a replica (without connecting yet) and checks it once.
func (rs *replicas) add(ctx context.Context, dsn string, maxConns int32) error {
	cfg, err := poolConfig(dsn, maxConns)
	if err != nil {
		return fmt.Errorf("parse DATABASE_READ_URL: %w", err)
	}
	cc := cfg.ConnConfig
	r := &replica{name: fmt.Sprintf("%s:%d/%s", cc.Host, cc.Port, cc.Database)}
	if r.pool, err = openPool(ctx, cfg); err != nil {
		return fmt.Errorf("read replica %s: %w", r.name, err)
	}
	rs.list = append(rs.list, r)
	rs.refresh(ctx, r)
	return nil
}

func (rs *replicas) close() {
	for _, r := range rs.list {
		r.pool.Close()
	}
}

// pick returns the replica to read coll from ("" for reads that span collections), or nil
// for the primary, with the reason counted in footnote_db_reads_total.
func (rs *replicas) pick(ctx context.Context, coll string) (*replica, string) {
	own := rs.mark(coll)
	shared, asked := lsn(0), false // the primary is asked only once a replica could serve
	reason := "down"
	start := rs.next.Add(1)
	for i := range len(rs.list) {
		r := rs.list[(int(start)+i)%len(rs.list)]
		st := rs.status(ctx, r)
		switch {
		case st.err != nil:
			reason = "down"
		case st.lag > maxReplicaLag:
			reason = "lagging"
		case st.replay < own:
			// The state may be up to replicaCheckEvery old; a replica that has caught
			// up since serves once it is checked again.
			reason = "own_write"
		default:
			if !asked {
				shared, asked = rs.sharedMark(ctx, coll), true
			}
			if st.replay >= shared {
				return r, "ok"
			}
			reason = "recent_write" // another process's write (write_marks)
		}
	}
	return nil, reason
}

// sharedMark is the primary's record of the last write to coll or to every collection by
// any process that reads from replicas (write_marks, migration 021, kept markKeep): a
// member who added an article through another server finds it too. When the primary does
// not answer, it is 0: the replicas then serve by this process's own marks alone (no write
// can be made meanwhile, and reads from a replica are what keeps answers coming).
func (rs *replicas) sharedMark(ctx context.Context, coll string) lsn {
	if rs.primary == nil {
		return 0
	}
	cctx, cancel := context.WithTimeout(ctx, replicaCheckTimeout)
	defer cancel()
	var text string
	err := rs.primary.QueryRow(cctx, `SELECT footnote_write_mark($1, make_interval(secs => $2))::text`, coll, markKeep.Seconds()).Scan(&text)
	var pos lsn
	if err == nil {
		pos, err = parseLSN(text)
	}
	if err != nil {
		rs.log.DebugContext(ctx, "could not read the collection's write mark: replicas serve by this process's own", "collection", coll, "err", err)
		return 0
	}
	return pos
}

// mark returns the WAL position a replica must have replayed to read coll: that of this
// process's last write to coll or to every collection, whichever is later.
func (rs *replicas) mark(coll string) lsn {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	need := lsn(0)
	for _, key := range []string{coll, ""} {
		m, ok := rs.written[key]
		if !ok {
			continue
		}
		if m.pos == unknownLSN && time.Since(m.at) > maxReplicaLag {
			delete(rs.written, key)
			continue
		}
		need = max(need, m.pos)
	}
	return need
}

// noteWrite records the primary's WAL position after a committed write in sc; when it
// cannot be read, sc's reads go to the primary for maxReplicaLag.
func (rs *replicas) noteWrite(ctx context.Context, sc scope) {
	key := markKey(sc)
	// The write is committed whatever becomes of ctx now: its mark is taken all the same.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replicaCheckTimeout)
	defer cancel()
	// Recorded in write_marks too (the position is read there, after the commit), so that
	// other processes' reads of the collection wait for it as well (sharedMark).
	var text string
	pos := unknownLSN
	err := rs.primary.QueryRow(cctx, `SELECT footnote_mark_write($1)::text`, key).Scan(&text)
	if err == nil {
		pos, err = parseLSN(text)
	}
	if err != nil {
		pos = unknownLSN
		rs.log.WarnContext(ctx, "could not read the primary's WAL position after a write: its collection's reads stay on the primary for a while",
			"collection", key, "for", maxReplicaLag, "err", err)
	}
	rs.remember(key, pos, time.Now())
}

// remember records a write to key at WAL position pos, pruning the marks once they pass
// pruneAfter.
func (rs *replicas) remember(key string, pos lsn, now time.Time) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if m, ok := rs.written[key]; !ok || m.pos == unknownLSN || pos > m.pos {
		rs.written[key] = writeMark{pos: pos, at: now}
	}
	if len(rs.written) > rs.pruneAfter {
		rs.prune(now)
	}
}

// prune drops the marks that can no longer hold a read back: those every replica has
// replayed (by its last check) and those older than markKeep. It then waits for the map
// to double before pruning again, so a process written to by many collections prunes in
// amortised constant time per write. Called with rs.mu held.
func (rs *replicas) prune(now time.Time) {
	floor := lsn(0)
	for i, r := range rs.list {
		st := r.state.Load()
		if st == nil || st.err != nil {
			floor = 0 // a replica down since long ago may come back behind any mark
			break
		}
		if i == 0 || st.replay < floor {
			floor = st.replay
		}
	}
	for key, m := range rs.written {
		replayed := m.pos != unknownLSN && m.pos <= floor
		if replayed || now.Sub(m.at) > markKeep {
			delete(rs.written, key)
		}
	}
	rs.pruneAfter = max(pruneMarksAt, 2*len(rs.written))
}

// status returns what is known of r, checking it first when that is older than
// replicaCheckEvery (replicaDownRetry for a replica that was down). One read checks at a
// time; the others meanwhile take the last state.
func (rs *replicas) status(ctx context.Context, r *replica) *replicaState {
	st := r.state.Load()
	every := replicaCheckEvery
	if st.err != nil {
		every = replicaDownRetry
	}
	if time.Since(st.at) < every || !r.check.TryLock() {
		return st
	}
	defer r.check.Unlock()
	return rs.refresh(ctx, r)
}

// refresh asks r its replay position and lag, stores and returns the answer, and logs a
// change between serving and not. The lag is 0 while the replica streams from the primary
// and has replayed all it received; otherwise it is the age of the last transaction it
// replayed, which also grows while it is cut off from the primary, since it cannot know
// what it misses (on an idle primary that age overstates the lag: such a replica is
// skipped until the primary writes again and it reconnects).
func (rs *replicas) refresh(ctx context.Context, r *replica) *replicaState {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replicaCheckTimeout)
	defer cancel()
	st := &replicaState{at: time.Now()}
	var standby, receiving bool
	var replay string
	var lag float64
	err := r.pool.QueryRow(cctx, `
		SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, '0/0'), w.receiving,
		       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AND w.receiving
		            THEN 0
		            ELSE coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
		       END::float8
		FROM (SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver) AS receiving) w`).Scan(&standby, &replay, &receiving, &lag)
	switch {
	case err != nil:
		st.err = fmt.Errorf("check: %w", err)
	case !standby:
		st.err = errors.New("not a standby: pg_is_in_recovery() is false")
	default:
		st.replay, st.err = parseLSN(replay)
		st.lag = time.Duration(lag * float64(time.Second))
	}
	if st.err == nil && !receiving && st.lag > 0 && rs.primary != nil {
		// Cut off from the primary, the replica can only say how long ago its last
		// replayed transaction committed, which on a quiet primary is long ago even when
		// nothing has been written since. The primary can say: when the replica has
		// replayed up to the primary's WAL position (read after the replica's), it holds
		// everything, and is not behind at all.
		var text string
		if err := rs.primary.QueryRow(cctx, `SELECT pg_current_wal_lsn()::text`).Scan(&text); err == nil {
			if pos, err := parseLSN(text); err == nil && st.replay >= pos {
				st.lag = 0
			}
		}
	}
	rs.store(ctx, r, st)
	return st
}

// markDown records that a query on r failed with err, as a check would.
func (rs *replicas) markDown(ctx context.Context, r *replica, err error) {
	rs.store(ctx, r, &replicaState{at: time.Now(), err: fmt.Errorf("query: %w", err)})
}

// store makes st r's state, and logs when r stops or starts serving reads.
func (rs *replicas) store(ctx context.Context, r *replica, st *replicaState) {
	prev := r.state.Swap(st)
	was, is := prev == nil || prev.serves(), st.serves()
	switch {
	case st.err != nil:
		rs.lag.WithLabelValues(r.name).Set(-1)
	default:
		rs.lag.WithLabelValues(r.name).Set(st.lag.Seconds())
	}
	switch {
	case was && !is && st.err != nil:
		rs.log.WarnContext(ctx, "read replica is down: its reads go to the primary", "replica", r.name, "err", st.err)
	case was && !is:
		rs.log.WarnContext(ctx, "read replica is lagging: its reads go to the primary", "replica", r.name,
			"lag", st.lag.Round(time.Millisecond), "max_lag", maxReplicaLag)
	case !was && is:
		rs.log.InfoContext(ctx, "read replica serves reads again", "replica", r.name, "lag", st.lag.Round(time.Millisecond))
	}
}

// serves reports whether a replica in this state may serve reads (read-your-writes
// aside).
func (st *replicaState) serves() bool { return st.err == nil && st.lag <= maxReplicaLag }
