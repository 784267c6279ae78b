package retrieval

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pgvector/pgvector-go"
)

// Space is an embedding space: vectors of one model and size, with their own HNSW index.
type Space struct {
	ID    int
	Model string
	Dims  int
}

// pgvector's HNSW index takes vector (32-bit floats) up to 2,000 dimensions and halfvec
// (16-bit floats) up to 4,000. footnote stores and indexes a space up to MaxVectorDims wide
// as vector, a wider one as halfvec (half the storage, and cosine distances that differ in
// the third or fourth decimal), and refuses a model wider than MaxEmbedDims.
const (
	MaxVectorDims = 2000
	MaxEmbedDims  = 4000
)

// Name is how a space is shown to people.
func (sp Space) Name() string { return fmt.Sprintf("%s/%d", sp.Model, sp.Dims) }

// Half reports whether the space's vectors are stored and indexed as halfvec: it is wider
// than MaxVectorDims.
func (sp Space) Half() bool { return sp.Dims > MaxVectorDims }

// column is the embeddings column that holds the space's vectors (migration 012).
func (sp Space) column() string {
	if sp.Half() {
		return "embedding_half"
	}
	return "embedding"
}

// baseType is the SQL type of the space's vectors, without their dimension.
func (sp Space) baseType() string {
	if sp.Half() {
		return "halfvec"
	}
	return "vector"
}

// sqlType is the space's vectors' SQL type, with their dimension: the cast that the HNSW
// index's expression and every query of it spell the same way.
func (sp Space) sqlType() string {
	return fmt.Sprintf("%s(%d)", sp.baseType(), sp.Dims)
}

// value turns v into a query argument of the space's type.
func (sp Space) value(v []float32) any {
	if sp.Half() {
		return pgvector.NewHalfVector(v)
	}
	return pgvector.NewVector(v)
}

// values turns vecs into one array argument of the space's type.
func (sp Space) values(vecs [][]float32) any {
	if sp.Half() {
		out := make([]pgvector.HalfVector, len(vecs))
		for i, v := range vecs {
			out[i] = pgvector.NewHalfVector(v)
		}
		return out
	}
	out := make([]pgvector.Vector, len(vecs))
	for i, v := range vecs {
		out[i] = pgvector.NewVector(v)
	}
	return out
}

// checkDims refuses a model whose vectors no HNSW index can hold, before anything is
// created or embedded.
func checkDims(model string, dims int) error {
	if dims > MaxEmbedDims {
		return fmt.Errorf("%w: embedding model %s gives %d-dimensional vectors; footnote indexes at most %d (pgvector's HNSW limit, as halfvec)",
			ErrTooManyDims, model, dims, MaxEmbedDims)
	}
	return nil
}

// ensureSpace returns the space for (model, dims), creating it on first use, with its HNSW
// index when searches read the space (Space.indexed) and without one when they do not
// (dropping one an older footnote made). It is safe to call from several processes at
// once. A model wider than MaxEmbedDims is ErrTooManyDims, and creates nothing.
func (s *Store) ensureSpace(ctx context.Context, model string, dims int) (Space, error) {
	sp := Space{Model: model, Dims: dims}
	if err := checkDims(model, dims); err != nil {
		return Space{}, err
	}
	// The common case, an existing space with the index it should have, takes no lock:
	// creating the index (footnote_space_index) waits for writers of embeddings, and a
	// writer checking its foreign key on a locked space row would wait for us in turn (a
	// deadlock).
	var indexed bool
	err := s.pool.QueryRow(ctx, `
		SELECT id, to_regclass('embeddings_hnsw_' || id) IS NOT NULL
		FROM embedding_spaces WHERE model = $1 AND dims = $2`, model, dims).Scan(&sp.ID, &indexed)
	if errors.Is(err, pgx.ErrNoRows) {
		// footnote_ensure_space_row (migration 017) creates the row as the tables' owner,
		// one process at a time.
		indexed = false
		err = s.pool.QueryRow(ctx, `SELECT footnote_ensure_space_row($1, $2)`, model, dims).Scan(&sp.ID)
	}
	if err != nil {
		return Space{}, fmt.Errorf("ensure embedding space %s: %w", sp.Name(), err)
	}
	if indexed != sp.indexed() {
		if err := s.setSpaceIndex(ctx, sp, sp.indexed()); err != nil {
			return Space{}, err
		}
	}
	return sp, nil
}

