package retrieval

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// LexicalURLs returns the URLs of the passages the lexical arm alone ranks best for query in
// coll, best first, for tests in package retrieval_test: in a full search the reranker and
// the dense arm could hide a broken BM25.
func LexicalURLs(ctx context.Context, e *Engine, coll, query string, k int) ([]string, error) {
	q, err := e.store.lookupTerms(ctx, coll, query)
	if err != nil {
		return nil, err
	}
	hits, err := e.store.searchLexical(ctx, coll, q, Filter{}, k)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		p, err := e.store.loadPassage(ctx, coll, h.chunkID)
		if err != nil {
			return nil, err
		}
		out[i] = p.URL
	}
	return out, nil
}

// TryEmbedderNow lets the next question try the embedding server again at once, as if
// embedProbeEvery had passed since it failed.
func TryEmbedderNow(e *Engine) { e.keywordsOnly.nextProbe.Store(0) }

// NearTerms returns the collection's likely correct spellings of unseen terms.
func NearTerms(ctx context.Context, e *Engine, coll string, unseen []string) (map[string][]string, error) {
	return e.store.nearTerms(ctx, coll, unseen)
}

// Jitter and FailureWait expose the feed scheduling for tests in package retrieval_test.
var (
	Jitter      = jitter
	FailureWait = failureWait
)

// SetFeedItemsDeadline shortens the time a feed poll may spend on its items
// (feedItemsDeadline), for tests that poll a slow site.
func SetFeedItemsDeadline(e *Engine, d time.Duration) { e.feedItemsDeadline = d }

// SetReindexBatches shrinks a reindex's batches (reindexBatch, relexBatch), so a test can
// interrupt one between batches with a few hundred passages.
func SetReindexBatches(e *Engine, embed, relex int) { e.reindexBatch, e.relexBatch = embed, relex }

// DenseURLs returns the URLs of the passages the dense arm alone ranks best for query in
// coll, best first: by an exact scan, or as a large collection would be searched (through
// the space's HNSW index when the planner takes it).
func DenseURLs(ctx context.Context, e *Engine, coll, query string, k int, exact bool) ([]string, error) {
	vecs, err := e.cfg.Embedder.Embed(ctx, []string{query})
	if err != nil {
		return nil, err
	}
	hits, err := e.store.searchDense(ctx, coll, e.Space(), vecs[0], exact, Filter{}, k)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		p, err := e.store.loadPassage(ctx, coll, h.chunkID)
		if err != nil {
			return nil, err
		}
		out[i] = p.URL
	}
	return out, nil
}

// ExplainDense returns the plan of the dense arm's query for a large collection (a walk of
// the index, as a search runs it): it names the space's HNSW index when the query's
// expression and predicate match the index's.
func ExplainDense(ctx context.Context, e *Engine, coll, query string) (string, error) {
	vecs, err := e.cfg.Embedder.Embed(ctx, []string{query})
	if err != nil {
		return "", err
	}
	return explainDense(ctx, e, coll, vecs[0], false)
}

// explainDense returns the plan of the dense arm's query for vec in coll, exact or through
// the index, with the planner settings a search gives it (denseScope).
func explainDense(ctx context.Context, e *Engine, coll string, vec []float32, exact bool) (string, error) {
	return explainDenseAs(ctx, e, coll, vec, exact, "EXPLAIN ")
}

// ExplainAnalyzeDense is the plan of the dense arm's query for vec as it ran, with its
// timings and buffers (EXPLAIN (ANALYZE, BUFFERS)).
func ExplainAnalyzeDense(ctx context.Context, e *Engine, coll string, vec []float32, exact bool) (string, error) {
	return explainDenseAs(ctx, e, coll, vec, exact, "EXPLAIN (ANALYZE, BUFFERS) ")
}

