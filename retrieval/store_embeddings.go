package retrieval

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// countPassagesToEmbed returns how many passages of coll have no vector in space yet: the
// work a reindex has left. It fails only on a database error.
func (s *Store) countPassagesToEmbed(ctx context.Context, coll string, space Space) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `
		SELECT count(*) FROM chunks c
		WHERE c.collection = $1
		  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = $2 AND e.chunk_id = c.id)`,
		coll, space.ID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count passages to embed: %w", err)
	}
	return n, nil
}

// insertEmbeddings stores vecs[i] as the vector of passage ids[i] in space. Passages deleted
// since they were read, and vectors stored meanwhile by another reindex, are skipped. It
// fails only on a database error.
func (s *Store) insertEmbeddings(ctx context.Context, space Space, ids []int64, vecs [][]float32) error {
	pv := make([]pgvector.Vector, len(vecs))
	for i, v := range vecs {
		pv[i] = pgvector.NewVector(v)
	}
	// A passage deleted meanwhile makes COPY fail on its foreign key; the join with chunks
	// skips such rows instead, and takes each vector's collection from its passage.
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
		SELECT $1, c.id, c.collection, v.embedding
		FROM unnest($2::bigint[], $3::vector[]) AS v(chunk_id, embedding)
		JOIN chunks c ON c.id = v.chunk_id
		ON CONFLICT (space_id, chunk_id) DO NOTHING`, space.ID, ids, pv); err != nil {
		return fmt.Errorf("store vectors: %w", err)
	}
	return nil
}

// embeddingColumns are the columns of a row for copyEmbeddings.
var embeddingColumns = []string{"space_id", "chunk_id", "collection", "embedding"}

// copyEmbeddings writes rows (one per passage vector, in embeddingColumns' order) with
// COPY.
func (t storeTx) copyEmbeddings(ctx context.Context, rows [][]any) error {
	if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{"embeddings"}, embeddingColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy embeddings: %w", err)
	}
	return nil
}
