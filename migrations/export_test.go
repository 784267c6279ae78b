package migrations

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"
)

// WithMigrationPool runs fn with the pool a migration runs on, under the migration lock, as
// Up does.
func WithMigrationPool(ctx context.Context, dsn string, fn func(*pgxpool.Pool) error) error {
	return migrate(ctx, dsn, nil, func(ctx context.Context, pool *pgxpool.Pool, _ *goose.Provider) error {
		return fn(pool)
	})
}
