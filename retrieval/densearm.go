package retrieval

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// The dense arm's policy: when it runs at all, and how it reads a space's vectors.
const (
	// hashDenseArm says whether a search runs the dense arm when the collection's space is
	// the offline hash embedder's (embed.HashModel; any footnote-hash-* space). The hash
	// embedder is lexical too and weaker than BM25, and with the reranker it adds nothing
	// measurable: on the split halves of .ci/eval-split (2,225 BBC articles and three
	// squad-dev articles each), with it and without it hit@1, hit@3, hit@5, hit@10 and
	// MRR@10 are the same to the third decimal (A: hit@1 0.840, MRR@10 0.897 on 162
	// questions; B: 0.918 and 0.946 on 110), and so are they on all 272 questions over
	// 20,000 synthetic articles more (hit@1 0.853), while search p50 fell from 8.0 to
	// 4.4 ms (A), 11.0 to 6.0 ms (B) and 27.6 to 14.4 ms (20,000 more), and the hash space's
	// HNSW index was most of an import's time. So false: no question is embedded and no
	// vector query runs in a hash space, and a hash space keeps no HNSW index
	// (Space.indexed). Its vectors are still stored (cheap without the index), so that
	// setting this to true needs no re-embedding. What it trades: a question worded unlike
	// every passage but sharing word pieces (character n-grams) with some is no longer
	// found by that arm alone (none of the 272 was), and a question sharing no word with
	// any passage gets no closest sources with its abstention.
	hashDenseArm = false

	// hnswNeighbours is how many neighbours each HNSW node links to on its bottom layer
	// (2 * pgvector's default m of 16, which footnote_space_index keeps): the distances one
	// step of an index walk computes.
	hnswNeighbours = 32

	// exactScanWork decides between an exact scan of a collection's vectors and a walk of
	// its space's HNSW index. An exact scan computes n distances (n: the collection's
	// passages). A walk keeps hnswEfSearch candidates of the collection, and since the
	// index holds the vectors of every collection of the space in the same partition (N of
	// them: the default partition's collections, or a collection with a partition of its
	// own alone, indexRows), it meets about hnswEfSearch * N/n vectors to find them, each
	// costing hnswNeighbours distances. So exact is cheaper when n < exactScanWork * N/n,
	// that is n²/N < exactScanWork: a collection alone in its index scans exactly up to
	// about 3,200 passages (the old fixed cut-off was 4,000), and a minority collection
	// much further (7,200 passages in a space of 264,000 scan exactly: 196 < 3,200).
	// Derived from pgvector's defaults, not tuned; an exact scan is also complete, where
	// the walk is approximate.
	exactScanWork = hnswEfSearch * hnswNeighbours

	// hnswMaxScanTuples is pgvector's hnsw.max_scan_tuples, set on every connection: how
	// many vectors an iterative index scan (hnsw.iterative_scan) may visit before it gives
	// up with fewer than k rows. exactScanWork sends a collection through the index only
	// when it holds at least a share sqrt(exactScanWork/N) of the space, so 50 candidates
	// need a few thousand visits; the bound leaves room for filters (a date range, a site)
	// that keep a few per cent of those. Higher finds the last rows of a very selective
	// filter at the cost of a slower worst case. Not tuned; pgvector's default is 20,000.
	hnswMaxScanTuples = 50000

	// spaceRowsTTL is how long a search reuses the count of a space's vectors (spaceRows)
	// before counting again. The count only steers exact scan against index walk, so a
	// stale one costs speed, never results; longer saves a small query per search.
	spaceRowsTTL = 30 * time.Second
)

// searched reports whether searches run the dense arm in the space (hashDenseArm).
func (sp Space) searched() bool {
	return hashDenseArm || !strings.HasPrefix(sp.Model, "footnote-hash-")
}

// spaceIndexed reports whether the space keeps an HNSW index: only a space searches read.
func (sp Space) indexed() bool { return sp.searched() }

// exactScan reports whether the dense arm scans a collection of n passages exactly,
// rather than walking the HNSW index of its space, which holds spaceRows vectors
// (exactScanWork). A space without an index is always scanned.
func exactScan(sp Space, n, spaceRows float64) bool {
	if !sp.indexed() {
		return true
	}
	spaceRows = max(spaceRows, n)
	return spaceRows <= 0 || n*n/spaceRows < exactScanWork
}

// indexRows returns about how many vectors the HNSW index that a walk of q's collection in
// space would read holds: the collection's own, when its vectors have a partition of their
// own (migration 020), whose index holds them alone; else those of every collection in
// the default partition that searches space (spaceRows).
func (e *Engine) indexRows(ctx context.Context, space int, q queryTerms) (float64, error) {
	if q.ownVectors {
		return q.n, nil
	}
	return e.spaceRows(ctx, space)
}

// spaceRowsCache holds recent counts of each space's vectors.
type spaceRowsCache struct {
	mu   sync.Mutex
	rows map[int]spaceRowsCount
}

type spaceRowsCount struct {
	n  float64
	at time.Time
}

// spaceRows returns about how many vectors space holds, counted at most spaceRowsTTL ago.
func (e *Engine) spaceRows(ctx context.Context, space int) (float64, error) {
	c := &e.spaceRowsSeen
	c.mu.Lock()
	got, ok := c.rows[space]
	c.mu.Unlock()
	if ok && time.Since(got.at) < spaceRowsTTL {
		return got.n, nil
	}
	n, err := e.store.spaceRows(ctx, space)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.rows == nil {
		c.rows = map[int]spaceRowsCount{}
	}
	c.rows[space] = spaceRowsCount{n, time.Now()}
	c.mu.Unlock()
	return n, nil
}

// spaceRows returns how many passages the collections searching space hold in the default
// partition of embeddings: the vectors its HNSW index serves there, less those of a reindex
// under way. It reads every collection's stats row (a query across collections: only
// sizes, no collection's content); a collection with a partition of its own is left out,
// as its vectors are in an index of their own.
func (s *Store) spaceRows(ctx context.Context, space int) (float64, error) {
	var n float64
	_, err := s.query(ctx, allCollections, `
		SELECT coalesce(sum(chunk_count), 0)::float8 FROM collections
		WHERE active_space = $1 AND to_regclass(quote_ident(footnote_partition_name('embeddings', name))) IS NULL`,
		[]any{space}, into(&n))
	if err != nil {
		return 0, fmt.Errorf("count vectors of embedding space %d: %w", space, err)
	}
	return n, nil
}
