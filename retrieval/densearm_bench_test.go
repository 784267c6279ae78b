package retrieval_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// fillClustered stores n passages in coll with dims-dimensional vectors in space, made
// around 64 random centres (real embeddings cluster by topic; uniform random vectors are
// an HNSW index's worst case), straight in SQL, and makes space the collection's active one.
func fillClustered(b *testing.B, c *pgx.Conn, coll string, space, dims, n int) {
	b.Helper()
	vec := `(SELECT (SELECT array_agg(x + 0.25 * (random() - 0.5)) FROM unnest(centre.v) AS x)
		  FROM centre WHERE centre.k = ch.id % 64)`
	with := fmt.Sprintf(`centre AS (
		    SELECT k, array_agg(random() - 0.5 ORDER BY d) AS v FROM generate_series(0, 63) k, generate_series(1, %d) d GROUP BY k),`, dims)
	if dims > retrieval.MaxVectorDims {
		// A space this wide keeps its vectors as halfvec in embedding_half (migration 012).
		fillVectorsIn(b, c, coll, space, n, with, "embedding_half", vec+"::halfvec")
		return
	}
	fillVectors(b, c, coll, space, n, with, vec+"::vector")
}

// BenchmarkDenseArmOwnPartition measures the dense arm of a large collection among others
// in one embedding space with an HNSW index, before and after the collection moves to
// partitions of its own (migrations 018 and 020): a walk of the shared index (where the
// rule walks: exactScan), the exact scan, and then a walk of its own partition's index,
// each with its recall of the exact top 50 (the arm's candidates). It logs the index build, the move, how long
// another collection's searches waited while the collection moved, and the removal.
// FOOTNOTE_BENCH_DENSE=big,others sets the two sizes (default 6000,24000), and
// FOOTNOTE_BENCH_DENSE_DIMS the vectors' dimensions (default 256; over 2,000 they are
// stored as halfvec, out of line, as a wide model's are).
func BenchmarkDenseArmOwnPartition(b *testing.B) {
	ctx := context.Background()
	const k = 50 // the dense arm's candidates, as a search asks for them
	dims := 256
	big, others := 6000, 24000
	if s := os.Getenv("FOOTNOTE_BENCH_DENSE"); s != "" {
		if _, err := fmt.Sscanf(s, "%d,%d", &big, &others); err != nil {
			b.Fatalf("FOOTNOTE_BENCH_DENSE=%q: want big,others", s)
		}
	}
	if s := os.Getenv("FOOTNOTE_BENCH_DENSE_DIMS"); s != "" {
		if _, err := fmt.Sscanf(s, "%d", &dims); err != nil || dims < 1 || dims > 4000 {
			b.Fatalf("FOOTNOTE_BENCH_DENSE_DIMS=%q: want 1 to 4000", s)
		}
	}
	dsn := retrievaltest.FreshDatabase(b)
	e, bigColl := retrievaltest.EngineAt(b, dsn, retrievaltest.WithEmbedder(renamed{embed.NewHash(dims), "bench-dense-" + retrievaltest.Collection(b)}))
	otherColl := bigColl + "-other"
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close(ctx)
	sp := e.Space()
	if _, err := c.Exec(ctx, `SELECT footnote_space_index($1, false)`, sp.ID); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	fillClustered(b, c, bigColl, sp.ID, dims, big)
	fillClustered(b, c, otherColl, sp.ID, dims, others)
	filled := time.Since(start)
	start = time.Now()
	if _, err := c.Exec(ctx, `SET maintenance_work_mem = '1GB'`); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Exec(ctx, `SELECT footnote_space_index($1, true)`, sp.ID); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Exec(ctx, `ANALYZE embeddings`); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d + %d vectors of %d dimensions: stored in %v, HNSW index built in %v; the rule scans the big collection exactly: %v",
		big, others, dims, filled.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		retrieval.ExactScan(sp, float64(big), float64(big+others), false))

	// Questions: 50 of the big collection's vectors, moved a little.
	rows, err := c.Query(ctx, `SELECT coalesce(embedding, embedding_half::vector) FROM embeddings WHERE collection = $1 ORDER BY chunk_id LIMIT 50`, bigColl)
	if err != nil {
		b.Fatal(err)
	}
	vecs, err := pgx.CollectRows(rows, pgx.RowTo[pgvector.Vector])
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 6))
	var queries [][]float32
	for _, v := range vecs {
		q := slices.Clone(v.Slice())
		for i := range q {
			q[i] += 0.1 * (rng.Float32() - 0.5)
		}
		queries = append(queries, q)
	}
	truth := make([][]int64, len(queries))
	for i, q := range queries {
		if truth[i], err = retrieval.DenseSearch(ctx, e, bigColl, q, k, true); err != nil {
			b.Fatal(err)
		}
	}
	run := func(name string, exact bool) {
		b.Run(name, func(b *testing.B) {
			found, total := 0, 0
			for i, q := range queries {
				got, err := retrieval.DenseSearch(ctx, e, bigColl, q, k, exact)
				if err != nil {
					b.Fatal(err)
				}
				for _, id := range got {
					if slices.Contains(truth[i], id) {
						found++
					}
				}
				total += len(truth[i])
			}
			i := 0
			for b.Loop() {
				if _, err := retrieval.DenseSearch(ctx, e, bigColl, queries[i%len(queries)], k, exact); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(found)/float64(total), "recall@50")
			if testing.Verbose() {
				plan, err := retrieval.ExplainAnalyzeDense(ctx, e, bigColl, queries[0], exact)
				if err != nil {
					b.Error(err)
				}
				b.Logf("%s:\n%s", name, plan)
			}
		})
	}
	run("shared-index-walk", false)
	run("exact-scan", true)

	// The move, while another collection searches without pause: the longest of those
	// searches is how long the move held everyone's searches up.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var longest time.Duration
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			t0 := time.Now()
			if _, err := retrieval.DenseSearch(ctx, e, otherColl, queries[i%len(queries)], k, false); err != nil {
				b.Error(err)
				return
			}
			longest = max(longest, time.Since(t0))
		}
	}()
	start = time.Now()
	moved, err := retrieval.PartitionCollection(ctx, e, bigColl, 0)
	took := time.Since(start)
	close(stop)
	wg.Wait()
	if err != nil || !moved {
		b.Fatalf("PartitionCollection: %v, %v", moved, err)
	}
	b.Logf("the move took %v; another collection's longest search meanwhile %v", took.Round(time.Millisecond), longest.Round(time.Millisecond))
	run("own-partition-walk", false)

	// Removing the collection drops its partitions, its vectors' among them.
	start = time.Now()
	if _, err := e.RemoveCollection(ctx, bigColl); err != nil {
		b.Fatal(err)
	}
	b.Logf("removing the collection (%d passages and vectors) took %v", big, time.Since(start).Round(time.Millisecond))
}
