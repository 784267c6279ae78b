package retrieval

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// insertEmbeddings stores vecs[i] as the vector of coll's passage ids[i] in space. Passages
// deleted since they were read, and vectors stored meanwhile by another reindex, are
// skipped. It fails on a database error; when space's row was deleted meanwhile
// (deleteUnusedSpaces in another process), the error satisfies isSpaceGone.
func (s *Store) insertEmbeddings(ctx context.Context, coll string, space Space, ids []int64, vecs [][]float32) error {
	vals := space.values(vecs)
	// A passage deleted meanwhile would fail the insert on its foreign key; the join with
	// chunks skips such rows instead, and takes each vector's collection from its passage.
	// The column (and the array's type) is the space's: embedding, or embedding_half for a
	// space wider than MaxVectorDims.
	if _, err := s.exec(ctx, in(coll), `
		INSERT INTO embeddings (space_id, chunk_id, collection, `+space.column()+`)
		SELECT $1, c.id, c.collection, v.vec
		FROM unnest($2::bigint[], $3::`+space.baseType()+`[]) AS v(chunk_id, vec)
		JOIN chunks c ON c.id = v.chunk_id AND c.collection = $4
		ON CONFLICT (space_id, chunk_id, collection) DO NOTHING`, space.ID, ids, vals, coll); err != nil {
		return fmt.Errorf("store vectors: %w", err)
	}
	return nil
}

// insertVectors writes the vectors of w's passages, in space, into coll.
func (t storeTx) insertVectors(ctx context.Context, coll string, space Space, w *passageWrite) error {
	if len(w.vectors) == 0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO embeddings (space_id, chunk_id, collection, `+space.column()+`)
		SELECT $1, v.chunk_id, $2, v.vec
		FROM unnest($3::bigint[], $4::`+space.baseType()+`[]) AS v(chunk_id, vec)`,
		space.ID, coll, w.vectorPassages, space.values(w.vectors)); err != nil {
		return fmt.Errorf("store vectors: %w", err)
	}
	return nil
}

// isSpaceGone reports whether err is a write refused because it names an embedding space
// whose row is gone: another process deleted the space as unused (deleteUnusedSpaces)
// after this one looked it up. The writer creates the space again and retries.
func isSpaceGone(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503" && // foreign_key_violation
		(pe.ConstraintName == "embeddings_space_id_fkey" || pe.ConstraintName == "collections_active_space_fkey")
}

// deleteBatch is how many vectors one statement deletes when a collection has left a space.
// Each statement is its own short transaction, so searches and writes never wait long
// behind it: a bigger batch ends the whole delete sooner but holds its row locks and writes
// its WAL in bigger bursts. Not tuned: the BBC set's 7,016 vectors went in two statements,
// 42-114 ms in all, on the shared 2-core development machine.
const deleteBatch = 5000

// deleteLeftVectors deletes coll's vectors in every space but its active one, deleteBatch
// per statement, and returns how many it deleted. A collection with no active space keeps
// its vectors. It stops at ctx's end or a database error; what it deleted stays deleted.
func (s *Store) deleteLeftVectors(ctx context.Context, coll string) (int, error) {
	var spaces []int
	_, err := s.query(ctx, in(coll), `
		SELECT s.id FROM embedding_spaces s JOIN collections c ON c.name = $1
		WHERE c.active_space IS NOT NULL AND s.id <> c.active_space
		ORDER BY s.id`, []any{coll}, func(rows pgx.Rows) error {
		var err error
		spaces, err = pgx.CollectRows(rows, pgx.RowTo[int])
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("list embedding spaces: %w", err)
	}
	n := 0
	for _, sp := range spaces {
		for {
			// The inner select walks embeddings_collection_idx (space_id, collection); the
			// delete finds each row by its primary key. The active space is read again by
			// every statement, so a reindex that switched the collection back meanwhile
			// keeps its vectors.
			tag, err := s.exec(ctx, in(coll), `
				DELETE FROM embeddings
				WHERE space_id = $1 AND collection = $2 AND chunk_id = ANY(ARRAY(
					SELECT chunk_id FROM embeddings
					WHERE space_id = $1 AND collection = $2
					  AND $1 IS DISTINCT FROM (SELECT active_space FROM collections WHERE name = $2)
					LIMIT $3))`, sp, coll, deleteBatch)
			if err != nil {
				return n, fmt.Errorf("delete vectors of embedding space %d: %w", sp, err)
			}
			n += int(tag.RowsAffected())
			if tag.RowsAffected() < deleteBatch {
				break
			}
		}
	}
	return n, nil
}
