package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// reindexBatch is how many passages a reindex embeds and writes at a time.
const reindexBatch = 256

// Reindex brings a collection's indexes up to date. When its postings were built by an
// older tokeniser (text.Version), it rebuilds them from the stored passages first. Then it
// embeds every passage that has no vector in the configured embedding space (all of them
// after a change of model), and makes that space the collection's active one in one
// statement: until then the old space keeps serving, so /ask never breaks. progress (may be
// nil) is called after each batch with the passages done and to do. It is safe to run
// again after an interruption: it picks up where it stopped.
func (e *Engine) Reindex(ctx context.Context, coll string, progress func(done, total int)) (ReindexStats, error) {
	start := time.Now()
	st := ReindexStats{Space: e.space.Name()}
	if progress == nil {
		progress = func(int, int) {}
	}
	var lexicon int
	err := e.store.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM articles WHERE collection = $1),
		       (SELECT count(*) FROM chunks WHERE collection = $1),
		       COALESCE((SELECT lexicon FROM collections WHERE name = $1), $2)`,
		coll, text.Version).Scan(&st.Articles, &st.Passages, &lexicon)
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
	total, done := todo, 0
	if lexicon != text.Version {
		total += st.Passages
	}
	report := func(n int) {
		done += n
		progress(done, total)
	}
	progress(0, total)
	if lexicon != text.Version {
		if st.Relexed, err = e.relex(ctx, coll, report); err != nil {
			return st, err
		}
	}
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
		report(len(ids))
	}
	if _, err := e.store.pool.Exec(ctx, `
		INSERT INTO collections (name, active_space) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET active_space = EXCLUDED.active_space`, coll, e.space.ID); err != nil {
		return st, fmt.Errorf("switch embedding space: %w", err)
	}
	st.Took = time.Since(start)
	return st, nil
}

// relexBatch is how many passages a reindex re-tokenises at a time.
const relexBatch = 500

// relex rebuilds the postings and BM25 lengths of every passage of coll with the current
// tokeniser, a batch per transaction (search keeps working throughout), then stamps the
// collection with text.Version. It returns how many passages it rebuilt.
func (e *Engine) relex(ctx context.Context, coll string, report func(int)) (int, error) {
	n := 0
	var after int64
	for {
		rows, err := e.store.pool.Query(ctx, `
			SELECT c.id, a.title, c.body FROM chunks c JOIN articles a ON a.id = c.article_id
			WHERE c.collection = $1 AND c.id > $2
			ORDER BY c.id LIMIT $3`, coll, after, relexBatch)
		if err != nil {
			return n, fmt.Errorf("read passages: %w", err)
		}
		var ids []int64
		var lens []int32
		var terms []string
		var postChunk []int64
		var tfs, docLens []int32
		for rows.Next() {
			var id int64
			var title, body string
			if err := rows.Scan(&id, &title, &body); err != nil {
				rows.Close()
				return n, err
			}
			counts, length := passageTerms(title, body)
			ids, lens = append(ids, id), append(lens, int32(length))
			for t, tf := range counts {
				terms, postChunk = append(terms, t), append(postChunk, id)
				tfs, docLens = append(tfs, int32(tf)), append(docLens, int32(length))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		if len(ids) == 0 {
			break
		}
		after = ids[len(ids)-1]
		err = pgx.BeginFunc(ctx, e.store.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `DELETE FROM postings WHERE collection = $1 AND chunk_id = ANY($2)`, coll, ids); err != nil {
				return err
			}
			// Passages deleted since they were read are skipped, not an error.
			if _, err := tx.Exec(ctx, `
				INSERT INTO postings (collection, term, chunk_id, tf, doc_len)
				SELECT $1, v.term, v.chunk_id, v.tf, v.doc_len
				FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) AS v(term, chunk_id, tf, doc_len)
				WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.id = v.chunk_id)`,
				coll, terms, postChunk, tfs, docLens); err != nil {
				return err
			}
			// New lengths, and the collection's total length moved by the difference
			// (the CTEs all see the lengths from before the update).
			_, err := tx.Exec(ctx, `
				WITH old AS (SELECT id, token_count FROM chunks WHERE id = ANY($2)),
				     upd AS (UPDATE chunks c SET token_count = v.n
				             FROM unnest($2::bigint[], $3::int[]) AS v(id, n)
				             WHERE c.id = v.id RETURNING c.id, c.token_count)
				UPDATE collections SET token_total = token_total +
				       (SELECT COALESCE(sum(upd.token_count - old.token_count), 0) FROM upd JOIN old USING (id))
				WHERE name = $1`, coll, ids, lens)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("rebuild postings: %w", err)
		}
		n += len(ids)
		report(len(ids))
	}
	if _, err := e.store.pool.Exec(ctx, `UPDATE collections SET lexicon = $2 WHERE name = $1`, coll, text.Version); err != nil {
		return n, fmt.Errorf("stamp tokeniser version: %w", err)
	}
	return n, nil
}
