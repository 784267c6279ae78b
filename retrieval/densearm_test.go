package retrieval_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestTheDenseArmScansExactlyByTheCollectionsShareOfItsSpace(t *testing.T) {
	served := retrieval.Space{Model: servedModel, Dims: 256}
	hash := retrieval.Space{Model: embed.HashModel, Dims: 256}
	// Vectors stored out of line (TOAST) make each scanned row dearer: 1,536 (OpenAI's
	// small model), 3,000 (halfvec); 480 still fits in the row, 500 does not.
	wide, half := retrieval.Space{Model: servedModel, Dims: 1536}, retrieval.Space{Model: servedModel, Dims: 3000}
	inRow, toasted := retrieval.Space{Model: servedModel, Dims: 480}, retrieval.Space{Model: servedModel, Dims: 500}
	for _, tt := range []struct {
		name      string
		sp        retrieval.Space
		n, rows   float64
		filtered  bool
		wantExact bool
	}{
		{"a collection alone in its index scans exactly under 213 passages", served, 200, 200, false, true},
		{"a collection alone in its index walks it from 213 passages", served, 300, 300, false, false},
		{"3,000 passages among 50,000 in the index scan exactly", served, 3000, 50000, false, true},
		{"7,000 passages among 50,000 walk the index", served, 7000, 50000, false, false},
		{"7,200 passages among 264,000 scan exactly", served, 7200, 264000, false, true},
		{"a filtered search of 7,000 passages among 50,000 scans exactly", served, 7000, 50000, true, true},
		{"a filtered search of 100,000 passages among 264,000 walks the index", served, 100000, 264000, true, false},
		{"a space whose size is not known yet counts the collection alone", served, 5000, 0, false, false},
		{"the offline embedder's space, which has no index, is always scanned", hash, 100000, 100000, false, true},
		{"out of line: 500 passages among 20,000 scan exactly", half, 500, 20000, false, true},
		{"out of line: 1,500 passages among 20,000 walk the index (they scan exactly in line)", wide, 1500, 20000, false, false},
		{"the same at 3,000 dimensions", half, 1500, 20000, false, false},
		{"in line at 480 dimensions: 1,500 among 20,000 scan exactly", inRow, 1500, 20000, false, true},
		{"out of line at 500 dimensions: they walk", toasted, 1500, 20000, false, false},
		{"out of line, filtered: 2,000 passages among 20,000 scan exactly", wide, 2000, 20000, true, true},
		{"out of line, filtered: 5,000 passages among 20,000 walk", wide, 5000, 20000, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := retrieval.ExactScan(tt.sp, tt.n, tt.rows, tt.filtered); got != tt.wantExact {
				t.Errorf("ExactScan(%s, %v, %v, filtered %v) = %v, want %v", tt.sp.Name(), tt.n, tt.rows, tt.filtered, got, tt.wantExact)
			}
		})
	}
}

// fillSpace stores n passages in coll with random dims-dimensional vectors in space, and
// makes it the collection's active space, straight in SQL: a big collection in seconds.
func fillSpace(t testing.TB, c *pgx.Conn, coll string, space, dims, n int) {
	t.Helper()
	fillVectors(t, c, coll, space, n, "", fmt.Sprintf(
		"(SELECT array_agg(random() - 0.5) FROM generate_series(1, %d) WHERE ch.id > 0)::vector", dims))
}

// nearestByBruteForce returns the k passages of coll whose vectors in space are nearest
// query by cosine distance, every vector compared (no index), nearest first.
func nearestByBruteForce(t *testing.T, c *pgx.Conn, coll string, space, dims int, query []float32, k int) []int64 {
	t.Helper()
	rows, err := c.Query(context.Background(), fmt.Sprintf(`
		SELECT chunk_id FROM embeddings WHERE space_id = $1 AND collection = $2
		ORDER BY (embedding::vector(%d) <=> $3) + 0 LIMIT $4`, dims), space, coll, pgvector.NewVector(query), k)
	if err != nil {
		t.Fatal(err)
	}
	want, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(want) != k {
		t.Fatalf("brute force: %v, %v", want, err)
	}
	return want
}

// fillVectors stores n passages in coll, each passage ch's vector the SQL expression vec
// (over the tables of the WITH clauses withSQL adds, which end in a comma), in space, and
// makes space the collection's active one.
func fillVectors(t testing.TB, c *pgx.Conn, coll string, space, n int, withSQL, vec string) {
	t.Helper()
	fillVectorsIn(t, c, coll, space, n, withSQL, "embedding", vec)
}

