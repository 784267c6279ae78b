package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestTablesArePartitionedByCollectionAndBack checks that 018 turns the tables it
// partitions into partitioned parents holding every row in their default partitions, that
// a collection's own partitions (footnote_partition_collection) are closed to the runtime
// role, and that its Down pours every partition back into one plain table, with the
// triggers, keys and policies the tables had.
func TestTablesArePartitionedByCollectionAndBack(t *testing.T) {
	ctx := context.Background()
	dsn := freshDatabase(t)
	runtime := retrievaltest.RuntimeRole()
	if err := migrations.Up(ctx, dsn, nil, migrations.GrantTo(runtime)); err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, dsn) // sees every collection (FreshDatabase)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := c.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// c1 holds 40 passages of two articles, c2 one; each passage has a vector and a
	// posting of "common".
	exec(`INSERT INTO embedding_spaces (id, model, dims) VALUES (1, 'm', 3)`)
	exec(`INSERT INTO articles (id, collection, url, content_hash, body) VALUES
		(1, 'c1', 'https://a.example/1', 'h1', 'x'), (2, 'c1', 'https://a.example/2', 'h2', 'x'),
		(3, 'c2', 'https://a.example/3', 'h3', 'x')`)
	exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count, terms)
		SELECT i, 1 + i % 2, 'c1', i, 0, 1, 'x', 10, 'common' FROM generate_series(1, 40) AS i
		UNION ALL SELECT 100, 3, 'c2', 0, 0, 1, 'x', 3, 'common'`)
	exec(`INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
		SELECT 1, id, collection, '[1,0,0]' FROM chunks`)
	exec(`INSERT INTO term_stats (collection, term, df, max_tf, min_len) VALUES ('c1', 'common', 40, 1, 10), ('c2', 'common', 1, 1, 3)`)
	exec(`INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, n, postings)
		SELECT collection, 'common', min(id), max(id), 1, min(token_count), count(*),
		       footnote_pack_postings(array_agg(id ORDER BY id), array_agg(1), array_agg(token_count ORDER BY id))
		FROM chunks GROUP BY collection`)
	rows := func() string {
		t.Helper()
		var s string
		if err := c.QueryRow(ctx, `SELECT concat_ws(' | ',
			(SELECT string_agg(concat_ws(':', id, collection, url), ' ' ORDER BY id) FROM articles),
			(SELECT string_agg(concat_ws(':', id, article_id, collection, ordinal, token_count), ' ' ORDER BY id) FROM chunks),
			(SELECT string_agg(concat_ws(':', chunk_id, collection), ' ' ORDER BY chunk_id) FROM embeddings),
			(SELECT string_agg(concat_ws(':', collection, term, df), ' ' ORDER BY collection) FROM term_stats),
			(SELECT string_agg(concat_ws(':', collection, term, chunk_id, tf, doc_len), ' ' ORDER BY collection, chunk_id) FROM postings),
			(SELECT string_agg(concat_ws(':', name, chunk_count, token_total), ' ' ORDER BY name) FROM collections))`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := rows()
	var moved bool
	if err := c.QueryRow(ctx, `SELECT footnote_partition_collection('c1', 40)`).Scan(&moved); err != nil || !moved {
		t.Fatalf("footnote_partition_collection: %v, %v; want true", moved, err)
	}
	if err := migrations.Up(ctx, dsn, nil, migrations.GrantTo(runtime)); err != nil { // grants again
		t.Fatal(err)
	}
	shape := func() (parents, partitions, triggers, policies int) {
		t.Helper()
		if err := c.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pg_class WHERE relkind = 'p' AND relname IN ('articles', 'chunks', 'term_stats', 'term_blocks')),
			(SELECT count(*) FROM pg_inherits WHERE inhparent::regclass::text IN ('articles', 'chunks', 'term_stats', 'term_blocks')),
			(SELECT count(*) FROM pg_trigger WHERE tgrelid = 'chunks'::regclass AND NOT tgisinternal),
			(SELECT count(*) FROM pg_policies WHERE tablename IN ('articles', 'chunks', 'term_stats', 'term_blocks'))`).
			Scan(&parents, &partitions, &triggers, &policies); err != nil {
			t.Fatal(err)
		}
		return
	}

	t.Run("a collection's own partitions hold its rows, and the runtime role has no right on them", func(t *testing.T) {
		if got := rows(); got != before {
			t.Errorf("rows after the move:\n%s\nwant\n%s", got, before)
		}
		if p, parts, trig, pol := shape(); p != 4 || parts != 8 || trig != 3 || pol != 4 {
			t.Errorf("%d partitioned tables, %d partitions, %d triggers on chunks, %d policies; want 4, 8, 3, 4", p, parts, trig, pol)
		}
		var onParent, onPartition bool
		if err := c.QueryRow(ctx, `SELECT has_table_privilege($1, 'chunks', 'SELECT'),
			has_table_privilege($1, 'chunks_c_c1', 'SELECT') OR has_table_privilege($1, 'chunks_default', 'SELECT')`,
			runtime).Scan(&onParent, &onPartition); err != nil {
			t.Fatal(err)
		}
		if !onParent || onPartition {
			t.Errorf("the runtime role may read chunks: %v, a partition of it: %v; want true, false", onParent, onPartition)
		}
	})

	t.Run("rolling back 018 pours every partition back into one plain table", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 16, nil); err != nil {
			t.Fatal(err)
		}
		if got := rows(); got != before {
			t.Errorf("rows after rolling back:\n%s\nwant\n%s", got, before)
		}
		if p, parts, trig, pol := shape(); p != 0 || parts != 0 || trig != 3 || pol != 4 {
			t.Errorf("%d partitioned tables, %d partitions, %d triggers on chunks, %d policies; want 0, 0, 3, 4", p, parts, trig, pol)
		}
		// The deletes cascade again, and the triggers keep the statistics.
		exec(`DELETE FROM articles WHERE id = 3`)
		var n int
		if err := c.QueryRow(ctx, `SELECT chunk_count FROM collections WHERE name = 'c2'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("c2's passage count after deleting its article: %d, %v; want 0", n, err)
		}
	})

	t.Run("migrating up again puts every row in the default partitions", func(t *testing.T) {
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
		if p, parts, trig, pol := shape(); p != 4 || parts != 4 || trig != 3 || pol != 4 {
			t.Errorf("%d partitioned tables, %d partitions, %d triggers on chunks, %d policies; want 4, 4, 3, 4", p, parts, trig, pol)
		}
		exec(`DELETE FROM articles WHERE id = 1`)
		var n int
		if err := c.QueryRow(ctx, `SELECT chunk_count FROM collections WHERE name = 'c1'`).Scan(&n); err != nil || n != 20 {
			t.Errorf("c1's passage count after deleting an article: %d, %v; want 20", n, err)
		}
	})
}
