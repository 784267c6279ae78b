package migrations_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
)

// TestEmbeddingConstraintsAreValidatedOutsideATransaction checks that 012 adds its
// constraints on embeddings NOT VALID and validates nothing in its transaction, and that
// 014 validates both outside one: on a fresh database, and again after a rollback.
func TestEmbeddingConstraintsAreValidatedOutsideATransaction(t *testing.T) {
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	constraints := []string{"embeddings_one_vector", "embeddings_space_id_fkey"}

	t.Run("012 validates nothing inside its transaction", func(t *testing.T) {
		up, _, _ := strings.Cut(read("012_reindex.sql"), "-- +goose Down")
		for _, line := range strings.Split(up, "\n") {
			if code, _, _ := strings.Cut(line, "--"); strings.Contains(strings.ToUpper(code), "VALIDATE") {
				t.Errorf("012 validates in its transaction: %s", strings.TrimSpace(line))
			}
		}
	})
	t.Run("014 runs outside a transaction and validates both", func(t *testing.T) {
		text := read("014_validate_embeddings.sql")
		if !strings.Contains(text, "-- +goose NO TRANSACTION") {
			t.Error("014 is not marked -- +goose NO TRANSACTION")
		}
		for _, c := range constraints {
			if !strings.Contains(text, "VALIDATE CONSTRAINT "+c+";") {
				t.Errorf("014 does not validate %s", c)
			}
		}
	})

	dsn := freshDatabase(t)
	ctx := context.Background()
	valid := func(t *testing.T, when string) {
		t.Helper()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		for _, name := range constraints {
			var ok bool
			if err := c.QueryRow(ctx, `SELECT convalidated FROM pg_constraint
				WHERE conrelid = 'embeddings'::regclass AND conname = $1`, name).Scan(&ok); err != nil || !ok {
				t.Errorf("%s: %s validated = %v (%v), want true", when, name, ok, err)
			}
		}
	}
	t.Run("a fresh database ends with both validated", func(t *testing.T) {
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
		valid(t, "after Up")
	})
	t.Run("rolling back past 012 and migrating up again validates them again", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 11, nil); err != nil {
			t.Fatal(err)
		}
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
		valid(t, "after down to 11 and up")
	})
}
