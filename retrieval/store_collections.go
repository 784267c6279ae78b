package retrieval

import (
	"context"
	"fmt"
	"strconv"

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
		                AND NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.space_id = $2 AND e.chunk_id = ch.id))
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
// rebuild ends with this, as 016's backfill packed them.
func (t storeTx) compactBlocks(ctx context.Context, coll string) error {
	_, err := t.tx.Exec(ctx, `
		WITH old AS (DELETE FROM term_blocks WHERE collection = $1 RETURNING term, ids, tfs, lens),
		     p AS (SELECT o.term, u.id, u.tf, u.len,
		                  (row_number() OVER (PARTITION BY o.term ORDER BY u.id) - 1) / `+strconv.Itoa(blockSize)+` AS blk
		           FROM old o, unnest(o.ids, o.tfs, o.lens) AS u(id, tf, len))
		INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, ids, tfs, lens)
		SELECT $1, term, min(id), max(id), max(tf), min(len),
		       array_agg(id ORDER BY id), array_agg(tf ORDER BY id), array_agg(len ORDER BY id)
		FROM p GROUP BY term, blk`, coll)
	if err != nil {
		return fmt.Errorf("compact blocks: %w", err)
	}
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
