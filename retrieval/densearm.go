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

	// exactRowCost is what an exact scan pays per vector, in distances computed inside an
	// HNSW walk: the scan fetches each row from the heap, checks the row-level security
	// policy on it and keeps a top-k heap, where a walk computes distances on the index's
	// own copies. Measured, not fitted to any ranking (BenchmarkDenseArmOwnPartition, 256
	// dimensions, k 50, README "Partitioning by collection"): an exact scan costs about
	// 0.7 µs a vector, a walk about 0.15 ms per unit of N/n, that is 0.047 µs a distance
	// (hnswEfSearch * hnswNeighbours distances per unit); 0.7 / 0.047 is about 15. Wider
	// vectors, stored out of line, make a scan's row dearer still (exactRowCostOutOfLine).
	exactRowCost = 15

	// exactRowCostOutOfLine is exactRowCost for a space whose vectors Postgres stores out
	// of line (outOfLine: a row past about 2 KB, a vector wider than about 490 dimensions,
	// a halfvec than 980; every common model's): a scan fetches each vector from the TOAST
	// table, where a walk reads the index's own copies. Measured the same way
	// (BenchmarkDenseArmOwnPartition with FOOTNOTE_BENCH_DENSE_DIMS 1536 and 3000, k 50,
	// 20,000 vectors; README "Partitioning by collection"): a scan costs 6.0-6.9 µs a
	// vector, a walk 0.30-0.34 ms per unit of N/n, 0.1 µs a distance; about 60.
	exactRowCostOutOfLine = 60

	// toastTupleThreshold is the size (bytes) past which Postgres moves a row's values out
	// of line (TOAST_TUPLE_THRESHOLD for 8 KB pages), and embeddingRowOverhead what an
	// embeddings row holds besides its vector (header, space and passage ids, collection
	// name, alignment): at 490 dimensions a row takes 2,028 bytes, at 500 2,068.
	toastTupleThreshold  = 2032
	embeddingRowOverhead = 64

	// exactScanWork decides between an exact scan of a collection's vectors and a walk of
	// its space's HNSW index. An exact scan reads n vectors (n: the collection's passages),
	// each costing exactRowCost distances. A walk keeps hnswEfSearch candidates of the
	// collection, and since the index holds the vectors of every collection of the space
	// in the same partition (N of them: the default partition's collections, or a
	// collection with a partition of its own alone, indexRows), it meets about
	// hnswEfSearch * N/n vectors to find them, each costing hnswNeighbours distances. So
	// exact is cheaper when exactRowCost * n < hnswEfSearch * hnswNeighbours * N/n, that is
	// n²/N < exactScanWork: a collection alone in its index scans exactly up to about 210
	// passages, and a minority collection further (3,000 passages among 50,000 scan
	// exactly, 180 < 213: 1.1 ms against 2.7 ms for the walk; 7,000 among 50,000 walk:
	// 1.2 ms against 4.9 ms). An exact scan is complete, where the walk is approximate
	// (recall of the exact top 50 0.976-1.0 in the benchmark).
	exactScanWork = hnswEfSearch * hnswNeighbours / exactRowCost

	// filteredScanWork is exactScanWork for a search with a filter (a date range, a site),
	// which a walk applies to the rows it meets: one that keeps a share s of the
	// collection's vectors makes the walk meet 1/s times as many. The rule cannot know s,
	// so a filtered search keeps the rule as it was before exactRowCost was measured
	// (hnswEfSearch * hnswNeighbours, 3,200): it walks only when that leaves the walk
	// room for a filter keeping about one row in exactRowCost.
	filteredScanWork = hnswEfSearch * hnswNeighbours

	// hnswMaxScanTuples is pgvector's hnsw.max_scan_tuples, set on every connection: how
	// many vectors an iterative index scan (hnsw.iterative_scan) may visit before it gives
	// up with fewer than k rows. exactScanWork sends a collection through the index only
	// when it holds at least a share sqrt(exactScanWork/N) of the space (2.8% of 264,000,
	// 1.5% of 1M), so 100 candidates need 3,500 to 6,800 visits; filteredScanWork's larger
	// share leaves room for filters that keep a few per cent of those. Higher finds the
	// last rows of a very selective filter at the cost of a slower worst case. Not tuned;
	// pgvector's default is 20,000.
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
// (exactScanWork; filteredScanWork for a filtered search). A space without an index is
// always scanned.
func exactScan(sp Space, n, spaceRows float64, filtered bool) bool {
	if !sp.indexed() {
		return true
	}
	spaceRows = max(spaceRows, n)
	work := float64(exactScanWork)
	if filtered {
		work = filteredScanWork
	}
	if sp.outOfLine() {
		// Each scanned row costs exactRowCostOutOfLine distances, not exactRowCost: the
		// same rule, with the dearer row (a filtered search keeps its room for a filter).
		work = work * exactRowCost / exactRowCostOutOfLine
	}
	return spaceRows <= 0 || n*n/spaceRows < work
}

// outOfLine reports whether Postgres stores the space's vectors out of line (TOAST): an
// embeddings row with one of them passes toastTupleThreshold.
func (sp Space) outOfLine() bool {
	bytes := 4 * sp.Dims
	if sp.Half() {
		bytes = 2 * sp.Dims
	}
	return bytes+8+embeddingRowOverhead > toastTupleThreshold // 8: the vector's own header
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
