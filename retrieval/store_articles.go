package retrieval

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// listArticles returns articles offset to offset+limit of coll, newest first, and how many
// match in all. A non-empty query keeps the articles whose title, site or URL contains it or
// one of whose passages holds every term of it. It fails only on a database error.
func (s *Store) listArticles(ctx context.Context, coll, query string, offset, limit int) ([]Article, int, error) {
	var out []Article
	total := 0
	// count(*) OVER () gives the total along with the page, in one round trip. The order is
	// articles_published_idx's; the ILIKEs scan the collection, which a listing (one page,
	// by a person) can afford. The text matches an article when one of its passages holds
	// every term of it: the passages of its rarest term (its blocks) are checked against
	// the others (their term lists).
	counts, _ := text.Counts(query)
	queryTerms := make([]string, 0, len(counts))
	for t := range counts {
		queryTerms = append(queryTerms, t)
	}
	_, err := s.query(ctx, readIn(coll), `
		SELECT a.id, a.url, a.title, a.byline, a.site, a.published_at, a.fetched_at, a.added_by,
		       coalesce(a.updated_at, 'epoch'), coalesce(a.gone_at, 'epoch'),
		       (SELECT count(*) FROM chunks c WHERE c.article_id = a.id AND c.collection = a.collection), count(*) OVER ()
		FROM articles a
		WHERE a.collection = $1
		  AND ($2 = '' OR a.title ILIKE '%' || $2 || '%' OR a.site ILIKE '%' || $2 || '%'
		       OR a.url ILIKE '%' || $2 || '%'
		       OR a.id IN (SELECT c.article_id
		                   FROM term_blocks b, footnote_unpack_postings(b.first_id, b.postings) AS u, chunks c
		                   WHERE b.collection = $1 AND c.id = u.chunk_id AND c.collection = $1
		                     AND b.term = (SELECT term FROM term_stats
		                                   WHERE collection = $1 AND term = ANY($5::text[])
		                                   ORDER BY df LIMIT 1)
		                     AND string_to_array(c.terms, ' ') @> $5::text[]))
		ORDER BY a.published_at DESC NULLS LAST, a.id DESC
		OFFSET $3 LIMIT $4`, []any{coll, query, offset, limit, queryTerms}, func(rows pgx.Rows) error {
		for rows.Next() {
			a := Article{Collection: coll}
			var pub *time.Time
			if err := rows.Scan(&a.ID, &a.URL, &a.Title, &a.Byline, &a.Site, &pub, &a.FetchedAt, &a.AddedBy,
				&a.Updated, &a.Gone, &a.Passages, &total); err != nil {
				return err
			}
			a.Updated, a.Gone = unlessEpoch(a.Updated), unlessEpoch(a.Gone)
			if pub != nil {
				a.Published = pub.UTC()
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list articles: %w", err)
	}
	return out, total, nil
}

// deleteArticle deletes the article of coll stored under any of urls, with its passages,
// postings and vectors, if allow agrees: allow sees the article (ID, URL, Title, AddedBy)
// while it is locked, and its error is returned as is. It returns the deleted article, or
// ErrNotFound when coll has none under those URLs.
func (s *Store) deleteArticle(ctx context.Context, coll string, urls []string, allow func(Article) error) (Article, error) {
	a := Article{Collection: coll}
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		// FOR UPDATE: the article cannot change hands (or go) between the check and the delete.
		err := t.tx.QueryRow(ctx, `
			SELECT id, url, title, added_by FROM articles
			WHERE collection = $1 AND url = ANY($2) FOR UPDATE`, coll, urls).
			Scan(&a.ID, &a.URL, &a.Title, &a.AddedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("find article: %w", err)
		}
		if err := allow(a); err != nil {
			return err
		}
		// Passages, postings and vectors go with it (ON DELETE CASCADE).
		if _, err := t.tx.Exec(ctx, `DELETE FROM articles WHERE id = $1 AND collection = $2`, a.ID, coll); err != nil {
			return fmt.Errorf("delete article: %w", err)
		}
		return nil
	})
	return a, err
}

// existingRow is a stored article, as a batch write sees it.
type existingRow struct {
	id   int64
	hash string
}

// existingArticles are the stored articles a batch write may collide with.
type existingArticles struct {
	byURL  map[string]existingRow
	byHash map[string]string // hash -> url
}

// storedArticles finds the batch's articles coll already holds, by URL or by content,
// read from the primary (a replica may lag behind an article just added) without locking
// them: what skipStored needs to know before embedding.
func (s *Store) storedArticles(ctx context.Context, coll string, batch []prepared) (existingArticles, error) {
	var ex existingArticles
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		var err error
		ex, err = t.findExisting(ctx, coll, batch, false)
		return err
	})
	return ex, err
}

// lookupExisting finds the batch's articles already stored by URL or by content, and locks
// them until the transaction ends.
func (t storeTx) lookupExisting(ctx context.Context, coll string, batch []prepared) (existingArticles, error) {
	return t.findExisting(ctx, coll, batch, true)
}

