package retrieval

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// Store is footnote's Postgres: articles, passages, BM25 postings and embeddings. Every
// query footnote runs is on Store, next to the method that runs it: this file opens the
// pool and keeps the embedding spaces; store_<table>.go hold the queries of each table
// (store_write.go the batch write of new articles, search.go the ranking queries). Other
// packages only open and close it: its queries are unexported, and Engine, which cleans and
// bounds what it is given, is the way in.
type Store struct {
	pool     *pgxpool.Pool
	replicas *replicas // nil without read replicas (store_replicas.go)
	// standbys is whether the primary has standbys, for a store without replicas, which
	// then marks its writes for the processes that read from them (store_standbys.go).
	standbys standbyWatch
}

// OpenStore connects to the database at dsn (migrations must already be applied: the vector
// type has to exist), and to the read replicas of WithReplicas, if given. It returns an
// error naming what failed when the primary cannot be reached or a URL cannot be read; a
// replica out of reach is skipped until it answers.
func OpenStore(ctx context.Context, dsn string, maxConns int32, opts ...StoreOption) (*Store, error) {
	var o storeOptions
	for _, opt := range opts {
		opt(&o)
	}
	cfg, err := poolConfig(dsn, maxConns)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	pool, err := openPool(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	s := &Store{pool: pool}
	if len(o.readDSNs) > 0 {
		s.replicas = newReplicas(o.log)
		s.replicas.primary = pool
		for _, d := range o.readDSNs {
			if err := s.replicas.add(ctx, d, maxConns); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	return s, nil
}

// poolConfig is the configuration of a pool on dsn, the primary or a replica.
func poolConfig(dsn string, maxConns int32) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	// A socket's failures carry a mark of their own, so that a lost database is told from a
	// lost web page (classify).
	cfg.ConnConfig.DialFunc = markSockets(cfg.ConnConfig.DialFunc)
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if err := pgxvec.RegisterTypes(ctx, c); err != nil {
			return err
		}
		// The search settings (searchSettings) for every query on this connection. A
		// read also sets them for its own transaction (runStatement), which is what holds
		// behind a transaction pooler, where the next transaction may run on another
		// server connection than the one this SET reached.
		var set strings.Builder
		for _, kv := range searchSettings {
			fmt.Fprintf(&set, "SET %s = %s; ", kv[0], kv[1])
		}
		_, err := c.Exec(ctx, set.String())
		return err
	}
	return cfg, nil
}

// searchSettings are the settings footnote's searches need on the server: HNSW search with
// a wider candidate list than the default 40 (hnswEfSearch, rank.go), and iterative scans
// so that collection and date filters (applied after the index scan) still return k rows,
// visiting at most hnswMaxScanTuples vectors (densearm.go). And no JIT compilation:
// Postgres compiles any plan whose estimated cost passes jit_above_cost, and a walk of an
// HNSW index runs with sorts off (denseScope), whose penalty puts every walk far past it:
// 75-85 ms of compiling for an index scan of under 1 ms (BenchmarkDenseArmOwnPartition).
// footnote's queries are index lookups and short scans, which compiling never pays for.
// Names and values come from the code, never from input.
var searchSettings = [][2]string{
	{"hnsw.ef_search", strconv.Itoa(hnswEfSearch)},
	{"hnsw.iterative_scan", "relaxed_order"},
	{"hnsw.max_scan_tuples", strconv.Itoa(hnswMaxScanTuples)},
	{"jit", "off"},
}

// openPool opens a pool of cfg (it connects when first used), whose dead connections go
// as soon as one of them shows the database went away.
func openPool(ctx context.Context, cfg *pgxpool.Config) (*pgxpool.Pool, error) {
	reset := &resetOnOutage{}
	cfg.ConnConfig.Tracer = reset
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	reset.pool.Store(pool)
	return pool, nil
}

// Close releases the pools.
func (s *Store) Close() {
	if s.replicas != nil {
		s.replicas.close()
	}
	s.pool.Close()
}

// storeTx is the Store inside one transaction: the statements of a write that must happen
// together (a batch of articles, a rebuild of postings) are methods of storeTx, each next to
// its SQL, so that no query lives outside the Store. Only Store methods get one, from
// inCollection or inAllCollections (store_scope.go), which say which collections it sees.
type storeTx struct{ tx pgx.Tx }

// analyze refreshes the planner statistics of the tables a bulk import grows, through
// footnote_analyze (migration 015): ANALYZE is the tables' owner's to run.
func (s *Store) analyze(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, "SELECT footnote_analyze()"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}
