// Package retrievaltest gives tests a real engine on the project's test database: the
// cluster `make db` starts, database footnote_test. Every test gets a collection of its own,
// removed when it ends, so tests run in parallel without seeing each other's articles.
//
// Two roles reach it, as in a deployment: the owner of the tables migrates (OwnerDSN), and
// the engines work as the runtime role (DSN), under row-level security. Tests that check or
// arrange rows directly do it as the owner, with every collection in view (Conn).
package retrievaltest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// DSN returns the URL engines work through, the runtime role's: FOOTNOTE_TEST_DATABASE_URL,
// or the runtime role on database footnote_test of the cluster .ci/db starts (on
// FOOTNOTE_PGPORT when set; its password from the cluster's pgpass file).
func DSN() string {
	if v := os.Getenv("FOOTNOTE_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return retrieval.LocalDatabaseURL(os.Getenv, "footnote_test")
}

// OwnerDSN returns the URL of the role that owns the test database's tables and migrates
// it: FOOTNOTE_TEST_OWNER_URL; else FOOTNOTE_TEST_DATABASE_URL when that is set (one role
// both migrates and works, as with one DATABASE_URL); else the owner role on footnote_test
// of .ci/db's cluster.
func OwnerDSN() string {
	if v := os.Getenv("FOOTNOTE_TEST_OWNER_URL"); v != "" {
		return v
	}
	if v := os.Getenv("FOOTNOTE_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return retrieval.LocalOwnerURL(os.Getenv, "footnote_test")
}

// RuntimeDSN returns the runtime role's URL (DSN's user, password and server) of the
// database that dsn names, such as a FreshDatabase.
func RuntimeDSN(dsn string) string {
	u, err := url.Parse(DSN())
	if err != nil {
		return DSN()
	}
	if d, err := url.Parse(dsn); err == nil {
		u.Path = d.Path
	}
	return u.String()
}

// RuntimeRole returns the user name in DSN: the role the migrations grant to.
func RuntimeRole() string {
	cfg, err := pgx.ParseConfig(DSN())
	if err != nil {
		return ""
	}
	return cfg.User
}

// migrate applies the migrations to the database dsn names, as its owner, and grants the
// runtime role its privileges there.
func migrate(ctx context.Context, ownerDSN string) error {
	return migrations.Up(ctx, ownerDSN, nil, migrations.GrantTo(RuntimeRole()))
}

// seeAll is the connection setting that shows a connection every collection's rows
// (migration 015): the tests' own connections check and arrange rows of any collection.
const seeAll = "-c footnote.scope=all"

var (
	migrateOnce sync.Once
	migrateErr  error
)

// Store returns a store on the migrated test database, closed when the test ends. Without a
// database the test is skipped, except under CI (CI set), where it fails: CI must never
// pass by skipping the database tests.
func Store(t testing.TB) *retrieval.Store {
	t.Helper()
	return StoreAt(t, DSN())
}

// StoreAt is Store reached through dsn instead of DSN(): the test database by another road,
// such as a proxy a test cuts to play a database outage. The test database is migrated
// through OwnerDSN() first.
func StoreAt(t testing.TB, dsn string) *retrieval.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	migrateOnce.Do(func() { migrateErr = migrate(ctx, OwnerDSN()) })
	if migrateErr != nil {
		unavailable(t, migrateErr)
	}
	s, err := retrieval.OpenStore(ctx, dsn, 8)
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(s.Close)
	return s
}

// Conn returns a plain connection to the test database as its owner, seeing the rows of
// every collection, closed when the test ends, for tests that check or arrange rows
// directly or create databases of their own. It does not migrate (Store does). Without a
// database the test is skipped, or fails under CI, as with Store.
func Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := ownerConn(ctx, OwnerDSN())
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// RuntimeConn connects to dsn as the runtime role (DSN, or RuntimeDSN of a FreshDatabase),
// closed when the test ends, and fails the test when that role is not one that row-level
// security holds: a superuser, a role that bypasses it, or one with the privileges of the
// tables' owner (one URL for both, as FOOTNOTE_TEST_DATABASE_URL alone gives) would pass
// the policies that tests of them are about. `make test` runs them as footnote_app.
func RuntimeConn(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	var super, bypass, owner bool
	if err := c.QueryRow(ctx, `
		SELECT r.rolsuper, r.rolbypassrls, pg_has_role(current_user, t.tableowner, 'USAGE')
		FROM pg_roles r, pg_tables t
		WHERE r.rolname = current_user AND t.schemaname = current_schema() AND t.tablename = 'articles'`).
		Scan(&super, &bypass, &owner); err != nil {
		t.Fatalf("read the runtime role's attributes (is the database migrated?): %v", err)
	}
	if super || bypass || owner {
		t.Fatalf("the tests' runtime role (FOOTNOTE_TEST_DATABASE_URL) is a superuser (%v), bypasses row-level security (%v) or has the owner's privileges (%v): "+
			"run the tests as footnote's runtime role, with FOOTNOTE_TEST_OWNER_URL for the owner (`make test` does)", super, bypass, owner)
	}
	return c
}

// ownerConn connects to dsn seeing every collection's rows.
func ownerConn(ctx context.Context, dsn string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["options"] = seeAll
	return pgx.ConnectConfig(ctx, cfg)
}

// unavailable is the one rule for a test without its database: skip, except under CI (CI
// set), where it fails: CI must never pass by skipping the database tests.
func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("test database unavailable (run `make db`): %v", err)
	}
	t.Skipf("test database unavailable (run `make db`): %v", err)
}

