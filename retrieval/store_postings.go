package retrieval

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// insertPostings writes the postings of w's passages into coll.
func (t storeTx) insertPostings(ctx context.Context, coll string, w *passageWrite) error {
	if len(w.terms) == 0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO postings (collection, term, chunk_id, tf, doc_len)
		SELECT $1, v.term, v.chunk_id, v.tf, v.doc_len
		FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) AS v(term, chunk_id, tf, doc_len)`,
		coll, w.terms, w.termPassages, w.tfs, w.termLens); err != nil {
		return fmt.Errorf("store postings: %w", err)
	}
	return nil
}

// lexicalDoc is a passage's lexical document as the current tokeniser counts it.
type lexicalDoc struct {
	id     int64
	terms  map[string]int
	length int
}

// replacePostings replaces the postings and BM25 lengths of docs' passages of coll, in one
// transaction (search keeps working on the old ones until it commits), and records in the
// same transaction that the rebuild by tokeniser version has reached the last of docs (they
// come in id order): a rebuild killed after it commits continues after that passage, and
// one killed before it redoes the batch. Passages deleted since they were read are skipped,
// not an error.
func (s *Store) replacePostings(ctx context.Context, coll string, docs []lexicalDoc, version int) error {
	if len(docs) == 0 {
		return nil
	}
	ids := make([]int64, len(docs))
	lens := make([]int32, len(docs))
	var terms []string
	var postChunk []int64
	var tfs, docLens []int32
	for i, d := range docs {
		ids[i], lens[i] = d.id, int32(d.length)
		for t, tf := range d.terms {
			terms, postChunk = append(terms, t), append(postChunk, d.id)
			tfs, docLens = append(tfs, int32(tf)), append(docLens, int32(d.length))
		}
	}
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		if _, err := t.tx.Exec(ctx, `DELETE FROM postings WHERE collection = $1 AND chunk_id = ANY($2)`, coll, ids); err != nil {
			return err
		}
		// INSERT ... SELECT rather than COPY: a passage deleted since it was read would
		// fail COPY on its foreign key, and the EXISTS skips it instead.
		if _, err := t.tx.Exec(ctx, `
			INSERT INTO postings (collection, term, chunk_id, tf, doc_len)
			SELECT $1, v.term, v.chunk_id, v.tf, v.doc_len
			FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) AS v(term, chunk_id, tf, doc_len)
			WHERE EXISTS (SELECT 1 FROM chunks c WHERE c.id = v.chunk_id)`,
			coll, terms, postChunk, tfs, docLens); err != nil {
			return err
		}
		if err := t.updatePassageLengths(ctx, coll, ids, lens); err != nil {
			return err
		}
		return t.markRelexed(ctx, coll, version, ids[len(ids)-1])
	})
	if err != nil {
		return fmt.Errorf("rebuild postings: %w", err)
	}
	return nil
}

// updatePassageLengths sets the BM25 length of passages ids to lens, and moves the
// collection's total length by the difference.
func (t storeTx) updatePassageLengths(ctx context.Context, coll string, ids []int64, lens []int32) error {
	// The CTEs all see the lengths from before the update, so old minus new is the change.
	_, err := t.tx.Exec(ctx, `
		WITH old AS (SELECT id, token_count FROM chunks WHERE id = ANY($2)),
		     upd AS (UPDATE chunks c SET token_count = v.n
		             FROM unnest($2::bigint[], $3::int[]) AS v(id, n)
		             WHERE c.id = v.id RETURNING c.id, c.token_count)
		UPDATE collections SET token_total = token_total +
		       (SELECT COALESCE(sum(upd.token_count - old.token_count), 0) FROM upd JOIN old USING (id))
		WHERE name = $1`, coll, ids, lens)
	return err
}

// maxVocabScan bounds the terms read for one unseen word (a collection of a few thousand
// articles has a few thousand terms per first letter).
const maxVocabScan = 20000

// termsBetween lists the collection's distinct terms in [lo, hi). postings' primary key
// (collection, term, chunk_id) has one entry per passage holding a term, so the query skips
// from term to term (a loose index scan: one index probe per distinct term) instead of
// reading every posting.
func (s *Store) termsBetween(ctx context.Context, coll, lo, hi string) ([]string, error) {
	var out []string
	_, err := s.query(ctx, readIn(coll), `
		WITH RECURSIVE t(term) AS (
			(SELECT term FROM postings WHERE collection = $1 AND term >= $2 AND term < $3
			 ORDER BY term LIMIT 1)
			UNION ALL
			SELECT (SELECT p.term FROM postings p
			        WHERE p.collection = $1 AND p.term > t.term AND p.term < $3
			        ORDER BY p.term LIMIT 1)
			FROM t WHERE t.term IS NOT NULL
		)
		SELECT term FROM t WHERE term IS NOT NULL LIMIT $4`, []any{coll, lo, hi, maxVocabScan},
		func(rows pgx.Rows) (err error) {
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list terms near %q: %w", lo, err)
	}
	return out, nil
}

// articleTerms returns which of terms some passage of the article holds (titles are indexed
// with their passages). It reads the article's postings through chunks' (article_id,
// ordinal) key and postings' chunk index: a few dozen rows per passage.
func (s *Store) articleTerms(ctx context.Context, coll string, articleID int64, terms []string) (map[string]bool, error) {
	var held []string
	_, err := s.query(ctx, readIn(coll), `
		SELECT DISTINCT p.term
		FROM chunks c JOIN postings p ON p.chunk_id = c.id
		WHERE c.article_id = $1 AND c.collection = $2 AND p.term = ANY($3::text[])`, []any{articleID, coll, terms},
		func(rows pgx.Rows) (err error) {
			held, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read terms of article %d: %w", articleID, err)
	}
	out := make(map[string]bool, len(held))
	for _, t := range held {
		out[t] = true
	}
	return out, nil
}