func explainDenseAs(ctx context.Context, e *Engine, coll string, vec []float32, exact bool, explain string) (string, error) {
	sql, args := denseQuery(coll, e.Space(), vec, exact, Filter{}, 10)
	var plan strings.Builder
	err := e.store.inTx(ctx, denseScope(coll, exact), func(t storeTx) error {
		rows, err := t.tx.Query(ctx, explain+sql, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan.WriteString(line + "\n")
		}
		return rows.Err()
	})
	return plan.String(), err
}

// IsConflict reports whether err is a conflict between transactions (classify), which a
// write runs again at once.
func IsConflict(err error) bool { return classify(err) == faultConflict }

// SocketError marks err as a failure of a database connection's socket, as the store's
// connections do.
func SocketError(err error) error { return markSocket(err) }

// Retrying exposes the retry loops of database writes for tests in package retrieval_test.
var (
	AgainOnConflict = againOnConflict
	WaitOutOutage   = waitOutOutage
)

// ModelReserve is modelReserve, for tests in package retrieval_test.
func ModelReserve(d time.Duration) time.Duration { return modelReserve(d) }

// IsUnavailableIn is IsUnavailable for an error met by a call made under ctx (classifyIn).
func IsUnavailableIn(ctx context.Context, err error) bool {
	return classifyIn(ctx, err) == faultUnavailable
}

// PoolStat is the store's pool's statistics, for tests of when the pool is emptied.
func PoolStat(s *Store) *pgxpool.Stat { return s.pool.Stat() }

// HoldConns acquires n connections of the store's pool at once, so that it holds at least
// n; release gives them back.
func HoldConns(ctx context.Context, s *Store, n int) (release func(), err error) {
	var conns []*pgxpool.Conn
	release = func() {
		for _, c := range conns {
			c.Release()
		}
	}
	for range n {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			release()
			return nil, err
		}
		conns = append(conns, c)
	}
	return release, nil
}

// SleepInTx runs pg_sleep(d) in a transaction of the store (in collection "default"), under
// ctx, as the store's own transactions run: a statement ctx can cut short mid-way.
func SleepInTx(ctx context.Context, s *Store, d time.Duration) error {
	return s.inCollection(ctx, "default", func(t storeTx) error {
		_, err := t.tx.Exec(ctx, `SELECT pg_sleep($1)`, d.Seconds())
		return err
	})
}

// SetDepartureBatch shrinks the batches a departed server's articles are deleted in
// (departureBatch), so a test can cut a sweep off between batches with a few hundred.
func SetDepartureBatch(e *Engine, n int) { e.departureBatch = n }

// DenseIDs returns the passage ids the dense arm ranks nearest vec in coll, nearest first,
// by an exact scan or through the space's HNSW index, and the plan the query ran with.
func DenseIDs(ctx context.Context, e *Engine, coll string, vec []float32, k int, exact bool) ([]int64, string, error) {
	plan, err := explainDense(ctx, e, coll, vec, exact)
	if err != nil {
		return nil, "", err
	}
	ids, err := DenseSearch(ctx, e, coll, vec, k, exact)
	return ids, plan, err
}

// DensePlan returns whether a search of coll scans its vectors exactly (exactScan, from
// the collection's and the space's sizes as a search reads them) and the plan of the
// dense arm's query for vec, as a search runs it.
func DensePlan(ctx context.Context, e *Engine, coll string, vec []float32) (bool, string, error) {
	q, err := e.store.lookupTerms(ctx, coll, "plan")
	if err != nil {
		return false, "", err
	}
	rows, err := e.indexRows(ctx, e.Space().ID, q)
	if err != nil {
		return false, "", err
	}
	exact := exactScan(e.Space(), q.n, rows, false)
	plan, err := explainDense(ctx, e, coll, vec, exact)
	return exact, plan, err
}

// ExactScan is exactScan, for tests in package retrieval_test.
func ExactScan(sp Space, n, spaceRows float64, filtered bool) bool {
	return exactScan(sp, n, spaceRows, filtered)
}

