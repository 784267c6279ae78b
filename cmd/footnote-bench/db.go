package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The bench's own SQL lives here, apart from footnote's Store: it creates and drops the
// bench databases and reads what a measurement needs from the catalog (table sizes) and
// from footnote's tables (counts, and the passages the Xapian anchor indexes). footnote
// itself is only ever driven through its command line.

// dbURL is adminURL with its database replaced by name.
func dbURL(adminURL, name string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("parse -database-url: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// withConn runs fn on a connection to the database at dsn. The bench measures whole
// databases, so the connection sees every collection's rows: footnote.scope = 'all', the
// setting row-level security (migration 015) lets through, for the whole session.
func withConn(ctx context.Context, dsn string, fn func(*pgx.Conn) error) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("parse the database URL: %w", err)
	}
	cfg.RuntimeParams["footnote.scope"] = "all"
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer c.Close(context.WithoutCancel(ctx))
	return fn(c)
}

// recreateDB drops database name if it exists, creates it, and creates the vector extension
// in it. .ci/db's owner role, footnote, may create databases, and finds the extension in
// them already (.ci/db puts it in template1); creating it would need a superuser.
func recreateDB(ctx context.Context, adminURL, name string) error {
	err := withConn(ctx, adminURL, func(c *pgx.Conn) error {
		// The name is checked by checkDBName: lower-case letters, digits and _.
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return err
		}
		_, err := c.Exec(ctx, "CREATE DATABASE "+name)
		return err
	})
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	dsn, err := dbURL(adminURL, name)
	if err != nil {
		return err
	}
	err = withConn(ctx, dsn, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS vector")
		return err
	})
	if err != nil {
		return fmt.Errorf("create extension vector in %s: %w", name, err)
	}
	return nil
}

// dropDB drops database name.
func dropDB(ctx context.Context, adminURL, name string) error {
	var err error
	for try := 0; ; try++ {
		err = withConn(ctx, adminURL, func(c *pgx.Conn) error {
			_, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			return err
		})
		// A footnote process the bench ran has exited, but the server may still be ending
		// its backend, of another role (the runtime role), which FORCE may not terminate
		// (42501): it is gone in a moment.
		var pe *pgconn.PgError
		if err == nil || !errors.As(err, &pe) || pe.Code != "42501" || try == 20 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// vacuumAnalyze runs VACUUM (ANALYZE) over the whole database: after a bulk import the
// visibility map is empty, so index-only scans visit the heap until autovacuum gets there.
// Measuring after it is the steady state a live collection reaches, and keeps autovacuum
// from starting in the middle of a measurement.
func vacuumAnalyze(ctx context.Context, dsn string) error {
	err := withConn(ctx, dsn, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, "VACUUM (ANALYZE)")
		return err
	})
	if err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// tableSize is one table's size on disk: heap, TOAST and every index.
type tableSize struct {
	Table string `json:"table"`
	Bytes int64  `json:"bytes"`
}

// readCounts returns the articles and passages of collection coll, and the passages of
// every collection.
func readCounts(ctx context.Context, dsn, coll string) (articles, passages, all int64, err error) {
	err = withConn(ctx, dsn, func(c *pgx.Conn) error {
		return c.QueryRow(ctx, `
			SELECT (SELECT count(*) FROM articles WHERE collection = $1),
			       (SELECT count(*) FROM chunks WHERE collection = $1),
			       (SELECT count(*) FROM chunks)`, coll).Scan(&articles, &passages, &all)
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("count articles and passages: %w", err)
	}
	return articles, passages, all, nil
}

// readSizes returns every table of the public schema with its total size (heap, TOAST and
// indexes), largest first, so a table the redesign adds is counted without naming it here.
// A partitioned table (migration 018) is counted under its own name, with the sizes of all
// its partitions.
func readSizes(ctx context.Context, dsn string) (sizes []tableSize, total int64, err error) {
	err = withConn(ctx, dsn, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			SELECT coalesce(pg_partition_root(c.oid), c.oid)::regclass::text AS tbl, sum(pg_total_relation_size(c.oid))::bigint
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'm')
			GROUP BY 1
			ORDER BY 2 DESC, 1`)
		if err != nil {
			return err
		}
		sizes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tableSize, error) {
			var t tableSize
			return t, r.Scan(&t.Table, &t.Bytes)
		})
		if err != nil {
			return err
		}
		return c.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&total)
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read table sizes: %w", err)
	}
	return sizes, total, nil
}

// exportedPassage is one line of the file the Xapian anchor indexes.
type exportedPassage struct {
	ID    int64  `json:"id"`
	URL   string `json:"url"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// exportPassages writes every passage of coll to path as JSON lines, with its article's URL
// (which the scorer matches) and title (which footnote's ranking sees too), and returns how
// many it wrote.
func exportPassages(ctx context.Context, dsn, coll, path string) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, fmt.Errorf("export passages: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	n := 0
	err = withConn(ctx, dsn, func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `
			SELECT c.id, a.url, a.title, c.body
			FROM chunks c JOIN articles a ON a.id = c.article_id
			WHERE c.collection = $1 ORDER BY c.id`, coll)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p exportedPassage
			if err := rows.Scan(&p.ID, &p.URL, &p.Title, &p.Text); err != nil {
				return err
			}
			if err := enc.Encode(p); err != nil {
				return err
			}
			n++
		}
		return rows.Err()
	})
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = f.Close()
	}
	if err != nil {
		return n, fmt.Errorf("export passages: %w", err)
	}
	return n, nil
}
