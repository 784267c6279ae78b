// Package retrievaltest gives tests a real engine on the project's test database: the
// cluster `make db` starts, database footnote_test. Every test gets a collection of its own,
// removed when it ends, so tests run in parallel without seeing each other's articles.
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

// DSN returns FOOTNOTE_TEST_DATABASE_URL, or database footnote_test on the cluster .ci/db
// starts (on FOOTNOTE_PGPORT when set).
func DSN() string {
	if v := os.Getenv("FOOTNOTE_TEST_DATABASE_URL"); v != "" {
		return v
	}
	return retrieval.LocalDatabaseURL(os.Getenv, "footnote_test")
}

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
// through DSN() first.
func StoreAt(t testing.TB, dsn string) *retrieval.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	migrateOnce.Do(func() { migrateErr = migrations.Up(ctx, DSN(), nil) })
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

// Conn returns a plain connection to the test database, closed when the test ends, for
// tests that check rows directly or create databases of their own. It does not migrate
// (Store does). Without a database the test is skipped, or fails under CI, as with Store.
func Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, DSN())
	if err != nil {
		unavailable(t, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
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

// EngineAt is Engine on the database at dsn (a FreshDatabase, migrated), for tests whose
// work spans every collection of a database, as background jobs' does.
func EngineAt(t testing.TB, dsn string, opts ...Option) (*retrieval.Engine, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := migrations.Up(ctx, dsn, nil); err != nil {
		t.Fatalf("migrate %s: %v", dsn, err)
	}
	s, err := retrieval.OpenStore(ctx, dsn, 8)
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
	c, err := pgx.Connect(ctx, DSN())
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
// database with a random suffix, and returns its URL; it is dropped when the test ends.
// Tests of work that spans a whole database (migrations, background jobs, which poll every
// collection's feeds) use one, so that they cannot touch other tests' rows.
func FreshDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin := Conn(t) // skips (or fails under CI) without a database
	u, err := url.Parse(DSN())
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
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