// SetPartitionAfter sets how many passages give a collection partitions of its own
// (partitionAfter), so a test can cross the threshold with a few articles.
func SetPartitionAfter(e *Engine, n int) { e.partitionAfter = n }

// LexicalHit is a passage the keyword arm ranked, with its BM25 score.
type LexicalHit struct {
	ID    int64
	Score float64
}

// LexicalRanking returns the keyword arm's k best passages for query in coll among those
// that pass f, reading the rarest terms' postings whole up to fullRead postings, and
// ranking a filter's passages alone only when it passes at most filterMax.
func LexicalRanking(ctx context.Context, e *Engine, coll, query string, f Filter, k, fullRead, filterMax int) ([]LexicalHit, error) {
	q, err := e.store.lookupTerms(ctx, coll, query)
	if err != nil {
		return nil, err
	}
	ls, ok := newLexicalSearch(q)
	if !ok {
		return nil, nil
	}
	ls.fullRead, ls.filterMax = fullRead, filterMax
	hits, err := e.store.rankLexical(ctx, coll, ls, f, k)
	out := make([]LexicalHit, len(hits))
	for i, h := range hits {
		out[i] = LexicalHit{h.chunkID, h.score}
	}
	return out, err
}

// TermCounts returns query's terms (sorted), how often it says each, and each one's
// document frequency in coll, as a search reads them.
func TermCounts(ctx context.Context, e *Engine, coll, query string) (terms []string, qtf, df []float64, err error) {
	q, err := e.store.lookupTerms(ctx, coll, query)
	return q.terms, q.qtf, q.df, err
}

// The keyword arm's tuning, for LexicalRanking.
const (
	FullReadPostings = fullReadPostings
	FilterSetMax     = filterSetMax
)

// PassageTerms is passageTerms: a passage's terms with counts, and their number.
var PassageTerms = passageTerms

// PartitionCollection gives coll partitions of its own when it holds minPassages passages
// (Store.partitionCollection), and reports whether it did now.
func PartitionCollection(ctx context.Context, e *Engine, coll string, minPassages int) (bool, error) {
	return e.store.partitionCollection(ctx, coll, minPassages)
}

// ExplainLoadResults returns the plan of the query that loads the passages ids of coll
// with their articles (loadResultsSQL), one line per row of EXPLAIN.
func ExplainLoadResults(ctx context.Context, e *Engine, coll string, ids []int64) (string, error) {
	var lines []string
	_, err := e.store.query(ctx, in(coll), "EXPLAIN (COSTS OFF) "+loadResultsSQL, []any{coll, ids}, func(rows pgx.Rows) error {
		var err error
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return strings.Join(lines, "\n"), err
}

// SetAfterLookup makes fn run in every batch write after it looked up the stored articles,
// until the test ends.
func SetAfterLookup(t interface{ Cleanup(func()) }, fn func()) {
	afterLookup = fn
	t.Cleanup(func() { afterLookup = nil })
}

// BlockBounds returns the (first, last) passage ids of term's blocks in coll, as a search's
// first read sees them (bounds only).
func BlockBounds(ctx context.Context, e *Engine, coll, term string) ([][2]int64, error) {
	rows, err := e.store.readBlocks(ctx, coll, []string{term}, []bool{false}, new(postingArena))
	out := make([][2]int64, len(rows))
	for i, r := range rows {
		out[i] = [2]int64{r.first, r.last}
	}
	return out, err
}

// BlockPostings returns the passage ids of term's blocks in coll named by bounds, as a
// search's second read finds them.
func BlockPostings(ctx context.Context, e *Engine, coll, term string, bounds [][2]int64) ([]int64, error) {
	rows := make([]blockRow, len(bounds))
	need := make([]bool, len(bounds))
	for i, b := range bounds {
		rows[i], need[i] = blockRow{first: b[0], last: b[1]}, true
	}
	rows, err := e.store.readBlockPostings(ctx, coll, []string{term}, blockRanges(rows, need), new(postingArena))
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.ids...)
	}
	return ids, err
}

