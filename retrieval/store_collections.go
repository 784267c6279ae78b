package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// reindexWork is what a reindex of a collection has left to do, counted before it starts.
type reindexWork struct {
	Articles, Passages int
	// Lexicon is the text.Version of the tokeniser that built the postings; the current
	// version for a collection with nothing stored yet.
	Lexicon int
	// RelexAfter is the last passage id an interrupted rebuild of the postings by the
	// current tokeniser reached (0: none), and ToRelex the passages after it.
	RelexAfter int64
	ToRelex    int
	// ToEmbed is how many passages have no vector in the space yet, and EmbedChars the
	// characters of the texts a reindex sends the embedder for them (title, newline, body).
	ToEmbed    int
	EmbedChars int64
}

// countReindexWork returns what a reindex of coll into space, with tokeniser version, has
// left, in one round trip. It fails only on a database error.
func (s *Store) countReindexWork(ctx context.Context, coll string, space Space, version int) (reindexWork, error) {
	var w reindexWork
	// A watermark left by another tokeniser version is ignored: that rebuild starts over.
	_, err := s.query(ctx, in(coll), `
		WITH col AS (SELECT lexicon, CASE WHEN relex_version = $3 THEN relex_after END AS after
		             FROM collections WHERE name = $1),
		     mark AS (SELECT COALESCE((SELECT after FROM col), 0) AS after),
		     todo AS (SELECT count(*) AS n, COALESCE(sum(char_length(a.title) + 1 + char_length(ch.body)), 0) AS chars
		              FROM chunks ch JOIN articles a ON a.id = ch.article_id AND a.collection = ch.collection
		              WHERE ch.collection = $1
		                AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = $2 AND e.chunk_id = ch.id AND e.collection = $1))
		SELECT (SELECT count(*) FROM articles WHERE collection = $1),
		       (SELECT count(*) FROM chunks WHERE collection = $1),
		       COALESCE((SELECT lexicon FROM col), $3),
		       mark.after,
		       (SELECT count(*) FROM chunks WHERE collection = $1 AND id > mark.after),
		       todo.n, todo.chars
		FROM mark, todo`,
		[]any{coll, space.ID, version}, into(&w.Articles, &w.Passages, &w.Lexicon, &w.RelexAfter, &w.ToRelex, &w.ToEmbed, &w.EmbedChars))
	if err != nil {
		return w, fmt.Errorf("count the work left to reindex: %w", err)
	}
	return w, nil
}

