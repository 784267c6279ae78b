package retrieval

import (
	"context"
	"fmt"

	"github.com/pgvector/pgvector-go"
)

// countPassagesToEmbed returns how many passages of coll have no vector in space yet: the
// work a reindex has left. It fails only on a database error.
func (s *Store) countPassagesToEmbed(ctx context.Context, coll string, space Space) (int, error) {
	var n int
	if _, err := s.query(ctx, in(coll), `
		SELECT count(*) FROM chunks c
		WHERE c.collection = $1
		  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = $2 AND e.chunk_id = c.id)`,
		[]any{coll, space.ID}, into(&n)); err != nil {
		return 0, fmt.Errorf("count passages to embed: %w", err)
	}
	return n, nil
}

// insertEmbeddings stores vecs[i] as the vector of coll's passage ids[i] in space. Passages
// deleted since they were read, and vectors stored meanwhile by another reindex, are
// skipped. It fails only on a database error.
func (s *Store) insertEmbeddings(ctx context.Context, coll string, space Space, ids []int64, vecs [][]float32) error {
	pv := make([]pgvector.Vector, len(vecs))
	for i, v := range vecs {
		pv[i] = pgvector.NewVector(v)
	}
	// A passage deleted meanwhile makes COPY fail on its foreign key; the join with chunks
	// skips such rows instead, and takes each vector's collection from its passage.
	if _, err := s.exec(ctx, in(coll), `
		INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
		SELECT $1, c.id, c.collection, v.embedding
		FROM unnest($2::bigint[], $3::vector[]) AS v(chunk_id, embedding)
		JOIN chunks c ON c.id = v.chunk_id
		ON CONFLICT (space_id, chunk_id) DO NOTHING`, space.ID, ids, pv); err != nil {
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
		INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
		SELECT $1, v.chunk_id, $2, v.embedding
		FROM unnest($3::bigint[], $4::vector[]) AS v(chunk_id, embedding)`,
		space.ID, coll, w.vectorPassages, w.vectors); err != nil {
		return fmt.Errorf("store vectors: %w", err)
	}
	return nil
}
