package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/extract"
)

// recordQuestion stores a question with its answer, for coverage reports and feedback.
func (s *Store) recordQuestion(ctx context.Context, coll, by, question string, a *Answer) (int64, error) {
	cites, err := json.Marshal(a.Citations)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.pool.QueryRow(ctx, `
		INSERT INTO questions (collection, asked_by, question, answer, mode, covered, citations)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		coll, by, question, a.Text, a.Mode, a.Covered, cites).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record question: %w", err)
	}
	return id, nil
}

// RecordFeedback stores a member's verdict on an answer of the same collection; a second
// verdict from the same member replaces the first. It returns ErrNotFound when the question
// is not in the collection.
func (e *Engine) RecordFeedback(ctx context.Context, fb Feedback) error {
	tag, err := e.store.pool.Exec(ctx, `
		INSERT INTO feedback (collection, question_id, user_id, helpful, reason)
		SELECT $1, id, $3, $4, $5 FROM questions WHERE id = $2 AND collection = $1
		ON CONFLICT (question_id, user_id) DO UPDATE SET helpful = EXCLUDED.helpful,
			reason = EXCLUDED.reason, created_at = now()`,
		fb.Collection, fb.QuestionID, fb.User, fb.Helpful, fb.Reason)
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("question %d: %w", fb.QuestionID, ErrNotFound)
	}
	return nil
}

// ListArticles returns one page of the collection's articles, newest first, and how many
// match in all. A non-empty query keeps the articles whose title, site or URL contains it
// or whose text matches it as a web search. It fails only on a database error.
func (e *Engine) ListArticles(ctx context.Context, coll, query string, offset, limit int) ([]Article, int, error) {
	if limit <= 0 || limit > 100 {
		limit = 10
	}
	offset = max(offset, 0)
	query = strings.TrimSpace(cleanLine(query))
	rows, err := e.store.pool.Query(ctx, `
		SELECT a.id, a.url, a.title, a.byline, a.site, a.published_at, a.fetched_at, a.added_by,
		       (SELECT count(*) FROM chunks c WHERE c.article_id = a.id), count(*) OVER ()
		FROM articles a
		WHERE a.collection = $1
		  AND ($2 = '' OR a.title ILIKE '%' || $2 || '%' OR a.site ILIKE '%' || $2 || '%'
		       OR a.url ILIKE '%' || $2 || '%'
		       OR EXISTS (SELECT 1 FROM chunks c WHERE c.article_id = a.id
		                  AND c.tsv @@ websearch_to_tsquery('english', $2)))
		ORDER BY a.published_at DESC NULLS LAST, a.id DESC
		OFFSET $3 LIMIT $4`, coll, query, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("list articles: %w", err)
	}
	defer rows.Close()
	var out []Article
	total := 0
	for rows.Next() {
		a := Article{Collection: coll}
		var pub *time.Time
		if err := rows.Scan(&a.ID, &a.URL, &a.Title, &a.Byline, &a.Site, &pub, &a.FetchedAt, &a.AddedBy, &a.Passages, &total); err != nil {
			return nil, 0, err
		}
		if pub != nil {
			a.Published = pub.UTC()
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		// Past the last page: count anyway so the caller can say how many there are.
		_, total, err = e.ListArticles(ctx, coll, query, 0, 1)
	}
	return out, total, err
}

// RemoveArticle deletes one article (by URL, canonicalised) with its passages and vectors.
// Only the member who added it or an admin may; others get ErrForbidden. An unknown URL is
// ErrNotFound.
func (e *Engine) RemoveArticle(ctx context.Context, coll, rawURL, requester string, admin bool) (*Article, error) {
	canon, err := extract.Canonical(strings.TrimSpace(rawURL))
	if err != nil {
		canon = strings.TrimSpace(rawURL) // file:///name and other stored forms
	}
	var a Article
	err = pgx.BeginFunc(ctx, e.store.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT id, url, title, added_by FROM articles
			WHERE collection = $1 AND url IN ($2, $3) FOR UPDATE`, coll, canon, strings.TrimSpace(rawURL)).
			Scan(&a.ID, &a.URL, &a.Title, &a.AddedBy)
		if err == pgx.ErrNoRows {
			return fmt.Errorf("article %s: %w", rawURL, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("find article: %w", err)
		}
		if !admin && (a.AddedBy == "" || a.AddedBy != requester) {
			return fmt.Errorf("remove %s: %w: only the member who added it or an admin can", a.URL, ErrForbidden)
		}
		// Passages, postings and vectors go with it (ON DELETE CASCADE).
		if _, err := tx.Exec(ctx, `DELETE FROM articles WHERE id = $1`, a.ID); err != nil {
			return fmt.Errorf("delete article: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.Collection = coll
	return &a, nil
}

// RemoveCollection deletes every article of coll (and everything under them), its
// questions, feedback and feeds, and returns how many articles it removed.
func (e *Engine) RemoveCollection(ctx context.Context, coll string) (int, error) {
	var n int64
	err := pgx.BeginFunc(ctx, e.store.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM articles WHERE collection = $1`, coll)
		if err != nil {
			return fmt.Errorf("delete articles: %w", err)
		}
		n = tag.RowsAffected()
		for _, q := range []string{
			`DELETE FROM questions WHERE collection = $1`,
			`DELETE FROM feeds WHERE collection = $1`,
			`DELETE FROM collections WHERE name = $1`,
		} {
			if _, err := tx.Exec(ctx, q, coll); err != nil {
				return fmt.Errorf("delete collection %s: %w", coll, err)
			}
		}
		return nil
	})
	return int(n), err
}

// Passage returns one passage of coll with its article's text, for showing a citation in
// full. A passage of another collection is ErrNotFound.
func (e *Engine) Passage(ctx context.Context, coll string, chunkID int64) (*PassageView, error) {
	var v PassageView
	var pub *time.Time
	err := e.store.pool.QueryRow(ctx, `
		SELECT c.id, c.article_id, c.body, c.start_offset, c.end_offset, a.url, a.title, a.site, a.published_at, a.body
		FROM chunks c JOIN articles a ON a.id = c.article_id
		WHERE c.collection = $1 AND c.id = $2`, coll, chunkID).
		Scan(&v.ChunkID, &v.ArticleID, &v.Text, &v.Start, &v.End, &v.URL, &v.Title, &v.Site, &pub, &v.ArticleText)
	if err == pgx.ErrNoRows {
		return nil, fmt.Errorf("passage %d: %w", chunkID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load passage: %w", err)
	}
	if pub != nil {
		v.Published = pub.UTC()
	}
	return &v, nil
}
