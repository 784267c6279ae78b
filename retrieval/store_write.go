package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// preparedPassage is a passage ready to store: its span, its BM25 term counts and vector.
type preparedPassage struct {
	Start, End int
	Terms      map[string]int
	Length     int // number of terms, title included
	Vector     []float32
}

// prepared is an article with its passages, ready for one batch write.
type prepared struct {
	Article  Article
	Passages []preparedPassage
	Line     int // import line, for reports; 0 otherwise
}

// storeBatch writes articles in one transaction and reports what happened to each, in
// input order. Unchanged articles (same URL, same content) and duplicates (same content
// under another URL) are left as they are; a changed article replaces its passages.
func (s *Store) storeBatch(ctx context.Context, coll string, space Space, batch []prepared) ([]AddedArticle, error) {
	out := make([]AddedArticle, len(batch))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The collection row holds BM25 statistics and the active embedding space; the
		// first write into a collection makes the configured space its active one.
		if _, err := tx.Exec(ctx, `
			INSERT INTO collections (name, active_space, lexicon) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET active_space = COALESCE(collections.active_space, EXCLUDED.active_space)`,
			coll, space.ID, text.Version); err != nil {
			return fmt.Errorf("upsert collection: %w", err)
		}
		existing, err := lookupExisting(ctx, tx, coll, batch)
		if err != nil {
			return err
		}
		var write []int // indexes into batch of articles whose passages must be written
		seenHash := map[string]string{}
		// A URL given twice in one batch: the later text wins, so the earlier one's
		// passages must not be written.
		written := map[string]int{} // url -> index into batch
		superseded := map[int]bool{}
		remember := func(i int) {
			a := batch[i].Article
			existing.byURL[a.URL] = existingRow{a.ID, a.Hash}
			existing.byHash[a.Hash] = a.URL
			if j, ok := written[a.URL]; ok {
				superseded[j] = true
			}
			written[a.URL] = i
			write = append(write, i)
		}
		for i := range batch {
			a := &batch[i].Article
			out[i] = AddedArticle{Article: *a, Passages: len(batch[i].Passages)}
			if u, ok := seenHash[a.Hash]; ok && u != a.URL {
				out[i].Status, out[i].DuplicateOf = StatusDuplicate, u
				continue
			}
			seenHash[a.Hash] = a.URL
			if e, ok := existing.byURL[a.URL]; ok {
				out[i].Article.ID = e.id
				if e.hash == a.Hash {
					out[i].Status = StatusUnchanged
					continue
				}
				if _, err := tx.Exec(ctx, `
					UPDATE articles SET title = $2, byline = $3, site = $4, published_at = $5,
						fetched_at = now(), content_hash = $6, body = $7
					WHERE id = $1`, e.id, a.Title, a.Byline, a.Site, nullTime(a.Published), a.Hash, a.Text); err != nil {
					return fmt.Errorf("update article %s: %w", a.URL, err)
				}
				// Cascades to postings and embeddings; the statement trigger fixes the stats.
				if _, err := tx.Exec(ctx, `DELETE FROM chunks WHERE article_id = $1`, e.id); err != nil {
					return fmt.Errorf("replace passages of %s: %w", a.URL, err)
				}
				a.ID = e.id
				out[i].Status = StatusUpdated
				remember(i)
				continue
			}
			if u, ok := existing.byHash[a.Hash]; ok {
				out[i].Status, out[i].DuplicateOf = StatusDuplicate, u
				continue
			}
			var feed any
			if a.FeedID != 0 {
				feed = a.FeedID
			}
			err := tx.QueryRow(ctx, `
				INSERT INTO articles (collection, url, title, byline, site, published_at, content_hash, body, added_by, feed_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
				ON CONFLICT (collection, url) DO NOTHING
				RETURNING id, fetched_at`,
				coll, a.URL, a.Title, a.Byline, a.Site, nullTime(a.Published), a.Hash, a.Text, a.AddedBy, feed).Scan(&a.ID, &a.FetchedAt)
			if err == pgx.ErrNoRows {
				// Another process added the same URL a moment ago.
				out[i].Status = StatusUnchanged
				continue
			}
			if err != nil {
				return fmt.Errorf("insert article %s: %w", a.URL, err)
			}
			out[i].Article.ID, out[i].Article.FetchedAt = a.ID, a.FetchedAt
			out[i].Status = StatusAdded
			remember(i)
		}
		keep := write[:0]
		for _, i := range write {
			if !superseded[i] {
				keep = append(keep, i)
			}
		}
		return writePassages(ctx, tx, coll, space, batch, keep)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type existingRow struct {
	id   int64
	hash string
}

type existingArticles struct {
	byURL  map[string]existingRow
	byHash map[string]string // hash -> url
}

// lookupExisting finds the batch's articles already stored, by URL or by content.
func lookupExisting(ctx context.Context, tx pgx.Tx, coll string, batch []prepared) (existingArticles, error) {
	urls := make([]string, len(batch))
	hashes := make([]string, len(batch))
	for i, p := range batch {
		urls[i], hashes[i] = p.Article.URL, p.Article.Hash
	}
	ex := existingArticles{byURL: map[string]existingRow{}, byHash: map[string]string{}}
	rows, err := tx.Query(ctx, `
		SELECT id, url, content_hash FROM articles
		WHERE collection = $1 AND (url = ANY($2) OR content_hash = ANY($3))
		FOR UPDATE`, coll, urls, hashes)
	if err != nil {
		return ex, fmt.Errorf("look up existing articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u, h string
		if err := rows.Scan(&id, &u, &h); err != nil {
			return ex, err
		}
		ex.byURL[u] = existingRow{id, h}
		ex.byHash[h] = u
	}
	return ex, rows.Err()
}

// writePassages copies the passages, postings and vectors of batch[write...] with COPY,
// the fastest way into Postgres; chunk ids are drawn from the sequence first so postings
// and embeddings can refer to them in the same round.
func writePassages(ctx context.Context, tx pgx.Tx, coll string, space Space, batch []prepared, write []int) error {
	n := 0
	for _, i := range write {
		n += len(batch[i].Passages)
	}
	if n == 0 {
		return nil
	}
	ids := make([]int64, 0, n)
	rows, err := tx.Query(ctx, `SELECT nextval('chunks_id_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return fmt.Errorf("allocate passage ids: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var chunks, posts, vecs [][]any
	k := 0
	for _, i := range write {
		a := batch[i].Article
		for ord, p := range batch[i].Passages {
			id := ids[k]
			k++
			chunks = append(chunks, []any{id, a.ID, coll, ord, p.Start, p.End, a.Text[p.Start:p.End], p.Length})
			for term, tf := range p.Terms {
				posts = append(posts, []any{coll, term, id, tf, p.Length})
			}
			if p.Vector != nil {
				vecs = append(vecs, []any{space.ID, id, coll, pgvector.NewVector(p.Vector)})
			}
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"chunks"},
		[]string{"id", "article_id", "collection", "ordinal", "start_offset", "end_offset", "body", "token_count"},
		pgx.CopyFromRows(chunks)); err != nil {
		return fmt.Errorf("copy passages: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"postings"},
		[]string{"collection", "term", "chunk_id", "tf", "doc_len"}, pgx.CopyFromRows(posts)); err != nil {
		return fmt.Errorf("copy postings: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"embeddings"},
		[]string{"space_id", "chunk_id", "collection", "embedding"}, pgx.CopyFromRows(vecs)); err != nil {
		return fmt.Errorf("copy embeddings: %w", err)
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
