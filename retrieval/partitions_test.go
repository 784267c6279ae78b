package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// partitionedTables are the tables migrations 018 and 020 partition by collection.
var partitionedTables = []string{"articles", "chunks", "term_stats", "term_blocks", "embeddings"}

// partitionQueries are searches whose results must not change when a collection's rows
// move to partitions of their own.
var partitionQueries = []string{"harbour ferry berth", "tram depot", "winter works continue", "council budget"}

// partitionDocs returns n articles for coll, several passages each, on a few topics.
func partitionDocs(coll string, n int) []doc {
	topics := []string{"harbour ferry berth", "tram depot", "council budget"}
	docs := make([]doc, n)
	for i := range docs {
		docs[i] = doc{URL: fmt.Sprintf("https://news.example/%s/%d", coll, i), Title: fmt.Sprintf("Note %d on the %s", i, topics[i%3]),
			Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly),
			Text:      fmt.Sprintf("Item %d. ", i) + longText(topics[i%3])}
	}
	return docs
}

// hit is what a search result must keep across a move: the passage and its score.
type hit struct {
	chunk int64
	score float64
}

// searchHits runs partitionQueries in coll and returns their results.
func searchHits(t *testing.T, e *retrieval.Engine, coll string) [][]hit {
	t.Helper()
	var out [][]hit
	for _, q := range partitionQueries {
		var hs []hit
		for _, r := range search(t, e, coll, q, 10, retrieval.Filter{}) {
			hs = append(hs, hit{r.ChunkID, r.Score})
		}
		out = append(out, hs)
	}
	return out
}

// rowCounts returns how many rows coll has in each partitioned table, and how many of them
// are in its default partition.
func rowCounts(t *testing.T, c *pgx.Conn, coll string) (all, inDefault []int) {
	t.Helper()
	for _, tbl := range partitionedTables {
		all = append(all, count(t, c, `SELECT count(*) FROM `+tbl+` WHERE collection = $1`, coll))
		inDefault = append(inDefault, count(t, c, `SELECT count(*) FROM `+tbl+`_default WHERE collection = $1`, coll))
	}
	return all, inDefault
}

// ownPartitions returns the partitions of the partitioned tables that hold coll's rows
// alone, by their bounds.
func ownPartitions(t *testing.T, c *pgx.Conn, coll string) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), `
		SELECT i.inhrelid::regclass::text FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid
		WHERE i.inhparent::regclass::text = ANY ($1)
		  AND pg_get_expr(p.relpartbound, p.oid) = format('FOR VALUES IN (%L)', $2::text)
		ORDER BY 1`, partitionedTables, coll)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestACollectionPastTheThresholdGetsPartitionsOfItsOwn moves a collection out of the
