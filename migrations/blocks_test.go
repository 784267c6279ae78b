package migrations_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
)

// TestPostingsMoveIntoBlocksAndBack checks that 016 packs an existing postings table into
// term statistics, blocks of at most 128 sorted postings and the passages' term lists, and
// that its Down gives the same postings back.
func TestPostingsMoveIntoBlocksAndBack(t *testing.T) {
	dsn := freshDatabase(t)
	ctx := context.Background()
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	if err := migrations.DownTo(ctx, dsn, 15, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["footnote.scope"] = "all" // the owner sees every collection's rows
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	exec := func(sql string) {
		t.Helper()
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// 300 passages: "common" in each (tf 1 or 2), "rare" in two; another collection's one.
	exec(`INSERT INTO articles (id, collection, url, content_hash, body) VALUES
		(1, 'c1', 'https://a.example/1', 'h1', 'x'), (2, 'c2', 'https://a.example/2', 'h2', 'x')`)
	exec(`INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count)
		SELECT i, 1, 'c1', i, 0, 1, 'x', 10 + i % 7 FROM generate_series(1, 300) AS i
		UNION ALL SELECT 1000, 2, 'c2', 0, 0, 1, 'x', 3`)
	exec(`INSERT INTO postings (collection, term, chunk_id, tf, doc_len)
		SELECT 'c1', 'common', id, 1 + id % 2, token_count FROM chunks WHERE collection = 'c1'
		UNION ALL SELECT 'c1', 'rare', id, 3, token_count FROM chunks WHERE id IN (7, 250)
		UNION ALL SELECT 'c2', 'common', 1000, 1, 3`)
	postings := func() string {
		t.Helper()
		var s string
		if err := c.QueryRow(ctx, `SELECT string_agg(concat_ws(':', collection, term, chunk_id, tf, doc_len), ' '
			ORDER BY collection, term, chunk_id) FROM postings`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := postings()
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}

	t.Run("term statistics count each term's passages, per collection", func(t *testing.T) {
		var got string
		if err := c.QueryRow(ctx, `SELECT string_agg(concat_ws(':', collection, term, df, max_tf, min_len), ' '
			ORDER BY collection, term) FROM term_stats`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := "c1:common:300:2:10 c1:rare:2:3:10 c2:common:1:1:3"; got != want {
			t.Errorf("term_stats = %s, want %s", got, want)
		}
	})
	t.Run("blocks hold at most 128 postings, sorted, with their bounds", func(t *testing.T) {
		var got string
		if err := c.QueryRow(ctx, `SELECT string_agg(concat_ws(':', collection, term, first_id, last_id, n,
			(SELECT count(DISTINCT u.chunk_id) = b.n AND min(u.chunk_id) = b.first_id AND max(u.chunk_id) = b.last_id
			 FROM footnote_unpack_postings(b.first_id, b.postings) AS u)), ' ' ORDER BY collection, term, first_id)
			FROM term_blocks b`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		want := "c1:common:1:128:128:t c1:common:129:256:128:t c1:common:257:300:44:t c1:rare:7:250:2:t c2:common:1000:1000:1:t"
		if got != want {
			t.Errorf("blocks = %s, want %s", got, want)
		}
	})
	t.Run("each passage lists its terms", func(t *testing.T) {
		var got string
		if err := c.QueryRow(ctx, `SELECT string_agg(id || '=' || terms, ' ' ORDER BY id) FROM chunks WHERE id IN (6, 7, 1000)`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := "6=common 7=common rare 1000=common"; got != want {
			t.Errorf("terms = %s, want %s", got, want)
		}
	})
	t.Run("the postings view reads the same postings", func(t *testing.T) {
		if got := postings(); got != before {
			t.Errorf("postings after 016 differ from before")
		}
	})
	t.Run("deleting a passage takes it out of its blocks and its terms' counts", func(t *testing.T) {
		exec(`DELETE FROM chunks WHERE id IN (1, 7)`)
		var df, rare, first int
		if err := c.QueryRow(ctx, `SELECT (SELECT df FROM term_stats WHERE collection = 'c1' AND term = 'common'),
			(SELECT df FROM term_stats WHERE collection = 'c1' AND term = 'rare'),
			(SELECT min(first_id) FROM term_blocks WHERE collection = 'c1' AND term = 'common')`).Scan(&df, &rare, &first); err != nil {
			t.Fatal(err)
		}
		if df != 298 || rare != 1 || first != 2 {
			t.Errorf("df(common) = %d, df(rare) = %d, first block starts at %d; want 298, 1, 2", df, rare, first)
		}
		exec(`DELETE FROM chunks WHERE id = 250`)
		if n := countRows(t, c, `SELECT count(*) FROM term_stats WHERE term = 'rare'`); n != 0 {
			t.Errorf("a term no passage holds keeps %d rows of statistics", n)
		}
		if n := countRows(t, c, `SELECT count(*) FROM term_blocks WHERE term = 'rare'`); n != 0 {
			t.Errorf("a term no passage holds keeps %d blocks", n)
		}
	})
	t.Run("Down puts the postings back as a table", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 15, nil); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, c, `SELECT count(*) FROM postings`); n != 298 {
			t.Errorf("postings after Down: %d rows, want 298", n)
		}
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func countRows(t *testing.T, c *pgx.Conn, sql string) int {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