// PackPostings and UnpackPostings are the packing of term_blocks.postings (migration 019).
func PackPostings(prev int64, ids []int64, tfs, lens []int32) ([]byte, error) {
	return packPostings(nil, prev, ids, tfs, lens)
}

func UnpackPostings(first int64, n int, packed []byte) ([]int64, []int16, []int16, error) {
	ids, tfs, lens := make([]int64, n), make([]int16, n), make([]int16, n)
	return ids, tfs, lens, unpackPostings(first, n, packed, ids, tfs, lens)
}

// CompactBlocks runs the compaction that ends a keyword rebuild on coll, reading batch
// blocks at a time.
func CompactBlocks(ctx context.Context, e *Engine, coll string, batch int) error {
	defer func(was int) { compactBatch = was }(compactBatch)
	compactBatch = batch
	return e.store.inCollection(ctx, coll, func(t storeTx) error { return t.compactBlocks(ctx, coll) })
}

// ImportHeld is what an import held at most (importHeld).
type ImportHeld = importHeld

// SetImportLimits sets the engine's import limits (importLimits): lines and bytes per
// batch, batches and bytes per transaction, and the line bytes held at once.
func SetImportLimits(e *Engine, batchLines int, batchBytes int64, txBatches int, txBytes, flightBytes int64) {
	e.importLimits = importLimits{batchLines: batchLines, batchBytes: batchBytes,
		txBatches: txBatches, txBytes: txBytes, flightBytes: flightBytes}
}

// WatchImports makes each import of e call f with what it held at most.
func WatchImports(e *Engine, f func(ImportHeld)) { e.importDone = f }

// DenseSearch is the dense arm's query alone: the k passages of coll nearest vec, by an
// exact scan or a walk of the space's HNSW index.
func DenseSearch(ctx context.Context, e *Engine, coll string, vec []float32, k int, exact bool) ([]int64, error) {
	hits, err := e.store.searchDense(ctx, coll, e.Space(), vec, exact, Filter{}, k)
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.chunkID
	}
	return ids, err
}

// SetAfterSkipStored makes fn run after each lookup of stored articles before embedding
// (skipStored), and returns a function that removes it.
func SetAfterSkipStored(fn func()) (restore func()) {
	afterSkipStored = fn
	return func() { afterSkipStored = nil }
}

// ResetSessions undoes every session setting on each of the store's connections (RESET
// ALL), as on a server connection that a transaction pooler opened itself, without the
// store's AfterConnect.
func ResetSessions(ctx context.Context, s *Store) error {
	var conns []*pgxpool.Conn
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range s.pool.Config().MaxConns {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		if _, err := c.Exec(ctx, "RESET ALL"); err != nil {
			return err
		}
	}
	return nil
}

// SearchSettings are the names and values of the settings every search needs.
func SearchSettings() map[string]string {
	m := map[string]string{}
	for _, kv := range searchSettings {
		m[kv[0]] = kv[1]
	}
	return m
}

// SettingsSeen returns the value of each of names as a read in coll sees it, as a
// transaction in coll does, and as a statement outside both does ("" for one not set).
func SettingsSeen(ctx context.Context, s *Store, coll string, names []string) (read, tx, plain map[string]string, err error) {
	const q = `SELECT coalesce(current_setting($1, true), '')`
	read, tx, plain = map[string]string{}, map[string]string{}, map[string]string{}
	for _, n := range names {
		var v string
		if _, err = s.query(ctx, readIn(coll), q, []any{n}, into(&v)); err != nil {
			return
		}
		read[n] = v
		if err = s.inCollection(ctx, coll, func(t storeTx) error { return t.tx.QueryRow(ctx, q, n).Scan(&v) }); err != nil {
			return
		}
		tx[n] = v
		if err = s.pool.QueryRow(ctx, q, n).Scan(&v); err != nil {
			return
		}
		plain[n] = v
	}
	return
}
