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
// terms whose full[i] is set and only the bounds of the others'. The rows are mem's
// (mem.rows), good until its next readBlocks or its release.
func (s *Store) readBlocks(ctx context.Context, coll string, terms []string, full []bool, mem *postingArena) ([]blockRow, error) {
	var err error
	mem.rows, err = s.scanBlocks(ctx, coll, mem, mem.rows, `
		SELECT u.i - 1, b.first_id, b.last_id, b.max_tf, b.min_len, b.n, CASE WHEN u.whole THEN b.postings END
		FROM unnest($2::text[], $3::bool[]) WITH ORDINALITY AS u(term, whole, i)
		JOIN term_blocks b ON b.collection = $1 AND b.term = u.term`, coll, terms, full)
	return mem.rows, err
}

// readBlockPostings returns the blocks of coll in ranges, with their postings: for each
// range, the blocks of terms[r.term] whose first id lies in [r.first, r.last]. Ranges of
// one term must not overlap (blockRanges), or a block would come twice. A block is found by
// where it starts within the range it covered when its bounds were read, not by its start
// alone: a passage removed from a block's start since then moves the start up (within that
// range), and the block must still be read, or its other passages would lose the term's
// score. The rows are mem's (mem.more), good until its next readBlockPostings or its
// release.
func (s *Store) readBlockPostings(ctx context.Context, coll string, terms []string, ranges []blockRange, mem *postingArena) ([]blockRow, error) {
	names, idx := make([]string, len(ranges)), make([]int32, len(ranges))
	firsts, lasts := make([]int64, len(ranges)), make([]int64, len(ranges))
	for i, r := range ranges {
		names[i], idx[i], firsts[i], lasts[i] = terms[r.term], int32(r.term), r.first, r.last
	}
	var err error
	mem.more, err = s.scanBlocks(ctx, coll, mem, mem.more, `
		SELECT u.t, b.first_id, b.last_id, b.max_tf, b.min_len, b.n, b.postings
		FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS u(term, t, first, last)
		JOIN term_blocks b ON b.collection = $1 AND b.term = u.term AND b.first_id BETWEEN u.first AND u.last`,
		coll, names, idx, firsts, lasts)
	return mem.more, err
}

// scanBlocks runs one of the block queries above. The packed postings (NULL: not asked
// for), most of what a search reads, are decoded here from the bytes pgx received, into
// room the search's arena gives (unpackPostings).
func (s *Store) scanBlocks(ctx context.Context, coll string, mem *postingArena, out []blockRow, sql string, args ...any) ([]blockRow, error) {
	out = out[:0]
	_, err := s.query(ctx, readIn(coll), sql, args, func(rows pgx.Rows) error {
		if f := rows.FieldDescriptions()[6]; f.Format != pgx.BinaryFormatCode {
			return fmt.Errorf("postings column %s came in text format", f.Name)
		}
		// One set of destinations for every row: a block query returns thousands of rows,
		// and a row's own (a blockRow and Scan's arguments) escaped to the heap each time.
		var b blockRow
		dest := []any{&b.term, &b.first, &b.last, &b.maxTF, &b.minLen, &b.n, nil}
		for rows.Next() {
			b = blockRow{}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			if packed := rows.RawValues()[6]; packed != nil {
				if b.n < 0 {
					return fmt.Errorf("block of term %d at %d holds %d postings", b.term, b.first, b.n)
				}
				b.ids, b.tfs, b.lens = mem.take(b.n)
				if err := unpackPostings(b.first, b.n, packed, b.ids, b.tfs, b.lens); err != nil {
					return fmt.Errorf("block of term %d at %d: %w", b.term, b.first, err)
				}
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	if err != nil {
		return out[:0], fmt.Errorf("read postings: %w", err)
	}
	return out, nil
}

// filterPassages returns up to limit passages of coll that pass f (in no order).
func (s *Store) filterPassages(ctx context.Context, coll string, f Filter, limit int) ([]int64, error) {
	cond, fargs := filterSQL(f, 3)
	return s.passageIDs(ctx, coll, `
		SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id AND a.collection = c.collection
		WHERE c.collection = $1 `+cond+` LIMIT $2`, append([]any{coll, limit}, fargs...))
}

// passingFilter returns which of the passages ids of coll pass f.
func (s *Store) passingFilter(ctx context.Context, coll string, f Filter, ids []int64) (map[int64]bool, error) {
	cond, fargs := filterSQL(f, 3)
	got, err := s.passageIDs(ctx, coll, `
		SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id AND a.collection = c.collection
		WHERE c.collection = $1 AND c.id = ANY($2) `+cond, append([]any{coll, ids}, fargs...))
	if err != nil {
		return nil, err
	}
	return idSet(got), nil
}

// passageIDs runs a query on coll whose rows are passage ids.
func (s *Store) passageIDs(ctx context.Context, coll, sql string, args []any) ([]int64, error) {
	var out []int64
	_, err := s.query(ctx, readIn(coll), sql, args, func(rows pgx.Rows) (err error) {
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
