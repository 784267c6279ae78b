package migrations_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
)

// TestVectorsArePartitionedByCollectionAndBack checks that 020 makes embeddings a table
// partitioned by collection, giving a collection that 018 had already given partitions of
// its own its vectors' partition too, with every space's HNSW index on each partition
// under a name that says the space; that the rows and the searches' plans are what they
// were; and that its Down pours every vector back into one plain table with the index
// names it had.
func TestVectorsArePartitionedByCollectionAndBack(t *testing.T) {
	ctx := context.Background()
	dsn, c, exec := atVersion(t, 19)
	query := func(sql string, args ...any) []string {
		t.Helper()
		rows, err := c.Query(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return out
	}
	// c1 (moved to partitions of its own by 018's function) holds 30 passages, c2 (in the
	// default partitions) 10; each has a vector in space 1, which has an HNSW index, and c1
	// also one in space 2, which has none.
	exec(`INSERT INTO embedding_spaces (id, model, dims) VALUES (1, 'm', 3), (2, 'n', 3)`)
	exec(`INSERT INTO articles (id, collection, url, content_hash, body) VALUES
		(1, 'c1', 'https://a.example/1', 'h1', 'x'), (2, 'c2', 'https://a.example/2', 'h2', 'x')`)
	exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count)
		SELECT i, CASE WHEN i <= 30 THEN 1 ELSE 2 END, CASE WHEN i <= 30 THEN 'c1' ELSE 'c2' END, i, 0, 1, 'x', 1
		FROM generate_series(1, 40) AS i`)
	exec(`INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
		SELECT 1, id, collection, format('[%s,%s,1]', id % 7, id % 5)::vector FROM chunks
		UNION ALL SELECT 2, id, collection, '[1,1,1]' FROM chunks WHERE collection = 'c1'`)
	exec(`SELECT footnote_space_index(1, true)`)
	exec(`SELECT set_config('footnote.scope', 'all', false)`)
	var moved bool
	if err := c.QueryRow(ctx, `SELECT footnote_partition_collection('c1', 1)`).Scan(&moved); err != nil || !moved {
		t.Fatalf("footnote_partition_collection under 019: %v, %v", moved, err)
	}
	vectors := func() []string {
		t.Helper()
		return query(`SELECT concat_ws(':', space_id, chunk_id, collection, embedding) FROM embeddings ORDER BY 1`)
	}
	nearest := func(coll string) []string {
		t.Helper()
		return query(`SELECT chunk_id::text FROM embeddings WHERE space_id = 1 AND collection = $1
			ORDER BY embedding::vector(3) <=> '[3,2,1]', chunk_id LIMIT 5`, coll)
	}
	before := vectors()
	near1, near2 := nearest("c1"), nearest("c2")
	if len(before) != 70 || len(near1) != 5 || len(near2) != 5 {
		t.Fatalf("before 020: %d vectors, nearest %v and %v", len(before), near1, near2)
	}

	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	t.Run("020 partitions the vectors by collection, c1's in a partition of their own", func(t *testing.T) {
		if got := vectors(); !slices.Equal(got, before) {
			t.Errorf("vectors after 020:\n%v\nwant\n%v", got, before)
		}
		parts := query(`SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'embeddings'::regclass ORDER BY 1`)
		if !slices.Equal(parts, []string{"embeddings_c_c1", "embeddings_default"}) {
			t.Errorf("partitions of embeddings: %v", parts)
		}
		if got := query(`SELECT DISTINCT collection FROM embeddings_c_c1 UNION ALL SELECT DISTINCT collection FROM embeddings_default`); !slices.Equal(got, []string{"c1", "c2"}) {
			t.Errorf("collections of embeddings_c_c1, then of embeddings_default: %v", got)
		}
		idx := query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%hnsw%' ORDER BY 1`)
		if !slices.Equal(idx, []string{"embeddings_c_c1_hnsw_1", "embeddings_default_hnsw_1", "embeddings_hnsw_1"}) {
			t.Errorf("HNSW indexes: %v", idx)
		}
		if got := query(`SELECT conname FROM pg_constraint WHERE conrelid = 'embeddings'::regclass AND conparentid = 0 AND convalidated ORDER BY 1`); !slices.Equal(got,
			[]string{"embeddings_chunk_fkey", "embeddings_one_vector", "embeddings_pkey", "embeddings_space_id_fkey"}) {
			t.Errorf("valid constraints of embeddings: %v", got)
		}
		if got1, got2 := nearest("c1"), nearest("c2"); !slices.Equal(got1, near1) || !slices.Equal(got2, near2) {
			t.Errorf("nearest vectors: %v and %v, want %v and %v", got1, got2, near1, near2)
		}
	})

	t.Run("a new space's index is built on every partition, named for it", func(t *testing.T) {
		exec(`SELECT footnote_space_index(2, true)`)
		idx := query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%hnsw_2' ORDER BY 1`)
		if !slices.Equal(idx, []string{"embeddings_c_c1_hnsw_2", "embeddings_default_hnsw_2", "embeddings_hnsw_2"}) {
			t.Errorf("HNSW indexes of space 2: %v", idx)
		}
		var valid bool
		if err := c.QueryRow(ctx, `SELECT indisvalid FROM pg_index WHERE indexrelid = 'embeddings_hnsw_2'::regclass`).Scan(&valid); err != nil || !valid {
			t.Errorf("embeddings_hnsw_2 valid: %v, %v", valid, err)
		}
		exec(`SELECT footnote_space_index(2, false)`)
		if idx := query(`SELECT indexname FROM pg_indexes WHERE indexname LIKE '%hnsw_2'`); len(idx) != 0 {
			t.Errorf("HNSW indexes of space 2 after dropping it: %v", idx)
		}
	})

	t.Run("the space's index serves a walk of c1's own partition", func(t *testing.T) {
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		exec := func(sql string) {
			if _, err := tx.Exec(ctx, sql); err != nil {
				t.Fatal(err)
			}
		}
		exec(`SET LOCAL enable_seqscan = off`)
		exec(`SET LOCAL enable_sort = off`)
		rows, err := tx.Query(ctx, `EXPLAIN (COSTS OFF) SELECT chunk_id FROM embeddings WHERE space_id = 1 AND collection = 'c1'
			ORDER BY embedding::vector(3) <=> '[3,2,1]' LIMIT 5`)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range lines {
			found = found || strings.Contains(l, "embeddings_c_c1_hnsw_1")
			if strings.Contains(l, "embeddings_default") {
				t.Errorf("a search of c1 reads the default partition: %v", lines)
			}
		}
		if !found {
			t.Errorf("plan does not walk embeddings_c_c1_hnsw_1: %v", lines)
		}
	})

	t.Run("a move keeps the vectors written while it built the collection's index", func(t *testing.T) {
		// c3 has 30 passages with a vector each in space 1. While the move builds c3's
		// index, another transaction (holding embeddings, so the move waits for it before
		// it locks the tables) deletes a vector, replaces another and adds one in space 2.
		exec(`INSERT INTO articles (id, collection, url, content_hash, body) VALUES (3, 'c3', 'https://a.example/3', 'h3', 'x')`)
		exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count)
			SELECT i, 3, 'c3', i, 0, 1, 'x', 1 FROM generate_series(101, 130) AS i`)
		exec(`INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
			SELECT 1, id, collection, format('[%s,%s,1]', id % 7, id % 5)::vector FROM chunks WHERE collection = 'c3'`)
		writer, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer writer.Close(ctx)
		wtx, err := writer.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer wtx.Rollback(ctx)
		for _, sql := range []string{
			`SELECT set_config('footnote.scope', 'all', true)`,
			`DELETE FROM embeddings WHERE collection = 'c3' AND space_id = 1 AND chunk_id = 101`,
			`UPDATE embeddings SET embedding = '[3,2,2]' WHERE collection = 'c3' AND space_id = 1 AND chunk_id = 102`,
			`INSERT INTO embeddings (space_id, chunk_id, collection, embedding) VALUES (2, 103, 'c3', '[1,2,3]')`,
		} {
			if _, err := wtx.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		mover, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer mover.Close(ctx)
		done := make(chan error, 1)
		go func() {
			var moved bool
			err := mover.QueryRow(ctx, `SELECT set_config('footnote.scope', 'all', false), footnote_partition_collection('c3', 1)`).Scan(new(string), &moved)
			if err == nil && !moved {
				err = errNotMoved
			}
			done <- err
		}()
		// The move waits for the writer's lock once its copy is indexed: then the writer
		// commits.
		waiting := false
		for i := 0; i < 150 && !waiting; i++ {
			if err := c.QueryRow(ctx, `SELECT count(*) = 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`,
				mover.PgConn().PID()).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if !waiting {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if !waiting {
			t.Fatal("the move never waited for the writer's lock")
		}
		if err := wtx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("footnote_partition_collection: %v", err)
		}
		if got := query(`SELECT concat_ws(':', space_id, chunk_id, embedding) FROM embeddings_c_c3 WHERE chunk_id IN (101, 102, 103) ORDER BY 1`); !slices.Equal(got,
			[]string{"1:102:[3,2,2]", "1:103:[5,3,1]", "2:103:[1,2,3]"}) {
			t.Errorf("c3's vectors 101-103 after the move: %v", got)
		}
		if n := query(`SELECT count(*)::text FROM embeddings WHERE collection = 'c3'`); !slices.Equal(n, []string{"30"}) {
			t.Errorf("c3 has %v vectors, want 30", n)
		}
		// Through the index c3's copy was given before the writes: the replaced vector is
		// found where it now is, the deleted one is not found.
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off`); err != nil {
			t.Fatal(err)
		}
		var first int64
		if err := tx.QueryRow(ctx, `SELECT chunk_id FROM embeddings WHERE space_id = 1 AND collection = 'c3'
			ORDER BY embedding::vector(3) <=> '[3,2,2]' LIMIT 1`).Scan(&first); err != nil || first != 102 {
			t.Errorf("c3's nearest vector to [3,2,2] through its index: %d, %v; want 102", first, err)
		}
	})

	t.Run("the cascade from an article to its passages probes one key, whatever the statistics say", func(t *testing.T) {
		// c4: 300 articles of 2 passages. The statistics are gathered before c4 arrives,
		// so they say c4 is rare, and a lookup by collection alone looks cheap: the plan
		// that read every passage of a large collection for each of its articles a move
		// deleted (020, step 2b).
		exec(`ANALYZE chunks_default`)
		exec(`INSERT INTO articles (id, collection, url, content_hash, body)
			SELECT i, 'c4', 'https://a.example/c4/' || i, 'h' || i, 'x' FROM generate_series(1000, 1299) AS i`)
		exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count)
			SELECT 1000 + i, 1000 + i / 2, 'c4', i % 2, 0, 1, 'x', 1 FROM generate_series(0, 599) AS i`)
		// The cascade's own statement, as the foreign key's trigger runs it.
		plan := strings.Join(query(`EXPLAIN DELETE FROM chunks WHERE 1100 = article_id AND 'c4' = collection`), "\n")
		if !strings.Contains(plan, "Index Cond: ((collection = 'c4'::text) AND (article_id = 1100))") {
			t.Errorf("an article's passages are looked up as:\n%s", plan)
		}
		var moved bool
		if err := c.QueryRow(ctx, `SELECT footnote_partition_collection('c4', 1)`).Scan(&moved); err != nil || !moved {
			t.Fatalf("footnote_partition_collection: %v, %v", moved, err)
		}
	})

	t.Run("rolling back 020 pours every vector back into one plain table", func(t *testing.T) {
		before = vectors() // with c3's
		if err := migrations.DownTo(ctx, dsn, 19, nil); err != nil {
			t.Fatal(err)
		}
		if got := vectors(); !slices.Equal(got, before) {
			t.Errorf("vectors after rolling back:\n%v\nwant\n%v", got, before)
		}
		if got := query(`SELECT relkind::text FROM pg_class WHERE relname = 'embeddings'`); !slices.Equal(got, []string{"r"}) {
			t.Errorf("embeddings' kind: %v, want a plain table", got)
		}
		if idx := query(`SELECT indexname FROM pg_indexes WHERE tablename = 'embeddings' ORDER BY 1`); !slices.Equal(idx,
			[]string{"embeddings_chunk_idx", "embeddings_collection_idx", "embeddings_hnsw_1", "embeddings_pkey"}) {
			t.Errorf("indexes of embeddings: %v", idx)
		}
		// The passages' deletes cascade into the vectors again.
		exec(`DELETE FROM articles WHERE id = 2`)
		if n := query(`SELECT count(*)::text FROM embeddings WHERE collection = 'c2'`); !slices.Equal(n, []string{"0"}) {
			t.Errorf("c2's vectors after deleting its article: %v, want 0", n)
		}
	})
}

var errNotMoved = errors.New("footnote_partition_collection moved nothing")