// Option changes the engine configuration a test gets.
type Option func(*retrieval.Config)

// WithAnswerer replaces the extractive answerer.
func WithAnswerer(a retrieval.Answerer) Option { return func(c *retrieval.Config) { c.Answerer = a } }

// WithEmbedder replaces the offline embedder.
func WithEmbedder(e embed.Embedder) Option { return func(c *retrieval.Config) { c.Embedder = e } }

// WithJudge gives the engine a sentence encoder that judges first quotes (Config.Judge).
func WithJudge(j embed.Embedder) Option { return func(c *retrieval.Config) { c.Judge = j } }

// WithLog gives the engine a logger (by default it logs nothing).
func WithLog(l *slog.Logger) Option { return func(c *retrieval.Config) { c.Log = l } }

// WithOutageWait sets how long an import waits for an unreachable database.
func WithOutageWait(d time.Duration) Option { return func(c *retrieval.Config) { c.OutageWait = d } }

// WithFetcher replaces the fetcher (by default private addresses are allowed, so tests can
// fetch from httptest servers; pass fetch.New(fetch.Config{}) to test refusals).
func WithFetcher(f *fetch.Fetcher) Option { return func(c *retrieval.Config) { c.Fetcher = f } }

// Engine returns an engine on the test database with the offline defaults, and a fresh
// collection name that is removed when the test ends.
func Engine(t testing.TB, opts ...Option) (*retrieval.Engine, string) {
	t.Helper()
	return EngineOn(t, Store(t), opts...)
}

// EngineAt is Engine on the database at dsn (a FreshDatabase, which it migrates as the
// owner), working as the runtime role (RuntimeDSN), for tests whose work spans every
// collection of a database, as background jobs' does.
func EngineAt(t testing.TB, dsn string, opts ...Option) (*retrieval.Engine, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := migrate(ctx, dsn); err != nil {
		t.Fatalf("migrate %s: %v", dsn, err)
	}
	s, err := retrieval.OpenStore(ctx, RuntimeDSN(dsn), 8)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(s.Close)
	return EngineOn(t, s, opts...)
}

