package retrieval_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// collectionTables are the tables that hold a collection's rows, each with the column that
// names the collection: every one is under row-level security (migration 015).
var collectionTables = []struct{ table, column string }{
	{"collections", "name"}, {"articles", "collection"}, {"chunks", "collection"},
	{"term_stats", "collection"}, {"term_blocks", "collection"}, {"embeddings", "collection"}, {"questions", "collection"},
	{"feedback", "collection"}, {"feeds", "collection"}, {"guild_settings", "collection"},
	{"guild_departures", "collection"},
}

// runtimeConn connects to the migrated test database as the runtime role.
func runtimeConn(t *testing.T) *pgx.Conn {
	t.Helper()
	retrievaltest.Store(t) // migrates, and grants the runtime role its privileges
	return retrievaltest.RuntimeConn(t, retrievaltest.DSN())
}

// twoCollections fills two collections with a row in every collection table, through the
// engine where it writes the table and as the owner elsewhere, and returns their names.
func twoCollections(t *testing.T) (a, b string) {
	t.Helper()
	ctx := context.Background()
	e, a := retrievaltest.Engine(t)
	b = retrievaltest.Collection(t)
	t.Cleanup(func() {
		if err := retrievaltest.RemoveServer(context.Background(), e, b); err != nil {
			t.Errorf("remove %s: %v", b, err)
		}
	})
	owner := conn(t)
	for _, coll := range []string{a, b} {
		importDocs(t, e, coll, doc{URL: "https://news.example/" + coll, Title: "Tram line",
			Text: "The tram line to the airport opens in 2027, the council said on Tuesday."})
		ans, err := e.Ask(ctx, coll, "When does the tram line open?", retrieval.AskOptions{})
		if err != nil {
			t.Fatalf("Ask in %s: %v", coll, err)
		}
		if err := e.RecordFeedback(ctx, retrieval.Feedback{Collection: coll, QuestionID: ans.QuestionID, User: "1", Helpful: true}); err != nil {
			t.Fatalf("feedback in %s: %v", coll, err)
		}
		for _, q := range []string{
			`INSERT INTO feeds (collection, url) VALUES ($1, 'https://news.example/feed')`,
			`INSERT INTO guild_settings (collection) VALUES ($1)`,
			`INSERT INTO guild_departures (collection, left_at, delete_after) VALUES ($1, now(), now() + interval '30 days')`,
		} {
			if _, err := owner.Exec(ctx, q, coll); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	return a, b
}

func TestRowSecurityHidesOtherCollections(t *testing.T) {
	a, b := twoCollections(t)
	c := runtimeConn(t)
	ctx := context.Background()

	// inCollection is the transaction every Store query of one collection runs in: the
	// queries below are its, with the WHERE collection = ... that they all carry left out.
	in := func(t *testing.T, coll string, fn func(tx pgx.Tx)) {
		t.Helper()
		tx, err := c.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = tx.Rollback(ctx) }()
		if coll != "" {
			if _, err := tx.Exec(ctx, `SELECT set_config('footnote.collection', $1, true)`, coll); err != nil {
				t.Fatal(err)
			}
		}
		fn(tx)
	}
	t.Run("a query without its filter sees its own collection's rows and no other's, in every table", func(t *testing.T) {
		in(t, a, func(tx pgx.Tx) {
			for _, ct := range collectionTables {
				rows, err := tx.Query(ctx, `SELECT DISTINCT `+ct.column+` FROM `+ct.table)
				if err != nil {
					t.Fatalf("%s: %v", ct.table, err)
				}
				seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
				if err != nil {
					t.Fatalf("%s: %v", ct.table, err)
				}
				if !slices.Equal(seen, []string{a}) {
					t.Errorf("SELECT DISTINCT %s FROM %s in collection %s = %q, want only %q", ct.column, ct.table, a, seen, a)
				}
			}
		})
	})
	t.Run("a transaction that names no collection sees nothing", func(t *testing.T) {
		in(t, "", func(tx pgx.Tx) {
			for _, ct := range collectionTables {
				if n := count(t, tx.Conn(), `SELECT count(*) FROM `+ct.table); n != 0 {
					t.Errorf("%s: %d rows without a collection set, want 0", ct.table, n)
				}
			}
		})
	})
	t.Run("updates and deletes of another collection's rows touch nothing", func(t *testing.T) {
		in(t, a, func(tx pgx.Tx) {
			for _, q := range []string{
				`UPDATE articles SET title = 'stolen' WHERE collection = $1`,
				`DELETE FROM term_blocks WHERE collection = $1`,
				`DELETE FROM term_stats WHERE collection = $1`,
				`DELETE FROM questions WHERE collection = $1`,
				`UPDATE guild_settings SET admin_role = 'x' WHERE collection = $1`,
			} {
				tag, err := tx.Exec(ctx, q, b)
				if err != nil || tag.RowsAffected() != 0 {
					t.Errorf("%s (%s, from %s): %d rows, %v; want none", q, b, a, tag.RowsAffected(), err)
				}
			}
		})
	})
	t.Run("a row written into another collection is refused", func(t *testing.T) {
		for _, q := range []string{
			`INSERT INTO questions (collection, question, covered) VALUES ($1, 'planted?', false)`,
			`INSERT INTO guild_departures (collection, left_at, delete_after) VALUES ($1 || '_x', now(), now())`,
			`UPDATE articles SET collection = $1`, // moving a row of a out to b
		} {
			in(t, a, func(tx pgx.Tx) {
				_, err := tx.Exec(ctx, q, b)
				if code := sqlState(err); code != "42501" && code != "23503" {
					t.Errorf("%s (%s, from %s): %v; want it refused", q, b, a, err)
				}
			})
		}
	})
	t.Run("a name that is SQL is a name: set exactly, it matches no collection", func(t *testing.T) {
		in(t, a+"' OR true --", func(tx pgx.Tx) {
			if n := count(t, tx.Conn(), `SELECT count(*) FROM articles`); n != 0 {
				t.Errorf("%d articles seen, want 0", n)
			}
		})
	})
}

func TestRuntimeRoleCannotGetPastRowSecurity(t *testing.T) {
	c := runtimeConn(t)
	ctx := context.Background()
	var owner string
	if err := c.QueryRow(ctx, `SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'articles'`).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	t.Run("it is a member of no role, so it can take no other's privileges", func(t *testing.T) {
		if n := count(t, c, `SELECT count(*) FROM pg_auth_members WHERE member = (SELECT oid FROM pg_roles WHERE rolname = current_user)`); n != 0 {
			t.Errorf("the runtime role is a member of %d roles, want none", n)
		}
	})
	refused := []struct{ name, sql string }{
		{"it cannot become the owner", `SET ROLE ` + pgx.Identifier{owner}.Sanitize()},
		{"it cannot switch row-level security off", `ALTER TABLE articles DISABLE ROW LEVEL SECURITY`},
		{"it cannot lift FORCE", `ALTER TABLE chunks NO FORCE ROW LEVEL SECURITY`},
		{"it cannot drop a policy", `DROP POLICY articles_of_scope ON articles`},
		{"it cannot add a policy of its own", `CREATE POLICY mine ON articles USING (true)`},
		{"it cannot truncate, which row-level security would not stop", `TRUNCATE term_blocks`},
		{"it cannot create a table", `CREATE TABLE footnote_rls_probe (i int)`},
		{"it cannot create an index", `CREATE INDEX footnote_rls_probe ON articles (title)`},
		{"it cannot grant itself more", `SELECT footnote_grant_runtime(current_user)`},
		{"it cannot write the migration ledger", `DELETE FROM goose_db_version`},
		{"reading with row_security off is an error, not a bypass", `SET LOCAL row_security = off; SELECT count(*) FROM articles`},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := c.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback(ctx) }()
			_, err = tx.Exec(ctx, tt.sql)
			if code := sqlState(err); code != "42501" {
				t.Errorf("%s: %v; want it refused for want of privilege", tt.sql, err)
			}
		})
	}
}

