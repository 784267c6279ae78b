package migrations_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// withoutScope is dsn (a FreshDatabase's, which sees every collection) as a plain URL of
// the same role: what a deployment's DATABASE_OWNER_URL is.
func withoutScope(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("options")
	u.RawQuery = q.Encode()
	return u.String()
}

func TestGrantToTheRuntimeRole(t *testing.T) {
	ctx := context.Background()
	dsn := freshDatabase(t)
	runtime := retrievaltest.RuntimeDSN(dsn)

	t.Run("a process whose one URL is the runtime role's cannot migrate an empty database", func(t *testing.T) {
		if err := migrations.Up(ctx, runtime, nil); err == nil {
			t.Fatal("the runtime role migrated an empty database: it may create tables")
		}
	})
	if err := migrations.Up(ctx, withoutScope(t, dsn), nil, migrations.GrantTo(retrievaltest.RuntimeRole())); err != nil {
		t.Fatal(err)
	}
	c := retrievaltest.RuntimeConn(t, runtime)
	t.Run("the runtime role may read and write the rows of footnote's and River's tables", func(t *testing.T) {
		for _, q := range []string{
			`SELECT count(*) FROM articles`,
			`SELECT count(*) FROM river_job`,
			`DELETE FROM river_leader`,
			`SELECT nextval('chunks_id_seq')`,
		} {
			if _, err := c.Exec(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	t.Run("a process whose one URL is the runtime role's starts on a migrated database", func(t *testing.T) {
		if err := migrations.Up(ctx, runtime, nil); err != nil {
			t.Fatalf("Up as the runtime role with nothing to migrate: %v", err)
		}
	})
}

// Row-level security is forced on the tables' owner too: a migration that moves rows must
// still see every collection's, or it would move none of them and say nothing.
func TestAMigrationSeesEveryCollection(t *testing.T) {
	ctx := context.Background()
	dsn := freshDatabase(t)
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dsn) // the fresh database's URL sees every collection

	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `INSERT INTO guild_settings (collection) VALUES ('a'), ('b')`); err != nil {
		t.Fatal(err)
	}
	var n int
	err = migrations.WithMigrationPool(ctx, withoutScope(t, dsn), func(p *pgxpool.Pool) error {
		return p.QueryRow(ctx, `SELECT count(*) FROM guild_settings`).Scan(&n)
	})
	if err != nil || n != 2 {
		t.Errorf("a migration counts %d servers' settings (%v), want both collections' 2", n, err)
	}
}
