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
	for _, tt := range []struct {
		name      string
		sp        retrieval.Space
		n, rows   float64
		wantExact bool
	}{
		{"a collection alone in its space scans exactly under 3,200 passages", served, 3000, 3000, true},
		{"a collection alone in its space walks the index from 3,200 passages", served, 4000, 4000, false},
		{"7,200 passages among 264,000 in the space scan exactly", served, 7200, 264000, true},
		{"100,000 passages among 264,000 walk the index", served, 100000, 264000, false},
		{"a space whose size is not known yet counts the collection alone", served, 5000, 0, false},
		{"the offline embedder's space, which has no index, is always scanned", hash, 100000, 100000, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := retrieval.ExactScan(tt.sp, tt.n, tt.rows); got != tt.wantExact {
				t.Errorf("ExactScan(%s, %v, %v) = %v, want %v", tt.sp.Name(), tt.n, tt.rows, got, tt.wantExact)
			}
		})
	}
}

// fillSpace stores n passages in coll with random dims-dimensional vectors in space, and
// makes it the collection's active space, straight in SQL: a big collection in seconds.
func fillSpace(t *testing.T, c *pgx.Conn, coll string, space, dims, n int) {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Exec(ctx, `
		INSERT INTO collections (name, active_space) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET active_space = $2`, coll, space); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Exec(ctx, fmt.Sprintf(`
		WITH a AS (
		    INSERT INTO articles (collection, url, content_hash, body)
		    SELECT $1, 'https://vectors.example/' || i, md5(i::text), 'v' FROM generate_series(1, $2) i
		    RETURNING id),
		ch AS (
		    INSERT INTO chunks (article_id, collection, ordinal, start_offset, end_offset, body, token_count)
		    SELECT id, $1, 0, 0, 1, 'v', 1 FROM a
		    RETURNING id)
		INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
		SELECT $3, ch.id, $1, (SELECT array_agg(random() - 0.5) FROM generate_series(1, %d) WHERE ch.id > 0)::vector
		FROM ch`, dims), coll, n, space); err != nil {
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
	// Brute force: every vector of the small collection, by cosine distance.
	var want []int64
	rows, err := c.Query(ctx, fmt.Sprintf(`
		SELECT chunk_id FROM embeddings WHERE space_id = $1 AND collection = $2
		ORDER BY (embedding::vector(%d) <=> $3) + 0 LIMIT $4`, dims), sp.ID, smallColl, pgvector.NewVector(query), k)
	if err != nil {
		t.Fatal(err)
	}
	if want, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil || len(want) != k {
		t.Fatalf("brute force: %v, %v", want, err)
	}
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
			if idx := fmt.Sprintf("embeddings_hnsw_%d", sp.ID); strings.Contains(plan, idx) == exact {
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
			idx := fmt.Sprintf("embeddings_hnsw_%d", sp.ID)
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