// default partitions when a write finds it past the threshold, and checks that nothing
// but where its rows live changes: its searches, its statistics, another collection's
// rows and searches, row-level security, and writes and removals after the move; then
// removing it drops its partitions.
func TestACollectionPastTheThresholdGetsPartitionsOfItsOwn(t *testing.T) {
	ctx := context.Background()
	dsn := retrievaltest.FreshDatabase(t) // the move locks every collection's tables
	retrievaltest.Store(t)                // migrates the shared test database, where RemoveServer's cleanup goes too
	e, big := retrievaltest.EngineAt(t, dsn)
	small := retrievaltest.Collection(t)
	t.Cleanup(func() {
		if err := retrievaltest.RemoveServer(context.Background(), e, small); err != nil {
			t.Errorf("remove %s: %v", small, err)
		}
	})
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)

	retrieval.SetPartitionAfter(e, 1<<30)
	bigDocs := partitionDocs(big, 30)
	importDocs(t, e, big, bigDocs...)
	importDocs(t, e, small, partitionDocs(small, 4)...)
	bigBefore, smallBefore := searchHits(t, e, big), searchHits(t, e, small)
	if len(bigBefore[0]) == 0 || len(smallBefore[0]) == 0 {
		t.Fatalf("searches before the move found nothing: %v, %v", bigBefore, smallBefore)
	}
	bigRows, _ := rowCounts(t, c, big)
	smallRows, _ := rowCounts(t, c, small)
	stats := func(coll string) (passages, tokens int) {
		t.Helper()
		if err := c.QueryRow(ctx, `SELECT chunk_count, token_total FROM collections WHERE name = $1`, coll).Scan(&passages, &tokens); err != nil {
			t.Fatal(err)
		}
		return
	}
	bigPassages, bigTokens := stats(big)
	if bigPassages != bigRows[1] || bigPassages < 60 {
		t.Fatalf("before the move: statistics count %d passages, chunks holds %d; want the same, at least 60", bigPassages, bigRows[1])
	}

	t.Run("a write to a collection under the threshold leaves it in the default partitions", func(t *testing.T) {
		retrieval.SetPartitionAfter(e, bigPassages+1)
		importDocs(t, e, big, bigDocs[0]) // unchanged: nothing is written, but the check runs
		if got := ownPartitions(t, c, big); len(got) != 0 {
			t.Fatalf("partitions of %s: %v, want none", big, got)
		}
	})

	t.Run("a write past the threshold moves every row of the collection to partitions of its own", func(t *testing.T) {
		retrieval.SetPartitionAfter(e, bigPassages)
		importDocs(t, e, big, bigDocs[0])
		if got := ownPartitions(t, c, big); len(got) != len(partitionedTables) {
			t.Fatalf("partitions of %s: %v, want one of each of %v", big, got, partitionedTables)
		}
		all, inDefault := rowCounts(t, c, big)
		if !slices.Equal(all, bigRows) || slices.Max(inDefault) != 0 {
			t.Errorf("rows of %s per table %v: %v, %v of them in the default partitions; want %v, none there",
				big, partitionedTables, all, inDefault, bigRows)
		}
		// The planner's statistics of the columns, gathered after the move (only ANALYZE
		// makes them; the index builds of the move count rows, but no more).
		if n := count(t, c, `SELECT count(DISTINCT tablename) FROM pg_stats WHERE tablename = ANY ($1)`,
			ownPartitions(t, c, big)); n != len(partitionedTables) {
			t.Errorf("%d of %s's partitions have planner statistics, want all %d", n, big, len(partitionedTables))
		}
		if n := count(t, c, `SELECT count(*) FROM pg_constraint WHERE conname = 'embeddings_chunk_fkey' AND conrelid = 'embeddings'::regclass AND convalidated`); n != 1 {
			t.Errorf("the vectors' key into passages is not valid after the move")
		}
		if p, tok := stats(big); p != bigPassages || tok != bigTokens {
			t.Errorf("statistics of %s: %d passages, %d tokens; want %d, %d as before", big, p, tok, bigPassages, bigTokens)
		}
		if got := searchHits(t, e, big); !slices.EqualFunc(got, bigBefore, slices.Equal) {
			t.Errorf("searches in %s after the move: %v, want the same passages and scores as before: %v", big, got, bigBefore)
		}
	})

	t.Run("a search reads the collection's own partitions only", func(t *testing.T) {
		plan, err := retrieval.ExplainLoadResults(ctx, e, big, []int64{bigBefore[0][0].chunk})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(plan, "_default") {
			t.Errorf("loading results of %s reads a default partition:\n%s", big, plan)
		}
	})

	t.Run("another collection stays in the default partitions and searches as before", func(t *testing.T) {
		all, inDefault := rowCounts(t, c, small)
		if !slices.Equal(all, smallRows) || !slices.Equal(inDefault, smallRows) {
			t.Errorf("rows of %s: %v, %v in the default partitions; want %v, all there", small, all, inDefault, smallRows)
		}
		if got := searchHits(t, e, small); !slices.EqualFunc(got, smallBefore, slices.Equal) {
			t.Errorf("searches in %s: %v, want %v", small, got, smallBefore)
		}
	})

	t.Run("a second write past the threshold finds the move done", func(t *testing.T) {
		moved, err := retrieval.PartitionCollection(ctx, e, big, 0)
		if err != nil || moved {
			t.Fatalf("PartitionCollection again: moved %v, err %v; want false, nil", moved, err)
		}
	})

	t.Run("row-level security hides the moved rows from another collection, and the runtime role cannot read a partition", func(t *testing.T) {
		rc := retrievaltest.RuntimeConn(t, retrievaltest.RuntimeDSN(dsn))
		tx, err := rc.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT set_config('footnote.collection', $1, true)`, small); err != nil {
			t.Fatal(err)
		}
		for _, tbl := range partitionedTables {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+tbl+` WHERE collection = $1`, big).Scan(&n); err != nil || n != 0 {
				t.Errorf("%s rows of %s seen from %s: %d (err %v), want 0", tbl, big, small, n, err)
			}
		}
		part := ownPartitions(t, c, big)[0]
		if _, err := tx.Exec(ctx, `SELECT count(*) FROM `+part); err == nil {
			t.Errorf("the runtime role read partition %s directly, want permission denied", part)
		}
	})

	t.Run("the owner's functions refuse a collection their caller does not see", func(t *testing.T) {
		rc := retrievaltest.RuntimeConn(t, retrievaltest.RuntimeDSN(dsn))
		for _, q := range []string{`SELECT footnote_drop_collection_partitions($1)`, `SELECT footnote_partition_collection($1, 0)`} {
			// No scope set at all, then another collection's.
			if _, err := rc.Exec(ctx, q, big); err == nil || !strings.Contains(err.Error(), "not in the caller's scope") {
				t.Errorf("%s for %s with no scope: %v, want a refusal", q, big, err)
			}
			_, err := rc.Exec(ctx, `SELECT set_config('footnote.collection', $2, false), `+q[len("SELECT "):], big, small)
			if err == nil || !strings.Contains(err.Error(), "not in the caller's scope") {
				t.Errorf("%s for %s from %s's scope: %v, want a refusal", q, big, small, err)
			}
		}
		if got := ownPartitions(t, c, big); len(got) != len(partitionedTables) {
			t.Errorf("partitions of %s: %v, want them all still there", big, got)
		}
	})

	t.Run("writes and removals after the move keep the statistics and the keyword index", func(t *testing.T) {
		importDocs(t, e, big, doc{URL: "https://news.example/late", Title: "Late note on the lighthouse",
			Text: longText("lighthouse keeper")})
		if _, err := e.RemoveArticle(ctx, big, bigDocs[1].URL, "", true); err != nil {
			t.Fatal(err)
		}
		all, inDefault := rowCounts(t, c, big)
		if slices.Max(inDefault) != 0 {
			t.Errorf("rows of %s in the default partitions after writes: %v, want none", big, inDefault)
		}
		if p, _ := stats(big); p != all[1] {
			t.Errorf("statistics of %s count %d passages, chunks holds %d", big, p, all[1])
		}
		if n := count(t, c, `SELECT count(*) FROM postings p WHERE collection = $1
			AND NOT EXISTS (SELECT 1 FROM chunks ch WHERE ch.id = p.chunk_id AND ch.collection = $1)`, big); n != 0 {
			t.Errorf("%d postings of %s point at no passage after a removal", n, big)
		}
		if got := urls(search(t, e, big, "lighthouse keeper", 3, retrieval.Filter{})); len(got) == 0 || got[0] != "https://news.example/late" {
			t.Errorf("search for the new article: %v", got)
		}
	})

	t.Run("removing the collection drops its partitions and leaves the other collection alone", func(t *testing.T) {
		want := count(t, c, `SELECT count(*) FROM articles WHERE collection = $1`, big)
		n, err := e.RemoveCollection(ctx, big)
		if err != nil || n != want {
			t.Fatalf("RemoveCollection: %d articles, err %v; want %d", n, err, want)
		}
		if got := ownPartitions(t, c, big); len(got) != 0 {
			t.Errorf("partitions of %s after removal: %v, want none", big, got)
		}
		all, _ := rowCounts(t, c, big)
		if slices.Max(all) != 0 || count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1`, big) != 0 ||
			count(t, c, `SELECT count(*) FROM collections WHERE name = $1`, big) != 0 {
			t.Errorf("rows of %s left after removal: %v per table, or vectors or statistics", big, all)
		}
		if all, _ := rowCounts(t, c, small); !slices.Equal(all, smallRows) {
			t.Errorf("rows of %s after removing %s: %v, want %v", small, big, all, smallRows)
		}
		if got := searchHits(t, e, small); !slices.EqualFunc(got, smallBefore, slices.Equal) {
			t.Errorf("searches in %s: %v, want %v", small, got, smallBefore)
		}
	})

	t.Run("a removed collection written again starts in the default partitions", func(t *testing.T) {
		retrieval.SetPartitionAfter(e, 1<<30)
		importDocs(t, e, big, bigDocs[2])
		if _, inDefault := rowCounts(t, c, big); inDefault[0] != 1 {
			t.Errorf("articles of %s in the default partition: %d, want 1", big, inDefault[0])
		}
	})
}

