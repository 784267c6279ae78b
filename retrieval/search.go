package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// hit is one passage from one arm, before fusion.
type hit struct {
	chunkID int64
	score   float64
}

// queryTerms is a question's terms with their weights in the collection.
type queryTerms struct {
	terms   []string
	text    string    // the question as asked
	qtf     []float64 // how often the question says each term
	idf     []float64
	df      []float64 // passages holding each term
	n       float64   // passages in the collection
	activeS int       // the collection's active embedding space (0: none)
	// ownVectors: the collection's vectors have a partition of their own (migration 020),
	// whose HNSW indexes hold its vectors alone.
	ownVectors bool
	// For BM25 over the blocks: the collection's average passage length (its total length
	// over its passages, at least 1), and each term's largest tf and smallest passage
	// length, which bound any one passage's score for it.
	avglen        float64
	maxTF, minLen []int32
	// near maps each term no passage holds to the collection's terms it is likely a
	// misspelling of (Engine.spellings); nil until Engine.answer has looked them up.
	near map[string][]string
}

// weights returns term -> IDF, for answerers.
func (q queryTerms) weights() map[string]float64 {
	m := make(map[string]float64, len(q.terms))
	for i, t := range q.terms {
		m[t] = q.idf[i]
	}
	return m
}

// lookupTerms counts each term's passages in the collection (its document frequency) and
// turns it into BM25's IDF. A term no passage has gets the highest IDF: it is evidence the
// collection may not cover the question.
func (s *Store) lookupTerms(ctx context.Context, coll, query string) (queryTerms, error) {
	counts, _ := text.Counts(query)
	q := queryTerms{text: query}
	for t := range counts {
		q.terms = append(q.terms, t)
	}
	sort.Strings(q.terms) // a fixed order keeps float sums, and so rankings, reproducible
	for _, t := range q.terms {
		q.qtf = append(q.qtf, float64(counts[t]))
	}
	q.idf = make([]float64, len(q.terms))
	q.df = make([]float64, len(q.terms))
	// The collection's size, active space and average passage length, and each term's
	// document frequency and bounds (in q.terms' order, 0 for a term no passage has), in
	// one round trip: point lookups on term_stats' key.
	var activeSpace *int
	var avglen *float64
	var df []float64
	_, err := s.query(ctx, readIn(coll), `
		SELECT c.chunk_count, c.active_space, GREATEST(c.token_total::float8 / NULLIF(c.chunk_count, 0), 1),
		       to_regclass(quote_ident(footnote_partition_name('embeddings', c.name))) IS NOT NULL,
		       ARRAY(SELECT coalesce(s.df, 0)::float8 FROM unnest($2::text[]) WITH ORDINALITY AS u(term, i)
		             LEFT JOIN term_stats s ON s.collection = $1 AND s.term = u.term ORDER BY u.i),
		       ARRAY(SELECT coalesce(s.max_tf, 0) FROM unnest($2::text[]) WITH ORDINALITY AS u(term, i)
		             LEFT JOIN term_stats s ON s.collection = $1 AND s.term = u.term ORDER BY u.i),
		       ARRAY(SELECT coalesce(s.min_len, 0) FROM unnest($2::text[]) WITH ORDINALITY AS u(term, i)
		             LEFT JOIN term_stats s ON s.collection = $1 AND s.term = u.term ORDER BY u.i)
		FROM collections c WHERE c.name = $1`, []any{coll, q.terms}, into(&q.n, &activeSpace, &avglen, &q.ownVectors, &df, &q.maxTF, &q.minLen))
	if errors.Is(err, pgx.ErrNoRows) {
		return q, nil // a collection with nothing in it yet
	}
	if err != nil {
		return q, fmt.Errorf("read collection stats: %w", err)
	}
	if activeSpace != nil {
		q.activeS = *activeSpace
	}
	if avglen != nil {
		q.avglen = *avglen
	}
	if len(df) != len(q.terms) || len(q.maxTF) != len(q.terms) || len(q.minLen) != len(q.terms) {
		return q, fmt.Errorf("count term frequencies: %d counts for %d terms", len(df), len(q.terms))
	}
	for i := range q.terms {
		q.df[i] = df[i]
		q.idf[i] = math.Log(1 + (q.n-df[i]+0.5)/(df[i]+0.5))
	}
	return q, nil
}

// filterSQL returns the extra conditions on articles a (as SQL) and their arguments, numbered
// from next.
func filterSQL(f Filter, next int) (string, []any) {
	var sb strings.Builder
	var args []any
	if !f.Since.IsZero() {
		fmt.Fprintf(&sb, " AND a.published_at >= $%d", next+len(args))
		args = append(args, f.Since)
	}
	if !f.Until.IsZero() {
		fmt.Fprintf(&sb, " AND a.published_at < $%d", next+len(args))
		args = append(args, f.Until)
	}
	if f.Site != "" {
		// The site's name, or its host in the URL; the host is matched literally (LIKE's
		// wildcards in it are escaped).
		site := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(f.Site)), "www.")
		fmt.Fprintf(&sb, " AND (lower(a.site) = $%d OR a.url ILIKE '%%://' || $%d || '/%%' OR a.url ILIKE '%%://www.' || $%d || '/%%')",
			next+len(args), next+len(args)+1, next+len(args)+1)
		args = append(args, site, likeEscaper.Replace(site))
	}
	return sb.String(), args
}

