package retrieval

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// blockSize is how many postings one term_blocks row holds at most. Larger blocks cost
// fewer rows (each row carries about 80 bytes of headers, key and bounds) but make pruning
// coarser: a search that needs one passage of a block reads all of it.
const blockSize = 128

// insertPostings writes the postings of w's passages into coll.
func (t storeTx) insertPostings(ctx context.Context, coll string, w *passageWrite) error {
	if err := t.appendPostings(ctx, coll, w.terms, w.termPassages, w.tfs, w.termLens); err != nil {
		return fmt.Errorf("store postings: %w", err)
	}
	return nil
}

// appendPostings adds the postings (terms[i], ids[i], tfs[i], lens[i]) to coll: each term's
// df and bounds in term_stats, and its passages to the term's last block while it has room,
// then to new blocks. Stats are written in term order, before blocks, as
// footnote_remove_postings (migration 016) takes them. Writers of one collection also
// take its collections row first (its statistics), which orders them whole.
func (t storeTx) appendPostings(ctx context.Context, coll string, terms []string, ids []int64, tfs, lens []int32) error {
	if len(terms) == 0 {
		return nil
	}
	order := make([]int, len(terms))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if terms[i] != terms[j] {
			return terms[i] < terms[j]
		}
		return ids[i] < ids[j]
	})
	// Each term's df and bounds are counted here, over the postings sorted above: sent
	// one row a posting, Postgres sorted and grouped them itself, spilling to disk (a
	// transaction of 1,024 articles: 200,000 postings, 300-400 ms of about 2 s).
	var distinct []string
	var dfs, maxTFs, minLens []int32
	for _, i := range order {
		if n := len(distinct); n > 0 && distinct[n-1] == terms[i] {
			dfs[n-1]++
			maxTFs[n-1] = max(maxTFs[n-1], tfs[i])
			minLens[n-1] = min(minLens[n-1], lens[i])
			continue
		}
		distinct = append(distinct, terms[i])
		dfs, maxTFs, minLens = append(dfs, 1), append(maxTFs, tfs[i]), append(minLens, lens[i])
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO term_stats AS s (collection, term, df, max_tf, min_len)
		SELECT $1, v.term, v.df, v.max_tf, v.min_len
		FROM unnest($2::text[], $3::int[], $4::int[], $5::int[]) AS v(term, df, max_tf, min_len)
		ORDER BY v.term
		ON CONFLICT (collection, term) DO UPDATE
		SET df = s.df + EXCLUDED.df, max_tf = GREATEST(s.max_tf, EXCLUDED.max_tf),
		    min_len = LEAST(s.min_len, EXCLUDED.min_len)`, coll, distinct, dfs, maxTFs, minLens); err != nil {
		return fmt.Errorf("count terms: %w", err)
	}
	tails, err := t.tailBlocks(ctx, coll, distinct)
	if err != nil {
		return err
	}
	// Each posting goes to a block named by key: a tail's first id (appended to it), or
	// minus a new block's number among its term's.
	keys := make([]int64, len(terms))
	for lo := 0; lo < len(order); {
		hi := lo
		for hi < len(order) && terms[order[hi]] == terms[order[lo]] {
			hi++
		}
		next := lo
		if tb, ok := tails[terms[order[lo]]]; ok && tb.n < blockSize && ids[order[lo]] > tb.last {
			for ; next < hi && next-lo < blockSize-tb.n; next++ {
				keys[order[next]] = tb.first
			}
		}
		for j := next; j < hi; j++ {
			keys[order[j]] = -int64((j-next)/blockSize + 1)
		}
		lo = hi
	}
	// Each block's postings are packed here (packPostings), a group of postings to a key:
	// after a new block's first id, and also after the tail's last id for postings that go
	// to a tail, so that appending them is concatenating bytes. A tail that changed since
	// it was read (another writer appended to it, or removed from it: its last id moved)
	// and so no longer takes them, untouched by the update, gets them as a new block
	// instead.
	var g blockGroups
	for lo := 0; lo < len(order); {
		hi := lo
		for hi < len(order) && terms[order[hi]] == terms[order[lo]] && keys[order[hi]] == keys[order[lo]] {
			hi++
		}
		var tail *tailBlock
		if k := keys[order[lo]]; k > 0 {
			tb := tails[terms[order[lo]]]
			tail = &tb
		}
		if err := g.add(terms[order[lo]], keys[order[lo]], order[lo:hi], ids, tfs, lens, tail); err != nil {
			return err
		}
		lo = hi
	}
	if _, err := t.tx.Exec(ctx, `
		WITH g AS (
			SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::int[], $7::int[],
			                     $8::int[], $9::bytea[], $10::bigint[], $11::bytea[])
			    AS g(term, key, lo, hi, max_tf, min_len, n, postings, tail_last, tail_postings)
		), appended AS (
			UPDATE term_blocks b
			SET postings = b.postings || g.tail_postings, n = b.n + g.n, last_id = g.hi,
			    max_tf = GREATEST(b.max_tf, g.max_tf), min_len = LEAST(b.min_len, g.min_len)
			FROM g WHERE g.key > 0 AND b.collection = $1 AND b.term = g.term AND b.first_id = g.key
			  AND b.last_id = g.tail_last AND b.n + g.n <= `+strconv.Itoa(blockSize)+`
			RETURNING g.term, g.key
		)
		INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, n, postings)
		SELECT $1, g.term, g.lo, g.hi, g.max_tf, g.min_len, g.n, g.postings FROM g
		WHERE g.key < 0 OR NOT EXISTS (SELECT 1 FROM appended a WHERE a.term = g.term AND a.key = g.key)`,
		coll, g.terms, g.keys, g.los, g.his, g.maxTFs, g.minLens, g.ns, g.packed, g.tailLasts, g.tailPacked); err != nil {
		return fmt.Errorf("write blocks: %w", err)
	}
	return nil
}

// blockGroups are the rows appendPostings writes, as parallel arrays for unnest: a group
// of one term's postings bound for one block (key: a tail's first id, or below 0 a new
// block), packed as a block of its own (packed) and, bound for a tail, after the tail's
// last posting (tailPacked; tailLast is that posting's id, checked when appending).
type blockGroups struct {
	terms               []string
	keys, los, his      []int64
	maxTFs, minLens, ns []int32
	packed, tailPacked  [][]byte
	tailLasts           []int64
	gIDs                []int64
	gTFs, gLens         []int32
}

// add adds the group of the postings at, sorted by id, of term bound for key.
func (g *blockGroups) add(term string, key int64, at []int, ids []int64, tfs, lens []int32, tail *tailBlock) error {
	g.gIDs, g.gTFs, g.gLens = g.gIDs[:0], g.gTFs[:0], g.gLens[:0]
	maxTF, minLen := int32(math.MinInt32), int32(math.MaxInt32)
	for _, i := range at {
		g.gIDs, g.gTFs, g.gLens = append(g.gIDs, ids[i]), append(g.gTFs, tfs[i]), append(g.gLens, lens[i])
		maxTF, minLen = max(maxTF, tfs[i]), min(minLen, lens[i])
	}
	first, last := g.gIDs[0], g.gIDs[len(g.gIDs)-1]
	packed, err := packPostings(nil, first, g.gIDs, g.gTFs, g.gLens)
	if err != nil {
		return fmt.Errorf("write blocks of %q: %w", term, err)
	}
	var tailPacked []byte
	tailLast := int64(0)
	if tail != nil {
		tailLast = tail.last
		if tailPacked, err = packPostings(nil, tail.last, g.gIDs, g.gTFs, g.gLens); err != nil {
			return fmt.Errorf("write blocks of %q: %w", term, err)
		}
	}
	g.terms, g.keys, g.los, g.his = append(g.terms, term), append(g.keys, key), append(g.los, first), append(g.his, last)
	g.maxTFs, g.minLens, g.ns = append(g.maxTFs, maxTF), append(g.minLens, minLen), append(g.ns, int32(len(at)))
	g.packed, g.tailPacked, g.tailLasts = append(g.packed, packed), append(g.tailPacked, tailPacked), append(g.tailLasts, tailLast)
	return nil
}

// tailBlock is the bounds and size of a term's last block.
type tailBlock struct {
	first, last int64
	n           int
}

// tailBlocks returns the last block (by first id) of each of terms that has one. It does
// not lock them: appendPostings' update checks again that a tail still takes the postings.
func (t storeTx) tailBlocks(ctx context.Context, coll string, terms []string) (map[string]tailBlock, error) {
	rows, err := t.tx.Query(ctx, `
		SELECT u.term, b.first_id, b.last_id, b.n
		FROM unnest($2::text[]) WITH ORDINALITY AS u(term, i)
		CROSS JOIN LATERAL (SELECT first_id, last_id, n FROM term_blocks b
		                    WHERE b.collection = $1 AND b.term = u.term
		                    ORDER BY b.first_id DESC LIMIT 1) b
		ORDER BY u.i`, coll, terms)
	if err != nil {
		return nil, fmt.Errorf("read last blocks: %w", err)
	}
	out := make(map[string]tailBlock, len(terms))
	var term string
	var tb tailBlock
	_, err = pgx.ForEachRow(rows, []any{&term, &tb.first, &tb.last, &tb.n}, func() error {
		out[term] = tb
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read last blocks: %w", err)
	}
	return out, nil
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
	for i, d := range docs {
		ids[i] = d.id
	}
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		// The collection's row first, as every writer takes it (its statistics), then the
		// passages: one still there cannot go until this commits.
		if _, err := t.tx.Exec(ctx, `SELECT 1 FROM collections WHERE name = $1 FOR UPDATE`, coll); err != nil {
			return err
		}
		live, err := t.lockPassages(ctx, coll, ids)
		if err != nil {
			return err
		}
		var w passageWrite
		var liveIDs []int64
		var lens []int32
		for _, d := range docs {
			if !live[d.id] {
				continue
			}
			liveIDs, lens = append(liveIDs, d.id), append(lens, int32(d.length))
			w.addTerms(d.id, d.terms, d.length)
		}
		// Out with the postings as they were built (chunks.terms), in with the new ones.
		if _, err := t.tx.Exec(ctx, `
			SELECT footnote_remove_postings($1, array_agg(c.id), array_agg(t.term))
			FROM chunks c, string_to_table(c.terms, ' ') AS t(term)
			WHERE c.collection = $1 AND c.id = ANY($2) AND t.term <> ''`, coll, liveIDs); err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, `
			UPDATE chunks c SET terms = v.terms
			FROM unnest($2::bigint[], $3::text[]) AS v(id, terms)
			WHERE c.collection = $1 AND c.id = v.id`, coll, liveIDs, w.termLists); err != nil {
			return err
		}
		if err := t.appendPostings(ctx, coll, w.terms, w.termPassages, w.tfs, w.termLens); err != nil {
			return err
		}
		if err := t.updatePassageLengths(ctx, coll, liveIDs, lens); err != nil {
			return err
		}
		return t.markRelexed(ctx, coll, version, ids[len(ids)-1])
	})
	if err != nil {
		return fmt.Errorf("rebuild postings: %w", err)
	}
	return nil
}

// lockPassages locks the passages ids of coll that still exist and returns them.
func (t storeTx) lockPassages(ctx context.Context, coll string, ids []int64) (map[int64]bool, error) {
	rows, err := t.tx.Query(ctx, `SELECT id FROM chunks WHERE collection = $1 AND id = ANY($2) ORDER BY id FOR UPDATE`, coll, ids)
	if err != nil {
		return nil, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	live := make(map[int64]bool, len(got))
	for _, id := range got {
		live[id] = true
	}
	return live, nil
}

// updatePassageLengths sets the BM25 length of passages ids to lens, and moves the
// collection's total length by the difference.
func (t storeTx) updatePassageLengths(ctx context.Context, coll string, ids []int64, lens []int32) error {
	// The CTEs all see the lengths from before the update, so old minus new is the change.
	_, err := t.tx.Exec(ctx, `
		WITH old AS (SELECT id, token_count FROM chunks WHERE collection = $1 AND id = ANY($2)),
		     upd AS (UPDATE chunks c SET token_count = v.n
		             FROM unnest($2::bigint[], $3::int[]) AS v(id, n)
		             WHERE c.collection = $1 AND c.id = v.id RETURNING c.id, c.token_count)
		UPDATE collections SET token_total = token_total +
		       (SELECT COALESCE(sum(upd.token_count - old.token_count), 0) FROM upd JOIN old USING (id))
		WHERE name = $1`, coll, ids, lens)
	return err
}

// maxVocabScan bounds the terms read for one unseen word (a collection of a few thousand
// articles has a few thousand terms per first letter).
const maxVocabScan = 20000

// termsBetween lists the collection's distinct terms in [lo, hi), from term_stats' key.
func (s *Store) termsBetween(ctx context.Context, coll, lo, hi string) ([]string, error) {
	var out []string
	_, err := s.query(ctx, readIn(coll), `
		SELECT term FROM term_stats WHERE collection = $1 AND term >= $2 AND term < $3
		ORDER BY term LIMIT $4`, []any{coll, lo, hi, maxVocabScan},
		func(rows pgx.Rows) (err error) {
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list terms near %q: %w", lo, err)
	}
	return out, nil
}

// articleText returns the title and body of one article of the collection ("" when it is
// gone).
func (s *Store) articleText(ctx context.Context, coll string, articleID int64) (title, body string, err error) {
	_, err = s.query(ctx, readIn(coll), `
		SELECT title, body FROM articles WHERE id = $1 AND collection = $2`, []any{articleID, coll},
		func(rows pgx.Rows) error {
			for rows.Next() {
				if err := rows.Scan(&title, &body); err != nil {
					return err
				}
			}
			return rows.Err()
		})
	if err != nil {
		return "", "", fmt.Errorf("read article %d: %w", articleID, err)
	}
	return title, body, nil
}
