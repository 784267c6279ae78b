package retrieval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// loadPassage returns passage id of coll with its article's text, for showing a citation in
// full. A passage of another collection is ErrNotFound.
func (s *Store) loadPassage(ctx context.Context, coll string, id int64) (*PassageView, error) {
	var v PassageView
	var pub *time.Time
	// The collection is in the WHERE clause so that a passage id from another guild's
	// answer shows nothing.
	_, err := s.query(ctx, in(coll), `
		SELECT c.id, c.article_id, c.body, c.start_offset, c.end_offset, a.url, a.title, a.site, a.published_at, a.fetched_at,
		       coalesce(a.updated_at, 'epoch'), coalesce(a.gone_at, 'epoch'), a.body
		FROM chunks c JOIN articles a ON a.id = c.article_id AND a.collection = c.collection
		WHERE c.collection = $1 AND c.id = $2`, []any{coll, id},
		into(&v.ChunkID, &v.ArticleID, &v.Text, &v.Start, &v.End, &v.URL, &v.Title, &v.Site, &pub, &v.Added,
			&v.Updated, &v.Gone, &v.ArticleText))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("passage %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("load passage: %w", err)
	}
	if pub != nil {
		v.Published = pub.UTC()
	}
	v.Added, v.Updated, v.Gone = v.Added.UTC(), unlessEpoch(v.Updated), unlessEpoch(v.Gone)
	return &v, nil
}

// storedPassage is a stored passage with its article's title: what the indexes are built from.
type storedPassage struct {
	id    int64
	title string
	body  string
}

// Pages of a collection's passages in id order: the passages after id @after, @limit at a
// time. Paging by id (not OFFSET) reads each page through the primary key, and a page stays
// right when rows before it are deleted or, for the unembedded ones, embedded meanwhile.
const (
	// Every passage: a rebuild of the postings reads them all.
	allPassagesSQL = `
		SELECT c.id, a.title, c.body FROM chunks c JOIN articles a ON a.id = c.article_id AND a.collection = c.collection
		WHERE c.collection = @coll AND c.id > @after
		ORDER BY c.id LIMIT @limit`
	// The passages with no vector in space @space yet: what a reindex has left to embed.
	passagesToEmbedSQL = `
		SELECT c.id, a.title, c.body FROM chunks c JOIN articles a ON a.id = c.article_id AND a.collection = c.collection
		WHERE c.collection = @coll AND c.id > @after
		  AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = @space AND e.chunk_id = c.id AND e.collection = @coll)
		ORDER BY c.id LIMIT @limit`
)

// pageAllPassages calls fn with every passage of coll whose id is above after, size at a
// time, as pagePassages does.
func (s *Store) pageAllPassages(ctx context.Context, coll string, after int64, size int, fn func([]storedPassage) error) error {
	return s.pagePassages(ctx, coll, allPassagesSQL, pgx.NamedArgs{"coll": coll}, after, size, fn)
}

// pagePassagesToEmbed calls fn with the passages of coll that have no vector in space yet,
// size at a time, as pagePassages does.
func (s *Store) pagePassagesToEmbed(ctx context.Context, coll string, space Space, size int, fn func([]storedPassage) error) error {
	return s.pagePassages(ctx, coll, passagesToEmbedSQL, pgx.NamedArgs{"coll": coll, "space": space.ID}, 0, size, fn)
}

// pagePassages runs query, one of the page queries above, on coll with args, @limit set to size and
// @after to the last id read (after at first), and calls fn with each page until none is left. A
// page is read in full before fn runs, so fn may write to the database; passages deleted
// meanwhile are simply not read again. It stops at fn's first error and returns it.
func (s *Store) pagePassages(ctx context.Context, coll, query string, args pgx.NamedArgs, after int64, size int, fn func([]storedPassage) error) error {
	args["limit"] = size
	for {
		args["after"] = after
		page, err := s.readPassages(ctx, coll, query, args)
		if err != nil || len(page) == 0 {
			return err
		}
		after = page[len(page)-1].id
		if err := fn(page); err != nil {
			return err
		}
	}
}

// readPassages runs one page query of pagePassages on coll.
func (s *Store) readPassages(ctx context.Context, coll, query string, args pgx.NamedArgs) ([]storedPassage, error) {
	var out []storedPassage
	_, err := s.query(ctx, in(coll), query, []any{args}, func(rows pgx.Rows) (err error) {
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedPassage, error) {
			var p storedPassage
			return p, r.Scan(&p.id, &p.title, &p.body)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	return out, nil
}

// deletePassagesOf deletes the passages of article id before its new text's are written.
// Vectors go with them (ON DELETE CASCADE), and the statement triggers on chunks remove
// their postings and move the collection's BM25 statistics.
func (t storeTx) deletePassagesOf(ctx context.Context, coll string, id int64) error {
	_, err := t.tx.Exec(ctx, `DELETE FROM chunks WHERE article_id = $1 AND collection = $2`, id, coll)
	return err
}

// allocatePassageIDs draws n passage ids from the sequence, so that postings and vectors
// can name their passage in the same COPY round as the passages themselves.
func (t storeTx) allocatePassageIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT nextval('chunks_id_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("allocate passage ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("allocate passage ids: %w", err)
	}
	return ids, nil
}

// insertPassages writes the passages of w into coll, each with its term list.
func (t storeTx) insertPassages(ctx context.Context, coll string, w *passageWrite) error {
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO chunks (id, article_id, collection, ordinal, start_offset, end_offset, body, token_count, terms)
		SELECT v.id, v.article_id, $1, v.ordinal, v.start_offset, v.end_offset, v.body, v.token_count, v.terms
		FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::int[], $6::int[], $7::text[], $8::int[], $9::text[])
		     AS v(id, article_id, ordinal, start_offset, end_offset, body, token_count, terms)`,
		coll, w.ids, w.articles, w.ordinals, w.starts, w.ends, w.bodies, w.lens, w.termLists); err != nil {
		return fmt.Errorf("store passages: %w", err)
	}
	return nil
}
