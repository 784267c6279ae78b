package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/pgvector/pgvector-go"
)

// reindexBatch is how many passages a reindex embeds and writes at a time.
const reindexBatch = 256

// Reindex embeds every passage of coll that has no vector in the configured embedding space
// (all of them after a change of model), then makes that space the collection's active one
// in one statement: until then the old space keeps serving, so /ask never breaks. progress
// (may be nil) is called after each batch. It is safe to run again after an interruption:
// it picks up where it stopped.
func (e *Engine) Reindex(ctx context.Context, coll string, progress func(done, total int)) (ReindexStats, error) {
	start := time.Now()
	st := ReindexStats{Space: e.space.Name()}
	if progress == nil {
		progress = func(int, int) {}
	}
	err := e.store.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM articles WHERE collection = $1),
		       (SELECT count(*) FROM chunks WHERE collection = $1)`, coll).Scan(&st.Articles, &st.Passages)
	if err != nil {
		return st, fmt.Errorf("count passages: %w", err)
	}
	var todo int
	if err := e.store.pool.QueryRow(ctx, `
		SELECT count(*) FROM chunks c
		WHERE c.collection = $1
		  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = $2 AND e.chunk_id = c.id)`,
		coll, e.space.ID).Scan(&todo); err != nil {
		return st, fmt.Errorf("count passages to embed: %w", err)
	}
	progress(0, todo)
	var after int64
	for {
		rows, err := e.store.pool.Query(ctx, `
			SELECT c.id, a.title, c.body FROM chunks c JOIN articles a ON a.id = c.article_id
			WHERE c.collection = $1 AND c.id > $3
			  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = $2 AND e.chunk_id = c.id)
			ORDER BY c.id LIMIT $4`, coll, e.space.ID, after, reindexBatch)
		if err != nil {
			return st, fmt.Errorf("read passages: %w", err)
		}
		var ids []int64
		var texts []string
		for rows.Next() {
			var id int64
			var title, body string
			if err := rows.Scan(&id, &title, &body); err != nil {
				rows.Close()
				return st, err
			}
			ids = append(ids, id)
			texts = append(texts, title+"\n"+body)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		vecs, err := e.cfg.Embedder.Embed(ctx, texts)
		if err != nil {
			return st, fmt.Errorf("embed passages: %w", err)
		}
		pv := make([]pgvector.Vector, len(vecs))
		for i, v := range vecs {
			pv[i] = pgvector.NewVector(v)
		}
		// A passage deleted meanwhile makes COPY fail on its foreign key; insert through a
		// statement that skips such rows instead.
		if _, err := e.store.pool.Exec(ctx, `
			INSERT INTO embeddings (space_id, chunk_id, collection, embedding)
			SELECT $1, c.id, c.collection, v.embedding
			FROM unnest($2::bigint[], $3::vector[]) AS v(chunk_id, embedding)
			JOIN chunks c ON c.id = v.chunk_id
			ON CONFLICT (space_id, chunk_id) DO NOTHING`, e.space.ID, ids, pv); err != nil {
			return st, fmt.Errorf("store vectors: %w", err)
		}
		st.Embedded += len(ids)
		progress(st.Embedded, todo)
	}
	if _, err := e.store.pool.Exec(ctx, `
		INSERT INTO collections (name, active_space) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET active_space = EXCLUDED.active_space`, coll, e.space.ID); err != nil {
		return st, fmt.Errorf("switch embedding space: %w", err)
	}
	st.Took = time.Since(start)
	return st, nil
}
