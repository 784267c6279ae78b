package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// ReindexStats reports a finished reindex.
type ReindexStats struct {
	Articles, Passages, Embedded int
	Relexed                      int // passages whose postings were rebuilt (a newer tokeniser)
	Space                        string
	Took                         time.Duration
}

// reindexBatch is how many passages a reindex embeds and writes at a time.
const reindexBatch = 256

// relexBatch is how many passages a reindex re-tokenises at a time.
const relexBatch = 500

// Reindex brings a collection's indexes up to date. When its postings were built by an
// older tokeniser (text.Version), it rebuilds them from the stored passages first. Then it
// embeds every passage that has no vector in the configured embedding space (all of them
// after a change of model), and makes that space the collection's active one in one
// statement: until then the old space keeps serving, so /ask never breaks. progress (may be
// nil) is called after each batch with the passages done and to do. It is safe to run
// again after an interruption: it picks up where it stopped.
func (e *Engine) Reindex(ctx context.Context, coll string, progress func(done, total int)) (ReindexStats, error) {
	start := time.Now()
	st := ReindexStats{Space: e.space.Name()}
	if progress == nil {
		progress = func(int, int) {}
	}
	counts, err := e.store.countCollection(ctx, coll)
	if err != nil {
		return st, err
	}
	st.Articles, st.Passages = counts.Articles, counts.Passages
	todo, err := e.store.countPassagesToEmbed(ctx, coll, e.space)
	if err != nil {
		return st, err
	}
	relex := counts.Lexicon != text.Version
	total, done := todo, 0
	if relex {
		total += st.Passages
	}
	report := func(n int) {
		done += n
		progress(done, total)
	}
	progress(0, total)
	if relex {
		if st.Relexed, err = e.relex(ctx, coll, report); err != nil {
			return st, err
		}
	}
	if st.Embedded, err = e.embedMissing(ctx, coll, report); err != nil {
		return st, err
	}
	if err := e.store.activateSpace(ctx, coll, e.space); err != nil {
		return st, err
	}
	st.Took = time.Since(start)
	return st, nil
}

// embedMissing embeds the passages of coll that have no vector in the configured space, a
// batch at a time, reporting each batch. It returns how many passages it embedded.
func (e *Engine) embedMissing(ctx context.Context, coll string, report func(int)) (int, error) {
	n := 0
	err := e.store.pagePassagesToEmbed(ctx, coll, e.space, reindexBatch, func(batch []storedPassage) error {
		ids := make([]int64, len(batch))
		texts := make([]string, len(batch))
		for i, p := range batch {
			ids[i], texts[i] = p.id, p.title+"\n"+p.body
		}
		vecs, err := e.cfg.Embedder.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed passages: %w", err)
		}
		if err := e.store.insertEmbeddings(ctx, coll, e.space, ids, vecs); err != nil {
			return err
		}
		n += len(batch)
		report(len(batch))
		return nil
	})
	return n, err
}

// relex rebuilds the postings and BM25 lengths of every passage of coll with the current
// tokeniser, a batch per transaction (search keeps working throughout), then stamps the
// collection with text.Version. It returns how many passages it rebuilt.
func (e *Engine) relex(ctx context.Context, coll string, report func(int)) (int, error) {
	n := 0
	err := e.store.pageAllPassages(ctx, coll, relexBatch, func(batch []storedPassage) error {
		docs := make([]lexicalDoc, len(batch))
		for i, p := range batch {
			terms, length := passageTerms(p.title, p.body)
			docs[i] = lexicalDoc{id: p.id, terms: terms, length: length}
		}
		if err := e.store.replacePostings(ctx, coll, docs); err != nil {
			return err
		}
		n += len(batch)
		report(len(batch))
		return nil
	})
	if err != nil {
		return n, err
	}
	return n, e.store.setLexicon(ctx, coll, text.Version)
}