// findExisting finds the batch's articles already stored by URL or by content, locked
// until the transaction ends when lock is set.
func (t storeTx) findExisting(ctx context.Context, coll string, batch []prepared, lock bool) (existingArticles, error) {
	urls := make([]string, len(batch))
	hashes := make([]string, len(batch))
	for i, p := range batch {
		urls[i], hashes[i] = p.Article.URL, p.Article.Hash
	}
	ex := existingArticles{byURL: map[string]existingRow{}, byHash: map[string]string{}}
	// articles_hash_idx serves the content_hash arm; the (collection, url) key the other.
	sql := `
		SELECT id, url, content_hash FROM articles
		WHERE collection = $1 AND (url = ANY($2) OR content_hash = ANY($3))`
	if lock {
		sql += ` FOR UPDATE`
	}
	rows, err := t.tx.Query(ctx, sql, coll, urls, hashes)
	if err != nil {
		return ex, fmt.Errorf("look up existing articles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var u, h string
		if err := rows.Scan(&id, &u, &h); err != nil {
			return ex, fmt.Errorf("look up existing articles: %w", err)
		}
		ex.byURL[u] = existingRow{id, h}
		ex.byHash[h] = u
	}
	return ex, rows.Err()
}

// updateArticle replaces the stored article id's fields and text with a's. fetched_at
// stays the day it was added; updated_at says when its text changed.
func (t storeTx) updateArticle(ctx context.Context, coll string, id int64, a Article) error {
	if _, err := t.tx.Exec(ctx, `
		UPDATE articles SET title = $2, byline = $3, site = $4, published_at = $5,
			updated_at = now(), content_hash = $6, body = $7
		WHERE id = $1 AND collection = $8`, id, a.Title, a.Byline, a.Site, nullTime(a.Published), a.Hash, a.Text, coll); err != nil {
		return fmt.Errorf("update article %s: %w", a.URL, err)
	}
	return nil
}

// insertArticle stores a in coll and sets its ID and FetchedAt; with web (an article
// fetched from the web) it is scheduled for recrawls. It returns false when coll already
// has an article under a's URL.
func (t storeTx) insertArticle(ctx context.Context, coll string, a *Article, web *webSource) (bool, error) {
	var next any
	var fetchURL, etag, lastModified string
	var feedID int64
	if web != nil {
		next, fetchURL, etag, lastModified = web.next, web.fetchURL, web.etag, web.lastModified
		if web.feed != nil {
			feedID = web.feed.feedID
		}
	}
	// DO NOTHING rather than an error: another process may have added the URL since
	// lookupExisting looked, and that is not this import's failure. An article from a feed
	// item is marked as its feed's (when the feed is still followed) as it is stored.
	err := t.tx.QueryRow(ctx, `
		INSERT INTO articles (collection, url, title, byline, site, published_at, content_hash, body, added_by,
			recrawl_at, fetch_url, etag, last_modified, feed_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
			(SELECT f.id FROM feeds f WHERE f.id = $14 AND f.collection = $1))
		ON CONFLICT (collection, url) DO NOTHING
		RETURNING id, fetched_at`,
		coll, a.URL, a.Title, a.Byline, a.Site, nullTime(a.Published), a.Hash, a.Text, a.AddedBy,
		next, fetchURL, etag, lastModified, feedID).Scan(&a.ID, &a.FetchedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("insert article %s: %w", a.URL, err)
	}
	if web != nil && web.feed != nil {
		// Its announcement is stored with it: the article is announced even if this process
		// dies before it posts.
		if err := t.announceEntry(ctx, coll, a.URL, web.feed); err != nil {
			return false, err
		}
	}
	return true, nil
}

// insertArticles adds arts (none from the web) to coll in one statement and sets the ID and
// FetchedAt of each it inserted. One whose URL another process added since lookupExisting
// looked is left with ID 0. No two of arts share a URL.
func (t storeTx) insertArticles(ctx context.Context, coll string, arts []*Article) error {
	n := len(arts)
	urls, titles, bylines, sites := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	hashes, bodies, addedBy := make([]string, n), make([]string, n), make([]string, n)
	published := make([]*time.Time, n)
	byURL := make(map[string]*Article, n)
	for i, a := range arts {
		urls[i], titles[i], bylines[i], sites[i] = a.URL, a.Title, a.Byline, a.Site
		hashes[i], bodies[i], addedBy[i] = a.Hash, a.Text, a.AddedBy
		if !a.Published.IsZero() {
			published[i] = &arts[i].Published
		}
		byURL[a.URL] = a
	}
	// DO NOTHING rather than an error, as insertArticle.
	rows, err := t.tx.Query(ctx, `
		INSERT INTO articles (collection, url, title, byline, site, published_at, content_hash, body, added_by)
		SELECT $1, v.url, v.title, v.byline, v.site, v.published_at, v.content_hash, v.body, v.added_by
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
		     WITH ORDINALITY AS v(url, title, byline, site, published_at, content_hash, body, added_by, n)
		ORDER BY v.n
		ON CONFLICT (collection, url) DO NOTHING
		RETURNING url, id, fetched_at`,
		coll, urls, titles, bylines, sites, published, hashes, bodies, addedBy)
	if err != nil {
		return fmt.Errorf("insert articles: %w", err)
	}
	var u string
	var id int64
	var fetched time.Time
	_, err = pgx.ForEachRow(rows, []any{&u, &id, &fetched}, func() error {
		if a := byURL[u]; a != nil {
			a.ID, a.FetchedAt = id, fetched
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("insert articles: %w", err)
	}
	return nil
}

// nullTime is t for a timestamptz column, NULL when t is zero (unknown).
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// sameNameFiles returns the URLs of coll's file articles named name other than self: those
// filed as file:///<id>/<name> and one filed as file:///<name> before files had an id.
func (s *Store) sameNameFiles(ctx context.Context, coll, name, self string) ([]string, error) {
	escaped := (&url.URL{Path: name}).EscapedPath()
	var urls []string
	_, err := s.query(ctx, in(coll), `
		SELECT url FROM articles
		WHERE collection = $1 AND url <> $2
		  AND (url = 'file:///' || $3 OR url LIKE 'file:///%/' || $4 ESCAPE '\')
		ORDER BY id`, []any{coll, self, escaped, likeEscaper.Replace(escaped)}, func(rows pgx.Rows) error {
		var err error
		urls, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("files named %s: %w", name, err)
	}
	return urls, nil
}
