package migrations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/migrations"
)

// TestReindexMigration checks 012: halfvec spaces, spaces that refuse to go while used, and
// its rollback.
func TestReindexMigration(t *testing.T) {
	dsn := freshDatabase(t)
	ctx := context.Background()
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	exec := func(t *testing.T, sql string, args ...any) error {
		t.Helper()
		_, err := c.Exec(ctx, sql, args...)
		return err
	}
	must := func(t *testing.T, sql string, args ...any) {
		t.Helper()
		if err := exec(t, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	must(t, `INSERT INTO articles (id, collection, url, content_hash, body) VALUES (1, 'c', 'https://a.example/', 'h', 'Body.')`)
	must(t, `INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count) VALUES (1, 1, 'c', 0, 0, 5, 'Body.', 1)`)

	t.Run("a space of 3,000 dimensions keeps its vectors as halfvec", func(t *testing.T) {
		must(t, `INSERT INTO embedding_spaces (id, model, dims) VALUES (7, 'wide', 3000)`)
		must(t, `INSERT INTO embeddings (space_id, chunk_id, collection, embedding_half) VALUES (7, 1, 'c', array_fill(0.5, ARRAY[3000])::halfvec)`)
	})
	t.Run("a space over 4,000 dimensions is refused", func(t *testing.T) {
		if err := exec(t, `INSERT INTO embedding_spaces (model, dims) VALUES ('huge', 4001)`); err == nil {
			t.Error("a 4,001-dimension space was accepted")
		}
	})
	t.Run("a vector needs exactly one of the two columns", func(t *testing.T) {
		if err := exec(t, `INSERT INTO embeddings (space_id, chunk_id, collection) VALUES (7, 1, 'c')`); err == nil {
			t.Error("a row without a vector was accepted")
		}
	})
	t.Run("a space that holds vectors or that a collection searches refuses to be deleted", func(t *testing.T) {
		must(t, `INSERT INTO collections (name, active_space) VALUES ('d', 7)`)
		var pe *pgconn.PgError
		if err := exec(t, `DELETE FROM embedding_spaces WHERE id = 7`); !errors.As(err, &pe) || pe.Code != "23503" {
			t.Errorf("delete of a used space = %v, want a foreign key violation", err)
		}
	})
	t.Run("rolling back 012 drops the halfvec spaces and brings back the 2,000 limit", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 11, nil); err != nil {
			t.Fatal(err)
		}
		var spaces, vectors int
		if err := c.QueryRow(ctx, `SELECT (SELECT count(*) FROM embedding_spaces), (SELECT count(*) FROM embeddings)`).Scan(&spaces, &vectors); err != nil {
			t.Fatal(err)
		}
		if spaces != 0 || vectors != 0 {
			t.Errorf("%d spaces and %d vectors left, want none", spaces, vectors)
		}
		if err := exec(t, `INSERT INTO embedding_spaces (model, dims) VALUES ('wide', 3000)`); err == nil {
			t.Error("a 3,000-dimension space was accepted after the rollback")
		}
	})
	t.Run("migrating up again restores it", func(t *testing.T) {
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
		must(t, `INSERT INTO embedding_spaces (model, dims) VALUES ('wide', 3000)`)
	})
}