// upsertCollection creates the row of coll that holds its BM25 statistics and its active
// embedding space: the first write into a collection makes space its active one, and stamps
// it with the current tokeniser.
func (t storeTx) upsertCollection(ctx context.Context, coll string, space Space) error {
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO collections (name, active_space, lexicon) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET active_space = COALESCE(collections.active_space, EXCLUDED.active_space)`,
		coll, space.ID, text.Version); err != nil {
		return fmt.Errorf("upsert collection: %w", err)
	}
	return nil
}

// activateSpace makes space the one the dense arm searches for coll, in one statement: until
// it runs the old space keeps serving. It fails only on a database error.
func (s *Store) activateSpace(ctx context.Context, coll string, space Space) error {
	if _, err := s.exec(ctx, in(coll), `
		INSERT INTO collections (name, active_space) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET active_space = EXCLUDED.active_space`, coll, space.ID); err != nil {
		return fmt.Errorf("switch embedding space: %w", err)
	}
	return nil
}

// markRelexed records that a rebuild of coll's postings by tokeniser version has reached
// passage id last (rebuilds go in id order): where an interrupted one continues.
func (t storeTx) markRelexed(ctx context.Context, coll string, version int, last int64) error {
	if _, err := t.tx.Exec(ctx, `UPDATE collections SET relex_version = $2, relex_after = $3 WHERE name = $1`,
		coll, version, last); err != nil {
		return fmt.Errorf("record keyword index progress: %w", err)
	}
	return nil
}

// setLexicon records that the postings of coll were built by tokeniser version, and clears
// the watermark of the rebuild that built them. It fails only on a database error.
func (s *Store) setLexicon(ctx context.Context, coll string, version int) error {
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		if _, err := t.tx.Exec(ctx, `
			UPDATE collections SET lexicon = $2, relex_version = NULL, relex_after = NULL
			WHERE name = $1`, coll, version); err != nil {
			return err
		}
		return t.compactBlocks(ctx, coll)
	})
	if err != nil {
		return fmt.Errorf("stamp tokeniser version: %w", err)
	}
	return nil
}

// compactBlocks rewrites the blocks of coll full: each term's postings in id order, 128 to
// a block. A rebuild's batches put their (old, low) passage ids into new blocks, a few
// postings each for a rare term, since only ids past a term's last block join it; the
// rebuild ends with this, as 016's backfill packed them. It goes through the terms a
// batch at a time (about compactBatch blocks), unpacking and packing in Go, and rewrites
// only the terms whose blocks are not compact already.
func (t storeTx) compactBlocks(ctx context.Context, coll string) error {
	after := ""
	for {
		// The batch ends at a whole term: the term of the compactBatch-th block on.
		var upTo *string
		if err := t.tx.QueryRow(ctx, `
			SELECT term FROM term_blocks WHERE collection = $1 AND term > $2
			ORDER BY term, first_id OFFSET $3 LIMIT 1`, coll, after, compactBatch).Scan(&upTo); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("compact blocks: %w", err)
		}
		more := upTo != nil
		rows, err := t.tx.Query(ctx, `
			SELECT term, first_id, last_id, n, postings FROM term_blocks
			WHERE collection = $1 AND term > $2 AND ($3::text IS NULL OR term <= $3)
			ORDER BY term, first_id`, coll, after, upTo)
		if err != nil {
			return fmt.Errorf("compact blocks: %w", err)
		}
		var c compaction
		var term, last string
		var first, lastID int64
		var n int
		var packed []byte
		_, err = pgx.ForEachRow(rows, []any{&term, &first, &lastID, &n, &packed}, func() error {
			last = term
			return c.add(term, first, lastID, n, packed)
		})
		if err != nil {
			return fmt.Errorf("compact blocks: %w", err)
		}
		if err := c.flush(); err != nil {
			return fmt.Errorf("compact blocks: %w", err)
		}
		if len(c.rewrite) > 0 {
			// Two statements: an INSERT beside a DELETE in one statement may run first and
			// meet the old rows' keys.
			if _, err := t.tx.Exec(ctx, `DELETE FROM term_blocks WHERE collection = $1 AND term = ANY($2)`, coll, c.rewrite); err != nil {
				return fmt.Errorf("compact blocks: %w", err)
			}
			if _, err := t.tx.Exec(ctx, `
				INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, n, postings)
				SELECT $1, u.* FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::int[], $6::int[], $7::int[], $8::bytea[]) AS u`,
				coll, c.out.terms, c.out.los, c.out.his, c.out.maxTFs, c.out.minLens, c.out.ns, c.out.packed); err != nil {
				return fmt.Errorf("compact blocks: %w", err)
			}
		}
		if !more || last == "" {
			return nil
		}
		after = last
	}
}

// compactBatch is about how many blocks compactBlocks reads at a time.
var compactBatch = 20000 // a variable for tests

// compaction collects one batch of compactBlocks: the blocks of one term at a time (in
// term, first id order), and the new blocks of the terms to rewrite.
type compaction struct {
	term       string
	blocks     int
	compact    bool // the term's blocks so far are full, in order, not overlapping
	prevLast   int64
	prevN      int
	ids        []int64
	tfs, lens  []int16
	rewrite    []string
	out        blockGroups
	ids32      []int64
	tf32, ln32 []int32
}

// add takes the next block read.
func (c *compaction) add(term string, first, last int64, n int, packed []byte) error {
	if term != c.term {
		if err := c.flush(); err != nil {
			return err
		}
		c.term, c.blocks, c.compact = term, 0, true
		c.ids, c.tfs, c.lens = c.ids[:0], c.tfs[:0], c.lens[:0]
	}
	if c.blocks > 0 && (c.prevN < blockSize || first <= c.prevLast) {
		c.compact = false
	}
	c.blocks, c.prevLast, c.prevN = c.blocks+1, last, n
	if n < 0 {
		return fmt.Errorf("block of %q at %d holds %d postings", term, first, n)
	}
	at := len(c.ids)
	c.ids, c.tfs, c.lens = append(c.ids, make([]int64, n)...), append(c.tfs, make([]int16, n)...), append(c.lens, make([]int16, n)...)
	if err := unpackPostings(first, n, packed, c.ids[at:], c.tfs[at:], c.lens[at:]); err != nil {
		return fmt.Errorf("block of %q at %d: %w", term, first, err)
	}
	return nil
}

// flush packs the term read so far into full blocks, unless its blocks are compact.
func (c *compaction) flush() error {
	if c.blocks == 0 || c.compact {
		return nil
	}
	sort.Sort(byPassage(postingList{ids: c.ids, tfs: c.tfs, lens: c.lens}))
	c.rewrite = append(c.rewrite, c.term)
	c.ids32, c.tf32, c.ln32 = c.ids32[:0], c.tf32[:0], c.ln32[:0]
	for i := range c.ids {
		c.ids32, c.tf32, c.ln32 = append(c.ids32, c.ids[i]), append(c.tf32, int32(c.tfs[i])), append(c.ln32, int32(c.lens[i]))
	}
	at := make([]int, 0, blockSize)
	for lo := 0; lo < len(c.ids); lo += blockSize {
		at = at[:0]
		for i := lo; i < min(lo+blockSize, len(c.ids)); i++ {
			at = append(at, i)
		}
		if err := c.out.add(c.term, 0, at, c.ids32, c.tf32, c.ln32, nil); err != nil {
			return err
		}
	}
	c.blocks = 0
	return nil
}

// deleteCollection deletes every article of coll (and everything under them), its
// questions (and their feedback) and its statistics row, in one transaction, and returns
// how many articles it deleted. The server's settings are kept: only a departed server
// loses them (deleteDeparted). It fails only on a database error.
func (s *Store) deleteCollection(ctx context.Context, coll string) (int, error) {
	var n int
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		var err error
		n, err = t.deleteCollection(ctx, coll)
		return err
	})
	return n, err
}

// deleteCollection is Store.deleteCollection inside the transaction t.
func (t storeTx) deleteCollection(ctx context.Context, coll string) (int, error) {
	// A collection with partitions of its own (migration 018) drops them: its articles,
	// passages and keyword index go whole, and its statistics with its collections row
	// below.
	n, _, err := t.dropCollectionPartitions(ctx, coll)
	if err != nil {
		return 0, err
	}
	// Otherwise the keyword index goes whole first: chunks' trigger then skips the block by
	// block removal of the passages' postings. Passages and vectors go with the articles,
	// feedback with the questions (ON DELETE CASCADE).
	if err := t.dropKeywordIndex(ctx, coll); err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(ctx, `DELETE FROM articles WHERE collection = $1`, coll)
	if err != nil {
		return 0, fmt.Errorf("delete articles: %w", err)
	}
	n += int(tag.RowsAffected())
	for _, q := range []string{
		`DELETE FROM questions WHERE collection = $1`,
		`DELETE FROM feeds WHERE collection = $1`,
		`DELETE FROM collections WHERE name = $1`,
	} {
		if _, err := t.tx.Exec(ctx, q, coll); err != nil {
			return 0, fmt.Errorf("delete collection %s: %w", coll, err)
		}
	}
	return n, nil
}

// dropKeywordIndex deletes coll's term statistics and postings whole, before its passages
// go: chunks' delete trigger skips a collection without term statistics, instead of taking
// each passage out of its blocks.
func (t storeTx) dropKeywordIndex(ctx context.Context, coll string) error {
	for _, q := range []string{`DELETE FROM term_blocks WHERE collection = $1`, `DELETE FROM term_stats WHERE collection = $1`} {
		if _, err := t.tx.Exec(ctx, q, coll); err != nil {
			return fmt.Errorf("delete keyword index of %s: %w", coll, err)
		}
	}
	return nil
}
