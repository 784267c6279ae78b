package retrieval

import (
	"context"
	"sync"
	"time"
)

// A process without read replicas of its own (no DATABASE_READ_URL) reads and writes on
// the primary, and needed no marks for itself; but other processes may read the same
// database's replicas (a bot reading from replicas beside a `footnote import` or a worker
// that does not), and they wait for a replica to have replayed the marks in write_marks
// (sharedMark) before they read a collection from it. So such a process marks its writes
// too, as a process with replicas does, whenever the primary has standbys streaming from
// it: one statement more after a write, and none at all while the primary has none (most
// installations), which it checks every standbyCheckEvery.

// standbyCheckEvery is how often a process without replicas asks the primary whether any
// standby streams from it.
const standbyCheckEvery = 30 * time.Second

// standbyWatch caches whether the primary has standbys. The zero value asks at first use.
type standbyWatch struct {
	mu      sync.Mutex
	checked time.Time
	has     bool
}

// hasStandbys reports whether the primary had a standby streaming from it when last asked
// (at most standbyCheckEvery ago). When the primary cannot say, it keeps its last answer.
func (s *Store) hasStandbys(ctx context.Context) bool {
	w := &s.standbys
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.checked.IsZero() && time.Since(w.checked) < standbyCheckEvery {
		return w.has
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replicaCheckTimeout)
	defer cancel()
	// pg_stat_replication lists every WAL sender to any role (its details only to
	// pg_read_all_stats), which is all this needs.
	var has bool
	if err := s.pool.QueryRow(cctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_replication)`).Scan(&has); err == nil {
		w.has = has
	}
	w.checked = time.Now()
	return w.has
}

// markWrite records a committed write in sc in write_marks, for the processes that read
// from replicas. A failure is left: their reads of the collection then reach the write
// within the replicas' lag bound, as before marks.
func (s *Store) markWrite(ctx context.Context, sc scope) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), replicaCheckTimeout)
	defer cancel()
	_, _ = s.pool.Exec(cctx, `SELECT footnote_mark_write($1)`, markKey(sc))
}

// markKey is the write_marks row of a write in sc: its collection, or "" for every one.
func markKey(sc scope) string {
	if sc == allCollections {
		return ""
	}
	return sc.value
}
