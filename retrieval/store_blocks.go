package retrieval

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// blockRow is one term_blocks row as a search reads it: its bounds always, its postings
// (ids, tfs, lens, sorted by id) when they were asked for.
type blockRow struct {
	term          int // index into the search's terms
	first, last   int64
	maxTF, minLen int32
	n             int
	ids           []int64
	tfs, lens     []int16
}

// readBlocks returns every block of terms in coll, with the postings of the blocks of the
// terms whose full[i] is set and only the bounds of the others'.
func (s *Store) readBlocks(ctx context.Context, coll string, terms []string, full []bool) ([]blockRow, error) {
	return s.scanBlocks(ctx, coll, `
		SELECT u.i - 1, b.first_id, b.last_id, b.max_tf, b.min_len, cardinality(b.ids),
		       CASE WHEN u.whole THEN b.ids END, CASE WHEN u.whole THEN b.tfs END, CASE WHEN u.whole THEN b.lens END
		FROM unnest($2::text[], $3::bool[]) WITH ORDINALITY AS u(term, whole, i)
		JOIN term_blocks b ON b.collection = $1 AND b.term = u.term`, coll, terms, full)
}

// readBlockPostings returns the blocks of coll named by (terms[i], firsts[i]) with their
// postings; term[i] is the index of terms[i] in the search's terms. A block changed since
// its name was read (a passage removed from its start) is not found.
func (s *Store) readBlockPostings(ctx context.Context, coll string, terms []string, term []int32, firsts []int64) ([]blockRow, error) {
	return s.scanBlocks(ctx, coll, `
		SELECT u.t, b.first_id, b.last_id, b.max_tf, b.min_len, cardinality(b.ids), b.ids, b.tfs, b.lens
		FROM unnest($2::text[], $3::int[], $4::bigint[]) AS u(term, t, first)
		JOIN term_blocks b ON b.collection = $1 AND b.term = u.term AND b.first_id = u.first`, coll, terms, term, firsts)
}

// scanBlocks runs one of the block queries above.
func (s *Store) scanBlocks(ctx context.Context, coll, sql string, args ...any) ([]blockRow, error) {
	var out []blockRow
	_, err := s.query(ctx, in(coll), sql, args, func(rows pgx.Rows) error {
		var b blockRow
		_, err := pgx.ForEachRow(rows, []any{&b.term, &b.first, &b.last, &b.maxTF, &b.minLen, &b.n, &b.ids, &b.tfs, &b.lens}, func() error {
			out = append(out, b)
			b = blockRow{}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read postings: %w", err)
	}
	return out, nil
}

// filterPassages returns up to limit passages of coll that pass f (in no order).
func (s *Store) filterPassages(ctx context.Context, coll string, f Filter, limit int) ([]int64, error) {
	cond, fargs := filterSQL(f, 3)
	return s.passageIDs(ctx, coll, `
		SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id
		WHERE c.collection = $1 `+cond+` LIMIT $2`, append([]any{coll, limit}, fargs...))
}

// passingFilter returns which of the passages ids of coll pass f.
func (s *Store) passingFilter(ctx context.Context, coll string, f Filter, ids []int64) (map[int64]bool, error) {
	cond, fargs := filterSQL(f, 3)
	got, err := s.passageIDs(ctx, coll, `
		SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id
		WHERE c.collection = $1 AND c.id = ANY($2) `+cond, append([]any{coll, ids}, fargs...))
	if err != nil {
		return nil, err
	}
	return idSet(got), nil
}

// passageIDs runs a query on coll whose rows are passage ids.
func (s *Store) passageIDs(ctx context.Context, coll, sql string, args []any) ([]int64, error) {
	var out []int64
	_, err := s.query(ctx, in(coll), sql, args, func(rows pgx.Rows) (err error) {
		out, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("filter passages: %w", err)
	}
	return out, nil
}

// idSet is ids as a set.
func idSet(ids []int64) map[int64]bool {
	m := make(map[int64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