// TestADepartedServerIsDroppedWithItsPartitions sweeps a departed server whose
// collection has partitions of its own: they go, with its vectors, statistics and departure.
func TestADepartedServerIsDroppedWithItsPartitions(t *testing.T) {
	ctx := context.Background()
	dsn := retrievaltest.FreshDatabase(t)
	retrievaltest.Store(t) // migrates the shared test database, where RemoveServer's cleanup goes too
	e, coll := retrievaltest.EngineAt(t, dsn)
	retrieval.SetDepartureBatch(e, 2)
	retrieval.SetPartitionAfter(e, 1)
	importDocs(t, e, coll, partitionDocs(coll, 9)...)
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if got := ownPartitions(t, c, coll); len(got) != len(partitionedTables) {
		t.Fatalf("partitions of %s: %v, want one of each of %v", coll, got, partitionedTables)
	}
	// The sweep drops the partitions in one transaction and the collections row in a later
	// one, only if the server is still gone: one that rejoins in between keeps its row, which
	// must then count no passages (dropping tables fires no statement trigger).
	if _, err := c.Exec(ctx, `SELECT set_config('footnote.scope', 'all', false), footnote_drop_collection_partitions($1)`, coll); err != nil {
		t.Fatal(err)
	}
	if n := count(t, c, `SELECT chunk_count + token_total FROM collections WHERE name = $1`, coll); n != 0 {
		t.Errorf("collection %s counts %d passages and tokens after its partitions were dropped, want 0", coll, n)
	}
	if err := e.ScheduleRemoval(ctx, coll, time.Now().Add(-retrieval.DefaultGuildGrace-time.Hour), retrieval.DefaultGuildGrace); err != nil {
		t.Fatal(err)
	}
	removed, err := e.RemoveDue(ctx, time.Now())
	if err != nil || !slices.Equal(removed, []string{coll}) {
		t.Fatalf("RemoveDue: %v, err %v; want [%s]", removed, err, coll)
	}
	if got := ownPartitions(t, c, coll); len(got) != 0 {
		t.Errorf("partitions of %s after the sweep: %v, want none", coll, got)
	}
	if all, _ := rowCounts(t, c, coll); slices.Max(all) != 0 {
		t.Errorf("rows of %s after the sweep: %v", coll, all)
	}
	for _, q := range []string{`SELECT count(*) FROM embeddings WHERE collection = $1`, `SELECT count(*) FROM collections WHERE name = $1`,
		`SELECT count(*) FROM guild_departures WHERE collection = $1`} {
		if n := count(t, c, q, coll); n != 0 {
			t.Errorf("%s: %d, want 0", q, n)
		}
	}
}
