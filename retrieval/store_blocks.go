package retrieval

import (
	"context"
	"encoding/binary"
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

// readBlockPostings returns the blocks of coll that the search named by (terms[i],
// firsts[i], lasts[i]), with their postings; term[i] is the index of terms[i] in the
// search's terms. A block is found by where it starts within the range it covered when its
// bounds were read, not by its start alone: a passage removed from a block's start since
// then moves the start up (within that range), and the block must still be read, or its
// other passages would lose the term's score.
func (s *Store) readBlockPostings(ctx context.Context, coll string, terms []string, term []int32, firsts, lasts []int64) ([]blockRow, error) {
	return s.scanBlocks(ctx, coll, `
		SELECT DISTINCT ON (u.t, b.first_id)
		       u.t, b.first_id, b.last_id, b.max_tf, b.min_len, cardinality(b.ids), b.ids, b.tfs, b.lens
		FROM unnest($2::text[], $3::int[], $4::bigint[], $5::bigint[]) AS u(term, t, first, last)
		JOIN term_blocks b ON b.collection = $1 AND b.term = u.term AND b.first_id BETWEEN u.first AND u.last
		ORDER BY u.t, b.first_id`, coll, terms, term, firsts, lasts)
}

// scanBlocks runs one of the block queries above. The postings arrays, most of what a
// search reads, are decoded from their binary wire format here (decodeArray): pgx's
// generic array scanning cost about as much as the query.
func (s *Store) scanBlocks(ctx context.Context, coll, sql string, args ...any) ([]blockRow, error) {
	var out []blockRow
	_, err := s.query(ctx, readIn(coll), sql, args, func(rows pgx.Rows) error {
		fields := rows.FieldDescriptions()
		for _, i := range []int{6, 7, 8} {
			if fields[i].Format != pgx.BinaryFormatCode {
				return fmt.Errorf("postings column %s came in text format", fields[i].Name)
			}
		}
		for rows.Next() {
			var b blockRow
			if err := rows.Scan(&b.term, &b.first, &b.last, &b.maxTF, &b.minLen, &b.n, nil, nil, nil); err != nil {
				return err
			}
			raw := rows.RawValues()
			var err error
			if b.ids, err = decodeArray(raw[6], 8, func(v []byte) int64 { return int64(binary.BigEndian.Uint64(v)) }); err != nil {
				return err
			}
			if b.tfs, err = decodeArray(raw[7], 2, func(v []byte) int16 { return int16(binary.BigEndian.Uint16(v)) }); err != nil {
				return err
			}
			if b.lens, err = decodeArray(raw[8], 2, func(v []byte) int16 { return int16(binary.BigEndian.Uint16(v)) }); err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("read postings: %w", err)
	}
	return out, nil
}

// decodeArray decodes a one-dimensional array without NULLs of fixed-width elements
// (width bytes each) from Postgres' binary format (array_send): a header of ndim, a NULL
// flag and the element type, then per dimension its length and lower bound, then each
// element as its length and bytes. NULL (raw nil) is a nil slice.
func decodeArray[T any](raw []byte, width int, elem func([]byte) T) ([]T, error) {
	if raw == nil {
		return nil, nil
	}
	if len(raw) < 12 {
		return nil, fmt.Errorf("decode postings: array of %d bytes", len(raw))
	}
	ndim := binary.BigEndian.Uint32(raw)
	if ndim == 0 {
		return []T{}, nil
	}
	if ndim != 1 || len(raw) < 20 {
		return nil, fmt.Errorf("decode postings: %d-dimensional array", ndim)
	}
	n := int(binary.BigEndian.Uint32(raw[12:]))
	body := raw[20:]
	if len(body) != n*(4+width) {
		return nil, fmt.Errorf("decode postings: %d bytes for %d elements of %d", len(body), n, width)
	}
	out := make([]T, n)
	for i := range out {
		at := i * (4 + width)
		if int32(binary.BigEndian.Uint32(body[at:])) != int32(width) {
			return nil, fmt.Errorf("decode postings: element %d is NULL or not %d bytes", i, width)
		}
		out[i] = elem(body[at+4 : at+4+width])
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