// setSpaceIndex creates sp's HNSW index (on embedding, or on embedding_half as halfvec for
// a space wider than MaxVectorDims) when wanted, or drops it, through footnote_space_index
// (migration 017): the runtime role may create no index. A drop that does not get its lock
// within a second leaves the index to the next call.
func (s *Store) setSpaceIndex(ctx context.Context, sp Space, wanted bool) error {
	if _, err := s.pool.Exec(ctx, `SELECT footnote_space_index($1, $2)`, sp.ID, wanted); err != nil {
		return fmt.Errorf("set HNSW index of embedding space %s: %w", sp.Name(), err)
	}
	return nil
}

// lookupSpace returns the embedding space with id, or an error when there is none or the
// database fails.
func (s *Store) lookupSpace(ctx context.Context, id int) (Space, error) {
	sp := Space{ID: id}
	err := s.pool.QueryRow(ctx, `SELECT model, dims FROM embedding_spaces WHERE id = $1`, id).Scan(&sp.Model, &sp.Dims)
	if err != nil {
		return Space{}, fmt.Errorf("look up embedding space %d: %w", id, err)
	}
	return sp, nil
}

// deleteUnusedSpaces deletes every embedding space but keep that no collection searches and
// that holds no vectors, and the HNSW indexes of spaces that are gone, and returns the names
// of the spaces it deleted. A space that a write starts using meanwhile is kept: both
// references to it refuse the delete (migration 012), and a writer that finds its space
// gone creates it again (isSpaceGone). It fails only on a database error.
func (s *Store) deleteUnusedSpaces(ctx context.Context, keep int) ([]string, error) {
	// Every collection's: a space is unused only when no collection uses it.
	var unused []Space
	_, err := s.query(ctx, allCollections, `
		SELECT s.id, s.model, s.dims FROM embedding_spaces s
		WHERE s.id <> $1
		  AND NOT EXISTS (SELECT 1 FROM collections c WHERE c.active_space = s.id)
		  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = s.id)
		ORDER BY s.id`, []any{keep}, func(rows pgx.Rows) error {
		var err error
		unused, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Space, error) {
			var sp Space
			err := r.Scan(&sp.ID, &sp.Model, &sp.Dims)
			return sp, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list unused embedding spaces: %w", err)
	}
	var deleted []string
	for _, sp := range unused {
		// The foreign keys that refuse the delete are checked whatever the scope
		// (PostgreSQL's referential checks pass row-level security).
		_, err := s.exec(ctx, allCollections, `DELETE FROM embedding_spaces WHERE id = $1`, sp.ID)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "23503" { // foreign_key_violation: in use again
			continue
		}
		if err != nil {
			return deleted, fmt.Errorf("delete embedding space %s: %w", sp.Name(), err)
		}
		deleted = append(deleted, sp.Name())
	}
	return deleted, s.dropOrphanIndexes(ctx)
}

// dropOrphanIndexes drops the HNSW index of every embedding space whose row is gone,
// including one an earlier, interrupted call left behind. Space ids are never reused, so an
// index without its row is never wanted again. Dropping an index is the tables' owner's, so
// footnote_drop_orphan_indexes (migration 015) does it, as the owner: a plain DROP INDEX,
// since a function cannot run DROP INDEX CONCURRENTLY, that gives up on an index whose lock
// it does not get within a second (searches wait behind it at most that long) and leaves it
// to the next call.
func (s *Store) dropOrphanIndexes(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, `SELECT footnote_drop_orphan_indexes()`); err != nil {
		return fmt.Errorf("drop indexes of deleted embedding spaces: %w", err)
	}
	return nil
}