func TestCollectionKeysRefuseAChildOfAnotherCollection(t *testing.T) {
	a, b := twoCollections(t)
	owner := conn(t) // every collection in view: only the keys stand in the way
	ctx := context.Background()
	var article, chunk, question, feed int64
	if err := owner.QueryRow(ctx, `
		SELECT a.id, (SELECT min(c.id) FROM chunks c WHERE c.article_id = a.id),
		       (SELECT min(q.id) FROM questions q WHERE q.collection = a.collection),
		       (SELECT min(f.id) FROM feeds f WHERE f.collection = a.collection)
		FROM articles a WHERE a.collection = $1`, a).Scan(&article, &chunk, &question, &feed); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		sql  string
		args []any
	}{
		{"a passage of another collection's article", `INSERT INTO chunks (article_id, collection, ordinal, start_offset, end_offset, body, token_count)
			VALUES ($1, $2, 99, 0, 1, 'x', 1)`, []any{article, b}},
		{"a passage moved to another collection", `UPDATE chunks SET collection = $2 WHERE id = $1`, []any{chunk, b}},
		{"a vector moved to another collection", `UPDATE embeddings SET collection = $2 WHERE chunk_id = $1`, []any{chunk, b}},
		{"feedback on another collection's question", `INSERT INTO feedback (collection, question_id, user_id, helpful) VALUES ($2, $1, 'x', false)`, []any{question, b}},
		{"an article from another collection's feed", `UPDATE articles SET feed_id = $1 WHERE collection = $2`, []any{feed, b}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			tx, err := owner.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback(ctx) }()
			tag, err := tx.Exec(ctx, tt.sql, tt.args...)
			if code := sqlState(err); code != "23503" {
				t.Errorf("%d rows, %v; want a foreign key violation (23503)", tag.RowsAffected(), err)
			}
		})
	}
}

// sqlState returns err's SQLSTATE, or "" when it has none.
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestACollectionNameIsSetExactly(t *testing.T) {
	e, plain := retrievaltest.Engine(t)
	// Quotes, a backslash, a semicolon and letters beyond ASCII: inCollection sends the
	// name inside its BEGIN statement, which takes no parameters.
	coll := plain + `_o'brien\; é`
	t.Cleanup(func() {
		if err := retrievaltest.RemoveServer(context.Background(), e, coll); err != nil {
			t.Errorf("remove %s: %v", coll, err)
		}
	})
	importDocs(t, e, coll, doc{URL: "https://news.example/quay", Title: "Quay",
		Text: "The harbour quay reopens in May after repairs to the sea wall."})
	if got := urls(search(t, e, coll, "When does the quay reopen?", 5, retrieval.Filter{})); !slices.Equal(got, []string{"https://news.example/quay"}) {
		t.Errorf("search in %q = %q, want the quay", coll, got)
	}
	if n := count(t, conn(t), `SELECT count(*) FROM articles WHERE collection = $1`, coll); n != 1 {
		t.Errorf("%d articles stored under %q, want 1", n, coll)
	}
}