// searchDense ranks passages by cosine distance to the question's vector in the given space,
// by an exact scan of the collection's vectors or a walk of the space's HNSW index
// (exactScan).
func (s *Store) searchDense(ctx context.Context, coll string, space Space, vec []float32, exact bool, f Filter, k int) ([]hit, error) {
	sql, args := denseQuery(coll, space, vec, exact, f, k)
	return s.collectHitsIn(ctx, denseScope(coll, exact), sql, args...)
}

// denseScope is the scope of the dense arm's query on coll. A walk of the index runs with
// sorts turned off for that one statement, so that the plan follows exactScan rather than
// the planner's costing, which prefers a scan and sort for vectors wide enough to be
// stored out of line (the index is then the only plan that needs no sort).
func denseScope(coll string, exact bool) scope {
	sc := readIn(coll)
	if !exact {
		sc.plannerOff = "enable_sort"
	}
	return sc
}

// denseQuery is searchDense's query and its arguments: the k passages of coll nearest vec
// in space, scanned exactly or through the space's HNSW index.
func denseQuery(coll string, space Space, vec []float32, exact bool, f Filter, k int) (string, []any) {
	cond, fargs := filterSQL(f, 4)
	join := ""
	if cond != "" {
		join = " JOIN chunks c ON c.id = e.chunk_id AND c.collection = e.collection JOIN articles a ON a.id = c.article_id AND a.collection = c.collection"
	}
	// The space's column and type: embedding as vector(dims), or, for a space wider than
	// MaxVectorDims, embedding_half as halfvec(dims).
	expr := fmt.Sprintf("(e.%s::%s <=> $1)", space.column(), space.sqlType())
	order := expr
	if exact {
		// "+ 0" hides the expression from the planner, so it scans the collection's rows
		// exactly instead of walking the space's HNSW index.
		order = expr + " + 0"
	}
	// The expression and the space_id predicate repeat the partial index's definition, so
	// the planner can use embeddings_hnsw_<space> for large collections. The space id is
	// written into the query rather than passed: a prepared statement's generic plan cannot
	// prove a parameter matches the partial index's predicate.
	sql := `
		SELECT e.chunk_id, 1 - ` + expr + ` AS score
		FROM embeddings e` + join + `
		WHERE e.space_id = ` + strconv.Itoa(space.ID) + ` AND e.collection = $2` + cond + `
		ORDER BY ` + order + `
		LIMIT $3`
	if !exact {
		// The walk is an iterative scan (hnsw.iterative_scan = relaxed_order, set on every
		// connection): it goes on past other collections' vectors until it has k of coll's,
		// and may return them slightly out of order, so they are sorted again.
		sql = `
		WITH nearest AS MATERIALIZED (` + sql + `)
		SELECT chunk_id, score FROM nearest ORDER BY score DESC, chunk_id`
	}
	return sql, append([]any{space.value(vec), coll, k}, fargs...)
}

// collectHits runs a ranking query on coll whose rows are (passage id, score) and returns
// its hits in row order.
func (s *Store) collectHits(ctx context.Context, coll, sql string, args ...any) ([]hit, error) {
	return s.collectHitsIn(ctx, readIn(coll), sql, args...)
}

// collectHitsIn is collectHits in the scope sc.
func (s *Store) collectHitsIn(ctx context.Context, sc scope, sql string, args ...any) ([]hit, error) {
	var out []hit
	_, err := s.query(ctx, sc, sql, args, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (hit, error) {
			var h hit
			return h, r.Scan(&h.chunkID, &h.score)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search passages: %w", err)
	}
	return out, nil
}

// loadResultsSQL reads passages $2 of collection $1 with their articles. The join names
// the collection on both sides, so that the planner reads articles in the collection's
// own partition only (migration 018), instead of probing every partition by id.
const loadResultsSQL = `
		SELECT c.id, c.article_id, c.body, c.start_offset, c.end_offset, a.url, a.title, a.site, a.published_at, a.fetched_at,
		       coalesce(a.updated_at, 'epoch'), coalesce(a.gone_at, 'epoch')
		FROM chunks c JOIN articles a ON a.id = c.article_id AND a.collection = c.collection
		WHERE c.collection = $1 AND c.id = ANY($2)`

// loadResults loads the passages and their articles for ids, in the order given.
func (s *Store) loadResults(ctx context.Context, coll string, ids []int64) ([]Result, error) {
	byID := make(map[int64]Result, len(ids))
	_, err := s.query(ctx, readIn(coll), loadResultsSQL, []any{coll, ids}, func(rows pgx.Rows) error {
		for rows.Next() {
			var r Result
			var pub *time.Time
			if err := rows.Scan(&r.ChunkID, &r.ArticleID, &r.Text, &r.Start, &r.End, &r.URL, &r.Title, &r.Site, &pub, &r.Added,
				&r.Updated, &r.Gone); err != nil {
				return err
			}
			if pub != nil {
				r.Published = pub.UTC()
			}
			r.Added, r.Updated, r.Gone = r.Added.UTC(), unlessEpoch(r.Updated), unlessEpoch(r.Gone)
			byID[r.ChunkID] = r
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load passages: %w", err)
	}
	out := make([]Result, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, r)
		}
	}
	return out, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// unlessEpoch is t in UTC, or zero for the epoch: what coalesce(column, 'epoch') reads
// for NULL.
func unlessEpoch(t time.Time) time.Time {
	if t.Unix() == 0 {
		return time.Time{}
	}
	return t.UTC()
}
