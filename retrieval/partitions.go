package retrieval

import (
	"context"
	"sync"
	"time"
)

// partitionAfter is how many passages give a collection partitions of its own (migration
// 018): its articles, passages and keyword index then live apart from every other
// collection's, and removing it drops them whole instead of deleting them row by row. The
// move locks the partitioned tables for about a second per 10,000 passages, while every
// collection's searches and writes wait, and each partition costs some catalog entries and
// planning time; 20,000 passages (about 6,000 articles) keeps the thousands of small
// servers together in the default partitions, where they cost nothing, and moves a server
// out while its move still takes a couple of seconds.
const partitionAfter = 20000

// partitionRetryAfter is how long a collection whose move failed is left alone before a
// write tries it again. Each attempt may wait up to the move's lock_timeout (2 s) for the
// tables, and every collection's queries queue behind that wait; retrying after every
// write (each import transaction, each feed item) would stall the whole server again and
// again while, say, an index build holds the tables. Longer leaves a large collection in
// the default partitions longer, which costs nothing but the cheap drop.
const partitionRetryAfter = 10 * time.Minute

// partitionBackoff remembers, per collection, when a failed move may be tried again.
type partitionBackoff struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// wait reports whether coll's last move failed less than partitionRetryAfter ago.
func (b *partitionBackoff) wait(coll string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return now.Before(b.until[coll])
}

// failed records that coll's move failed at now.
func (b *partitionBackoff) failed(coll string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.until == nil {
		b.until = map[string]time.Time{}
	}
	b.until[coll] = now.Add(partitionRetryAfter)
}

// partitionIfLarge gives coll partitions of its own once it holds e.partitionAfter
// passages, after a write to it: a no-op (one round trip) for a small collection or one
// that has them. A failure (another transaction held the tables past the move's
// lock_timeout) costs nothing but the wait: the write is stored, the rows stay in the
// default partitions, and a write after partitionRetryAfter tries again. So it is logged
// here, not returned.
func (e *Engine) partitionIfLarge(ctx context.Context, coll string) {
	start := time.Now()
	if e.partitionWait.wait(coll, start) {
		return
	}
	moved, err := e.store.partitionCollection(ctx, coll, e.partitionAfter)
	if err != nil {
		if ctx.Err() == nil {
			e.partitionWait.failed(coll, time.Now())
		}
		e.log.Warn("collection left in the default partitions for now", "collection", coll, "err", err,
			"retry_after", partitionRetryAfter.String())
		return
	}
	if !moved {
		return
	}
	e.log.Info("collection moved to partitions of its own", "collection", coll, "min_passages", e.partitionAfter,
		"took_ms", time.Since(start).Milliseconds())
	if err := e.store.analyzeCollection(ctx, coll); err != nil {
		// The planner reads the new partitions' sizes meanwhile; autovacuum analyzes them
		// later.
		e.log.Warn("collection's partitions left without planner statistics", "collection", coll, "err", err)
	}
}
