// Package migrations embeds footnote's numbered SQL migrations and applies them, together
// with River's own (the background jobs' tables, river_*), under one advisory lock.
package migrations

import (
	"context"
	"embed"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// lockID is the Postgres advisory lock every footnote process takes while it migrates. It
// is goose's own default, so a footnote from before River (which let goose take that lock)
// and this one still wait for each other.
const lockID = lock.DefaultLockID

// Up applies every pending migration to the database at dsn: footnote's own (goose), then
// River's (rivermigrate, its versions recorded in river_migration). It holds a Postgres
// advisory lock on one connection for both, so processes starting at once apply each
// migration exactly once: rivermigrate takes no lock of its own, and River's versions cannot
// share one outer transaction on a fresh database (version 4 adds an enum value that
// version 6 uses). With GrantTo, it then gives the runtime role its privileges. It returns
// the first error met (the failed migration is rolled back).
//
// dsn is the role that owns footnote's tables. A database with nothing left to migrate is
// only read, so a process whose one URL is the runtime role's may call Up too, once the
// owner has migrated.
func Up(ctx context.Context, dsn string, log *slog.Logger, opts ...Option) error {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return migrate(ctx, dsn, log, func(ctx context.Context, pool *pgxpool.Pool, p *goose.Provider) error {
		res, err := p.Up(ctx)
		logGoose(log, "migration applied", res)
		if err != nil {
			return fmt.Errorf("apply migrations: %w", err)
		}
		if err := riverUp(ctx, pool, log); err != nil {
			return err
		}
		return grantRuntime(ctx, pool, o.runtime)
	})
}

// Option changes what Up does.
type Option func(*options)

type options struct {
	runtime string // the role to grant to; "" grants nothing
}

// GrantTo makes Up give role, footnote's runtime role, what footnote's processes need of
// the tables and nothing more (footnote_grant_runtime, migration 015), after every
// migration run, so that tables a later migration adds are covered too. Nothing is
// granted when role is "" or the role Up connects as: one role both migrates and runs.
func GrantTo(role string) Option { return func(o *options) { o.runtime = role } }

// grantRuntime runs footnote_grant_runtime for role unless role is "" or the current user.
func grantRuntime(ctx context.Context, pool *pgxpool.Pool, role string) error {
	if role == "" {
		return nil
	}
	if _, err := pool.Exec(ctx, `SELECT footnote_grant_runtime($1) WHERE $1 <> current_user`, role); err != nil {
		return fmt.Errorf("grant the runtime role %s its privileges: %w", role, err)
	}
	return nil
}

// DownTo rolls back every applied migration of footnote's numbered above version (so
// DownTo(ctx, dsn, 2, log) leaves 001 and 002 applied), newest first, under the same
// advisory lock as Up. River's tables are left as they are. It returns the first error met
// (the failed rollback is itself rolled back); a database already at or below version is
// left as it is.
func DownTo(ctx context.Context, dsn string, version int64, log *slog.Logger) error {
	return migrate(ctx, dsn, log, func(ctx context.Context, _ *pgxpool.Pool, p *goose.Provider) error {
		res, err := p.DownTo(ctx, version)
		logGoose(log, "migration rolled back", res)
		if err != nil {
			return fmt.Errorf("roll back migrations: %w", err)
		}
		return nil
	})
}

// migrate connects to dsn, takes the advisory lock on a connection of its own, and runs
// step with the pool and a goose provider over the embedded files. The lock is released
// (and the pool closed) when step returns.
//
// Every connection of the pool sees every collection's rows (footnote.scope = 'all', see
// migration 015): a migration that moves data must not find the tables empty because
// row-level security, forced on the owner too, hides them.
func migrate(ctx context.Context, dsn string, log *slog.Logger,
	step func(context.Context, *pgxpool.Pool, *goose.Provider) error) error {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["footnote.scope"] = "all"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer pool.Close()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to database: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return fmt.Errorf("take the migration lock: %w", err)
	}
	// A lock that cannot be released goes with its session: the pool closes it on return.
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID) }()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	// No goose locker: the lock above covers goose and River, and a goose session lock on
	// another connection would wait for it for ever.
	p, err := goose.NewProvider(goose.DialectPostgres, db, files)
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	return step(ctx, pool, p)
}

// riverUp applies River's pending migrations, each version in a transaction of its own.
func riverUp(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("load River's migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("apply River's migrations: %w", err)
	}
	for _, v := range res.Versions {
		if log != nil {
			log.Info("river migration applied", "version", v.Version, "name", v.Name, "took_ms", v.Duration.Milliseconds())
		}
	}
	return nil
}

// logGoose logs each migration goose ran as done.
func logGoose(log *slog.Logger, done string, res []*goose.MigrationResult) {
	if log == nil {
		return
	}
	for _, r := range res {
		if r.Error == nil {
			log.Info(done, "version", r.Source.Version, "file", r.Source.Path, "took_ms", r.Duration.Milliseconds())
		}
	}
}
