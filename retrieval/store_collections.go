package retrieval

import (
	"context"
	"fmt"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// collectionCounts is what a collection holds, and how its postings were built.
type collectionCounts struct {
	Articles, Passages int
	// Lexicon is the text.Version of the tokeniser that built the postings; text.Version
	// for a collection with nothing stored yet.
	Lexicon int
}

// countCollection returns how many articles and passages coll holds and its tokeniser
// version. It fails only on a database error.
func (s *Store) countCollection(ctx context.Context, coll string) (collectionCounts, error) {
	var c collectionCounts
	_, err := s.query(ctx, in(coll), `
		SELECT (SELECT count(*) FROM articles WHERE collection = $1),
		       (SELECT count(*) FROM chunks WHERE collection = $1),
		       COALESCE((SELECT lexicon FROM collections WHERE name = $1), $2)`,
		[]any{coll, text.Version}, into(&c.Articles, &c.Passages, &c.Lexicon))
	if err != nil {
		return c, fmt.Errorf("count passages: %w", err)
	}
	return c, nil
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

// setLexicon records that the postings of coll were built by tokeniser version. It fails
// only on a database error.
func (s *Store) setLexicon(ctx context.Context, coll string, version int) error {
	if _, err := s.exec(ctx, in(coll), `UPDATE collections SET lexicon = $2 WHERE name = $1`, coll, version); err != nil {
		return fmt.Errorf("stamp tokeniser version: %w", err)
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
	// Passages, postings and vectors go with the articles, feedback with the questions
	// (ON DELETE CASCADE).
	tag, err := t.tx.Exec(ctx, `DELETE FROM articles WHERE collection = $1`, coll)
	if err != nil {
		return 0, fmt.Errorf("delete articles: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM questions WHERE collection = $1`,
		`DELETE FROM feeds WHERE collection = $1`,
		`DELETE FROM collections WHERE name = $1`,
	} {
		if _, err := t.tx.Exec(ctx, q, coll); err != nil {
			return 0, fmt.Errorf("delete collection %s: %w", coll, err)
		}
	}
	return int(tag.RowsAffected()), nil
}