// fillVectorsIn is fillVectors into column (embedding, or embedding_half for a space wider
// than MaxVectorDims).
func fillVectorsIn(t testing.TB, c *pgx.Conn, coll string, space, n int, withSQL, column, vec string) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Exec(ctx, `
		INSERT INTO collections (name, active_space) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET active_space = $2`, coll, space); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `
		WITH `+withSQL+`
		a AS (
		    INSERT INTO articles (collection, url, content_hash, body)
		    SELECT $1, 'https://vectors.example/' || i, md5(i::text), 'v' FROM generate_series(1, $2) i
		    RETURNING id),
		ch AS (
		    INSERT INTO chunks (article_id, collection, ordinal, start_offset, end_offset, body, token_count)
		    SELECT id, $1, 0, 0, 1, 'v', 1 FROM a
		    RETURNING id)
		INSERT INTO embeddings (space_id, chunk_id, collection, `+column+`)
		SELECT $3, ch.id, $1, `+vec+`
		FROM ch`, coll, n, space); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, `UPDATE collections SET chunk_count = (SELECT count(*) FROM chunks WHERE collection = $1) WHERE name = $1`, coll); err != nil {
		t.Fatal(err)
	}
}

func TestASmallCollectionInABigSpaceGetsItsNearestVectors(t *testing.T) {
	ctx := context.Background()
	const dims, big, small, k = 16, 5000, 40, 10
	e, smallColl := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(dims), uniqueModel(t, "share")}))
	bigColl := smallColl + "-big"
	c := conn(t)
	sp := e.Space()
	// The index is built once after the copy, as a bulk load would: seconds sooner.
	setIndex := func(wanted bool) {
		if _, err := c.Exec(ctx, `SELECT footnote_space_index($1, $2)`, sp.ID, wanted); err != nil {
			t.Fatal(err)
		}
	}
	setIndex(false)
	fillSpace(t, c, bigColl, sp.ID, dims, big)
	fillSpace(t, c, smallColl, sp.ID, dims, small)
	setIndex(true)
	rng := rand.New(rand.NewPCG(1, 2))
	query := make([]float32, dims)
	for i := range query {
		query[i] = rng.Float32() - 0.5
	}
	want := nearestByBruteForce(t, c, smallColl, sp.ID, dims, query, k)
	for _, exact := range []bool{true, false} {
		name := "an exact scan finds its k nearest"
		if !exact {
			name = "a walk of the space's index, where 99% of the vectors are another collection's, finds its k nearest too"
		}
		t.Run(name, func(t *testing.T) {
			got, plan, err := retrieval.DenseIDs(ctx, e, smallColl, query, k, exact)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("dense arm = %v, %v; want %v", got, err, want)
			}
			if idx := fmt.Sprintf("embeddings_default_hnsw_%d", sp.ID); strings.Contains(plan, idx) == exact {
				t.Errorf("plan, exact %v:\n%s", exact, plan)
			}
		})
	}
	for _, tt := range []struct {
		name      string
		coll      string
		wantExact bool
	}{
		{"the small collection's plan scans its vectors exactly", smallColl, true},
		{"the big collection's plan walks the space's index", bigColl, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exact, plan, err := retrieval.DensePlan(ctx, e, tt.coll, query)
			if err != nil {
				t.Fatal(err)
			}
			idx := fmt.Sprintf("embeddings_default_hnsw_%d", sp.ID)
			if exact != tt.wantExact || strings.Contains(plan, idx) == tt.wantExact {
				t.Errorf("exact = %v, want %v; plan:\n%s", exact, tt.wantExact, plan)
			}
		})
	}
}

func TestTheOfflineEmbeddersSpaceHasNoIndexAndNoDenseArm(t *testing.T) {
	ctx := context.Background()
	emb := &countingEmbedder{Embedder: embed.NewHash(24)}
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb))
	importDocs(t, e, coll, zeppelin)
	c := conn(t)
	hasIndex := func() bool {
		return count(t, c, `SELECT count(*) FROM pg_indexes WHERE indexname = $1`, fmt.Sprintf("embeddings_hnsw_%d", e.Space().ID)) == 1
	}
	t.Run("its vectors are stored, for a later reindex", func(t *testing.T) {
		if n := count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, e.Space().ID); n != 1 {
			t.Errorf("%d vectors, want 1", n)
		}
	})
	t.Run("it has no HNSW index", func(t *testing.T) {
		if hasIndex() {
			t.Error("the offline embedder's space has an HNSW index")
		}
	})
	t.Run("a search embeds no question and still finds the article", func(t *testing.T) {
		before := emb.calls.Load()
		if got := urls(search(t, e, coll, "zeppelin mill", 1, retrieval.Filter{})); len(got) != 1 || got[0] != zeppelin.URL {
			t.Errorf("search = %v, want the zeppelin article", got)
		}
		if n := emb.calls.Load() - before; n != 0 {
			t.Errorf("%d questions embedded, want none", n)
		}
	})
	t.Run("an index an older footnote made is dropped when an engine starts", func(t *testing.T) {
		if _, err := c.Exec(ctx, `SELECT footnote_space_index($1, true)`, e.Space().ID); err != nil || !hasIndex() {
			t.Fatalf("create the index as an older footnote did: %v", err)
		}
		if _, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{Embedder: emb, Answerer: answer.Extractive{}}); err != nil {
			t.Fatal(err)
		}
		if hasIndex() {
			t.Error("the index is still there")
		}
	})
}

