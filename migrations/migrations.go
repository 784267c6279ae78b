// Package migrations embeds footnote's numbered SQL migrations and applies them.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"log/slog"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for goose
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed *.sql
var files embed.FS

// Up applies every pending migration to the database at dsn. It holds a Postgres advisory
// lock while it runs, so processes starting at once apply each migration exactly once. It
// returns the first error met (the failed migration is rolled back).
func Up(ctx context.Context, dsn string, log *slog.Logger) error {
	return migrate(ctx, dsn, log, "apply", "migration applied", func(ctx context.Context, p *goose.Provider) ([]*goose.MigrationResult, error) {
		return p.Up(ctx)
	})
}

// DownTo rolls back every applied migration numbered above version (so DownTo(ctx, dsn, 2,
// log) leaves 001 and 002 applied), newest first, under the same advisory lock as Up. It
// returns the first error met (the failed rollback is itself rolled back); a database
// already at or below version is left as it is.
func DownTo(ctx context.Context, dsn string, version int64, log *slog.Logger) error {
	return migrate(ctx, dsn, log, "roll back", "migration rolled back",
		func(ctx context.Context, p *goose.Provider) ([]*goose.MigrationResult, error) {
			return p.DownTo(ctx, version)
		})
}

// migrate connects to dsn, runs step on a locked goose provider over the embedded files,
// and logs each migration step ran as done. verb names the step in its error.
func migrate(ctx context.Context, dsn string, log *slog.Logger, verb, done string,
	step func(context.Context, *goose.Provider) ([]*goose.MigrationResult, error)) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("connect to database: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	res, err := step(ctx, p)
	if err != nil {
		return fmt.Errorf("%s migrations: %w", verb, err)
	}
	for _, r := range res {
		if log != nil {
			log.Info(done, "version", r.Source.Version, "file", r.Source.Path, "took_ms", r.Duration.Milliseconds())
		}
	}
	return nil
}
