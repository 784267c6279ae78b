package retrieval

import (
	"context"
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

// partitionIfLarge gives coll partitions of its own once it holds e.partitionAfter
// passages, after a write to it: a no-op (one round trip) for a small collection or one
// that has them. A failure (another transaction held the tables past the move's
// lock_timeout) costs nothing but the wait: the write is stored, the rows stay in the
// default partitions, and the next write tries again. So it is logged here, not returned.
func (e *Engine) partitionIfLarge(ctx context.Context, coll string) {
	start := time.Now()
	moved, err := e.store.partitionCollection(ctx, coll, e.partitionAfter)
	if err != nil {
		e.log.Warn("collection left in the default partitions for now", "collection", coll, "err", err)
		return
	}
	if !moved {
		return
	}
	e.log.Info("collection moved to partitions of its own", "collection", coll, "min_passages", e.partitionAfter,
		"took_ms", time.Since(start).Milliseconds())
	if err := e.store.validateVectorKeys(ctx); err != nil {
		// The key still checks new vectors and cascades; only the old rows' check waits
		// for the next move.
		e.log.Warn("vectors' key into passages left unvalidated", "err", err)
	}
}
