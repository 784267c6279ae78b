package retrieval

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// postingColumns are the columns of a row for copyPostings.
var postingColumns = []string{"collection", "term", "chunk_id", "tf", "doc_len"}

// copyPostings writes rows (one per term of a passage, in postingColumns' order) with COPY.
func (t storeTx) copyPostings(ctx context.Context, rows [][]any) error {
	if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{"postings"}, postingColumns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy postings: %w", err)
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
// transaction (search keeps working on the old ones until it commits). Passages deleted
// since they were read are skipped, not an error.
func (s *Store) replacePostings(ctx context.Context, coll string, docs []lexicalDoc) error {
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
	err := s.inTx(ctx, func(t storeTx) error {
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
		return t.updatePassageLengths(ctx, coll, ids, lens)
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