// TestALargeCollectionWalksAnIndexOfItsOwn moves a large collection to partitions of its
// own (migrations 018 and 020) and checks that its vectors go with it, into a partition
// whose HNSW index holds them alone: a search walks that index, reads no other
// collection's vectors and finds the collection's nearest; and that the exact-scan rule
// counts it alone, and the collections left in the default partition without it.
func TestALargeCollectionWalksAnIndexOfItsOwn(t *testing.T) {
	ctx := context.Background()
	const dims, big, other, k = 16, 5000, 400, 10
	dsn := retrievaltest.FreshDatabase(t) // the move locks every collection's tables
	e, bigColl := retrievaltest.EngineAt(t, dsn, retrievaltest.WithEmbedder(renamed{embed.NewHash(dims), uniqueModel(t, "own")}))
	otherColl := bigColl + "-other"
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	sp := e.Space()
	for _, wanted := range []bool{false, true} { // the index built once, after the copy
		if wanted {
			fillSpace(t, c, bigColl, sp.ID, dims, big)
			fillSpace(t, c, otherColl, sp.ID, dims, other)
		}
		if _, err := c.Exec(ctx, `SELECT footnote_space_index($1, $2)`, sp.ID, wanted); err != nil {
			t.Fatal(err)
		}
	}
	// Before the move, the other collection, 400 of 5,400 vectors, would scan exactly
	// (400²/5400 < 213); alone in the default partition's index after it, it walks.
	if !retrieval.ExactScan(sp, other, big+other, false) || retrieval.ExactScan(sp, other, other, false) {
		t.Fatal("the rule does not scan the other collection exactly beside the big one, and walk it alone")
	}
	if moved, err := retrieval.PartitionCollection(ctx, e, bigColl, 0); err != nil || !moved {
		t.Fatalf("PartitionCollection: %v, %v", moved, err)
	}
	if n := count(t, c, `SELECT count(*) FROM embeddings_default WHERE collection = $1`, bigColl); n != 0 {
		t.Errorf("%d of the big collection's vectors left in the default partition", n)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	query := make([]float32, dims)
	for i := range query {
		query[i] = rng.Float32() - 0.5
	}
	for _, tt := range []struct {
		name, coll string
		plan       func(string) bool
	}{
		{"the big collection walks its own partition's index", bigColl, func(plan string) bool {
			return strings.Contains(plan, fmt.Sprintf("_hnsw_%d", sp.ID)) && !strings.Contains(plan, "embeddings_default")
		}},
		{"the other, alone in the default partition's index now, walks it", otherColl, func(plan string) bool {
			return strings.Contains(plan, fmt.Sprintf("embeddings_default_hnsw_%d", sp.ID))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exact, plan, err := retrieval.DensePlan(ctx, e, tt.coll, query)
			if err != nil {
				t.Fatal(err)
			}
			if exact || !tt.plan(plan) {
				t.Errorf("exact = %v, want a walk; plan:\n%s", exact, plan)
			}
			// A walk runs with sorts off, whose cost penalty would have Postgres compile it
			// (JIT) at every search, for far longer than the walk takes: connections turn
			// JIT off.
			if plan, err := retrieval.ExplainAnalyzeDense(ctx, e, tt.coll, query, false); err != nil || strings.Contains(plan, "JIT") {
				t.Errorf("the walk as it ran (%v):\n%s", err, plan)
			}
			want := nearestByBruteForce(t, c, tt.coll, sp.ID, dims, query, k)
			// A walk is approximate: it must find most of the exact nearest.
			got, _, err := retrieval.DenseIDs(ctx, e, tt.coll, query, k, false)
			found := 0
			for _, id := range got {
				if slices.Contains(want, id) {
					found++
				}
			}
			if err != nil || found < k-2 {
				t.Errorf("the walk found %v, %v; want most of %v", got, err, want)
			}
		})
	}
}
