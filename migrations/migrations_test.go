package migrations_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// freshDatabase creates an empty database on the test cluster (migration 001 adds the vector
// extension) and returns its URL; it is dropped when the test ends.
func freshDatabase(t *testing.T) string { return retrievaltest.FreshDatabase(t) }

// atVersion migrates a fresh database all the way up, then down to version, and returns
// its URL, a connection to it that sees every collection (closed when the test ends) and
// exec, which runs a statement there and fails the test on an error.
func atVersion(t *testing.T, version int64) (string, *pgx.Conn, func(sql string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	dsn := freshDatabase(t)
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	if err := migrations.DownTo(ctx, dsn, version, nil); err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return dsn, c, func(sql string, args ...any) {
		t.Helper()
		if _, err := c.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

func TestUp(t *testing.T) {
	dsn := freshDatabase(t)
	ctx := context.Background()

	t.Run("three processes starting at once apply each migration exactly once", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 3)
		for i := range errs {
			wg.Go(func() { errs[i] = migrations.Up(ctx, dsn, nil) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("process %d: %v", i, err)
			}
		}
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		files, err := filepath.Glob("*.sql")
		if err != nil || len(files) == 0 {
			t.Fatalf("no migration files: %v", err)
		}
		var applied, distinct int
		if err := c.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct); err != nil {
			t.Fatal(err)
		}
		if applied != len(files) || distinct != len(files) {
			t.Fatalf("goose_db_version has %d applied versions (%d distinct), want each of %d once", applied, distinct, len(files))
		}
		for _, table := range []string{"articles", "chunks", "term_stats", "term_blocks", "embeddings", "questions", "feedback"} {
			var ok bool
			if err := c.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil || !ok {
				t.Errorf("table %s missing after migrating (err %v)", table, err)
			}
		}
	})

	t.Run("River's tables are there too, each of its versions applied once", func(t *testing.T) {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		for _, table := range []string{"river_job", "river_leader", "river_queue", "river_migration"} {
			var ok bool
			if err := c.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok); err != nil || !ok {
				t.Errorf("table %s missing after migrating (err %v)", table, err)
			}
		}
		var applied, distinct, latest int
		if err := c.QueryRow(ctx, `SELECT count(*), count(DISTINCT version), max(version) FROM river_migration WHERE line = 'main'`).Scan(&applied, &distinct, &latest); err != nil {
			t.Fatal(err)
		}
		if applied != distinct || latest < 6 {
			t.Errorf("river_migration has %d rows (%d distinct versions, latest %d); want each version once, up to at least 6", applied, distinct, latest)
		}
	})

	t.Run("feeds are 007's: its table and articles.feed_id, no gaps index", func(t *testing.T) {
		if f, want := feedsSchema(t, dsn), (feeds{Table: true, FeedIDColumn: true}); f != want {
			t.Errorf("%+v; want %+v", f, want)
		}
	})

	t.Run("running again on an up-to-date database changes nothing", func(t *testing.T) {
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("an unreachable database is a clear error", func(t *testing.T) {
		err := migrations.Up(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", nil)
		if err == nil {
			t.Fatal("no error for an unreachable database")
		}
		// What was being done, and where: the address a person can check.
		for _, want := range []string{"connect to database", "127.0.0.1", "refused"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
}

// feeds says which parts of the feeds schema that migration 003 drops are present.
type feeds struct{ Table, GapsIndex, FeedIDColumn bool }

// feedsSchema reads which parts of the feeds schema the database at dsn has.
func feedsSchema(t *testing.T, dsn string) feeds {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var f feeds
	if err := c.QueryRow(ctx, `
		SELECT to_regclass('feeds') IS NOT NULL, to_regclass('questions_gaps_idx') IS NOT NULL,
		       EXISTS (SELECT 1 FROM information_schema.columns
		               WHERE table_name = 'articles' AND column_name = 'feed_id')`).Scan(&f.Table, &f.GapsIndex, &f.FeedIDColumn); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestDownTo(t *testing.T) {
	dsn := freshDatabase(t)
	ctx := context.Background()
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	all := feeds{Table: true, GapsIndex: true, FeedIDColumn: true}

	t.Run("rolling back to version 2 brings back the feeds table, articles.feed_id and the gaps index", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 2, nil); err != nil {
			t.Fatal(err)
		}
		if f := feedsSchema(t, dsn); f != all {
			t.Errorf("%+v after rolling back 003; want %+v", f, all)
		}
	})
	t.Run("rolling back to a version already passed changes nothing", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 2, nil); err != nil {
			t.Fatal(err)
		}
		if f := feedsSchema(t, dsn); f != all {
			t.Errorf("%+v; want %+v still", f, all)
		}
	})
	t.Run("migrating up again drops them once more, and 007 adds its own feeds back", func(t *testing.T) {
		if err := migrations.Up(ctx, dsn, nil); err != nil {
			t.Fatal(err)
		}
		if f, want := feedsSchema(t, dsn), (feeds{Table: true, FeedIDColumn: true}); f != want {
			t.Errorf("%+v after migrating up again; want %+v", f, want)
		}
	})
	t.Run("rolling back 007 alone removes its feeds table and articles.feed_id", func(t *testing.T) {
		if err := migrations.DownTo(ctx, dsn, 6, nil); err != nil {
			t.Fatal(err)
		}
		if f := feedsSchema(t, dsn); f != (feeds{}) {
			t.Errorf("%+v after rolling back 007; want none", f)
		}
	})
	t.Run("an unreachable database is a clear error", func(t *testing.T) {
		err := migrations.DownTo(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", 2, nil)
		if err == nil || !strings.Contains(err.Error(), "connect to database") {
			t.Fatalf("error %v; want one saying it could not connect to the database", err)
		}
	})
}