// EngineOn is Engine over a store the test opened itself (StoreAt). The collection is
// removed through that store when the test ends, so it must reach the database by then.
func EngineOn(t testing.TB, s *retrieval.Store, opts ...Option) (*retrieval.Engine, string) {
	t.Helper()
	e := newEngine(t, s, opts...)
	coll := Collection(t)
	t.Cleanup(func() {
		if err := RemoveServer(context.Background(), e, coll); err != nil {
			t.Errorf("remove test collection %s: %v", coll, err)
		}
	})
	return e, coll
}

// newEngine is an engine over s with the offline defaults, changed by opts.
func newEngine(t testing.TB, s *retrieval.Store, opts ...Option) *retrieval.Engine {
	t.Helper()
	cfg := retrieval.Config{
		Embedder: embed.NewHash(0),
		Answerer: answer.Extractive{},
		Overview: answer.Overview{},
		Fetcher:  fetch.New(fetch.Config{AllowPrivate: true, Timeout: 5 * time.Second}),
	}
	for _, o := range opts {
		o(&cfg)
	}
	e, err := retrieval.New(context.Background(), s, cfg)
	if err != nil {
		t.Fatalf("new engine: %v", err)
	}
	return e
}

// RemoveServer deletes everything the test database holds for coll: its collection
// (RemoveCollection) and the server's settings and scheduled removal, which
// RemoveCollection keeps. Tests clean up with it so no row outlives them.
func RemoveServer(ctx context.Context, e *retrieval.Engine, coll string) error {
	if _, err := e.RemoveCollection(ctx, coll); err != nil {
		return err
	}
	c, err := ownerConn(ctx, OwnerDSN())
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, q := range []string{
		`DELETE FROM guild_settings WHERE collection = $1`,
		`DELETE FROM guild_departures WHERE collection = $1`,
	} {
		if _, err := c.Exec(ctx, q, coll); err != nil {
			return err
		}
	}
	return nil
}

// Collection returns a collection name no other test uses.
func Collection(t testing.TB) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(t.Name()))
	if len(name) > 40 {
		name = name[:40]
	}
	return "t_" + name + "_" + hex.EncodeToString(b)
}

// FreshDatabase creates an empty database on the test cluster, named after the test
// database with a random suffix, and returns its owner's URL; it is dropped when the test
// ends. Tests of work that spans a whole database (migrations, background jobs, which poll
// every collection's feeds) use one, so that they cannot touch other tests' rows. The URL
// sees every collection's rows (footnote.scope = 'all'), so that tests can arrange and
// check rows through it; engines work through RuntimeDSN(url) (EngineAt).
func FreshDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := Conn(t) // skips (or fails under CI) without a database
	u, err := url.Parse(OwnerDSN())
	if err != nil {
		t.Fatalf("FOOTNOTE_TEST_DATABASE_URL: %v", err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := strings.TrimPrefix(u.Path, "/") + "_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database: %v", err)
	}
	// Registered after Conn's cleanup, so it runs first, while admin is still open.
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	u.Path = "/" + name
	q := u.Query()
	q.Set("options", seeAll)
	// pgx reads "+" in a URL as itself, not as a space.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String()
}

// dropDatabase drops database name, ending its sessions first. DROP DATABASE ... WITH
// (FORCE) would end them itself, but a role that is no superuser (footnote's owner) may
// not end autovacuum's, so FORCE refuses when autovacuum is at work there; a plain DROP
// stops autovacuum itself, and waits a few seconds for the sessions ended here to go.
func dropDatabase(t testing.TB, admin *pgx.Conn, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for range dropAttempts {
		if _, err = admin.Exec(ctx, `
			SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid() AND pg_has_role(usesysid, 'USAGE')`, name); err != nil {
			break
		}
		if _, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()); err == nil {
			return
		}
	}
	t.Errorf("drop database %s: %v", name, err)
}

// dropAttempts bounds how often dropDatabase tries: a session that connects meanwhile (a
// pool reconnecting as the test ends) makes one DROP fail after its wait of up to 5 s.
const dropAttempts = 3
