package retrieval

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// ReindexStats reports a reindex: what it found, did and deleted.
type ReindexStats struct {
	Articles, Passages, Embedded int
	Relexed                      int // passages whose postings were rebuilt (a newer tokeniser)
	Space                        string
	// Tokens estimates the tokens the passages this run embedded sent to the model
	// (embed.EstimateTokens of their characters: about 4 a token).
	Tokens int
	// Deleted is how many vectors of spaces the collection had left were deleted after the
	// switch, and SpacesDeleted how many spaces were deleted because no collection used
	// them any more.
	Deleted, SpacesDeleted int
	Took                   time.Duration
}

// ReindexPlan is the work a reindex of a collection has left, counted before it starts, so
// a job can say what it will do ("will embed 7,016 passages, about 1.2 million tokens").
type ReindexPlan struct {
	Articles, Passages int
	// ToRelex is how many passages get their keyword index rebuilt by the current tokeniser
	// (0 when it is up to date; after an interrupted rebuild, the passages it had left).
	ToRelex int
	// ToEmbed is how many passages have no vector in the configured space.
	ToEmbed int
	// Tokens estimates what embedding ToEmbed sends to the model: their title and text in
	// characters, divided by 4 (embed.EstimateTokens), the rule of thumb for English under
	// OpenAI's tokenisers. It is an estimate, not the server's count.
	Tokens int
	// Remote says the embedder is a model on a server (embed.Remote), which counts and may
	// bill Tokens; the offline embedder costs nothing.
	Remote bool
	// Space names the space the reindex fills ("model/dims"); Half says its vectors are
	// stored and indexed as halfvec (wider than MaxVectorDims).
	Space string
	Half  bool
}

// Total is how many passages a reindex reports progress over: those it rebuilds the keyword
// index of and those it embeds.
func (p ReindexPlan) Total() int { return p.ToRelex + p.ToEmbed }

// Batch sizes of a reindex; tests shrink them (export_test.go). Each batch is its own
// transaction and its own progress report: bigger batches save round trips but lose more
// work when a reindex is killed, and report less often.
const (
	reindexBatch = 256 // passages embedded and written at a time (a few embedding requests)
	relexBatch   = 500 // passages re-tokenised at a time
)

// PlanReindex counts what Reindex would do for coll now, without doing it. It fails only on
// a database error.
func (e *Engine) PlanReindex(ctx context.Context, coll string) (ReindexPlan, error) {
	sp := e.Space()
	w, err := e.store.countReindexWork(ctx, coll, sp, text.Version)
	if err != nil {
		return ReindexPlan{}, err
	}
	return e.plan(sp, w), nil
}

// plan is the ReindexPlan of work w in space sp.
func (e *Engine) plan(sp Space, w reindexWork) ReindexPlan {
	p := ReindexPlan{Articles: w.Articles, Passages: w.Passages, ToEmbed: w.ToEmbed,
		Tokens: int(embed.EstimateTokens(w.EmbedChars)), Space: sp.Name(), Half: sp.Half()}
	if w.Lexicon != text.Version {
		p.ToRelex = w.ToRelex
	}
	if r, ok := e.cfg.Embedder.(embed.Remote); ok {
		p.Remote = r.Remote()
	}
	return p
}

// Reindex brings a collection's indexes up to date. When its postings were built by an
// older tokeniser (text.Version), it rebuilds them from the stored passages first. Then it
// embeds every passage that has no vector in the configured embedding space (all of them
// after a change of model), and makes that space the collection's active one in one
// statement: until then the old space keeps serving, so /ask never breaks. After the
// switch it deletes the collection's vectors in the spaces it left, and the spaces no
// collection uses any more. progress (may be nil) is called after each batch with the
// passages done and to do (ReindexPlan.Total, counted at the start).
//
// Every batch is recorded as it is done, so Reindex is safe to run again after it was
// interrupted (a cancelled ctx, a failing embedder, a killed process): it continues where it
// stopped, and writes no row twice. It returns what it did with the first error met.
func (e *Engine) Reindex(ctx context.Context, coll string, progress func(done, total int)) (ReindexStats, error) {
	start := time.Now()
	sp := e.Space()
	st := ReindexStats{Space: sp.Name()}
	if progress == nil {
		progress = func(int, int) {}
	}
	w, err := e.store.countReindexWork(ctx, coll, sp, text.Version)
	if err != nil {
		return st, err
	}
	plan := e.plan(sp, w)
	st.Articles, st.Passages = plan.Articles, plan.Passages
	total, done := plan.Total(), 0
	report := func(n int) {
		done += n
		progress(done, total)
	}
	progress(0, total)
	if w.Lexicon != text.Version {
		if st.Relexed, err = e.relex(ctx, coll, w.RelexAfter, report); err != nil {
			return st, err
		}
	}
	var chars int64
	st.Embedded, chars, err = e.embedMissing(ctx, coll, sp, report)
	st.Tokens = int(embed.EstimateTokens(chars))
	if err != nil {
		return st, err
	}
	if err := e.withSpace(ctx, func(sp Space) error { return e.store.activateSpace(ctx, coll, sp) }); err != nil {
		return st, err
	}
	st.Space = e.Space().Name()
	if st.Deleted, st.SpacesDeleted, err = e.deleteOldSpaces(ctx, coll); err != nil {
		return st, err
	}
	st.Took = time.Since(start)
	return st, nil
}

// embedMissing embeds the passages of coll that have no vector in space sp, a batch at a
// time, reporting each batch. It returns how many passages it embedded and the characters
// of the texts it sent.
func (e *Engine) embedMissing(ctx context.Context, coll string, sp Space, report func(int)) (int, int64, error) {
	n := 0
	var chars int64
	err := e.store.pagePassagesToEmbed(ctx, coll, sp, e.reindexBatch, func(batch []storedPassage) error {
		ids := make([]int64, len(batch))
		texts := make([]string, len(batch))
		for i, p := range batch {
			ids[i], texts[i] = p.id, p.title+"\n"+p.body
		}
		vecs, err := e.cfg.Embedder.Embed(ctx, texts)
		if err != nil {
			return fmt.Errorf("embed passages: %w", err)
		}
		if err := e.withSpace(ctx, func(sp Space) error { return e.store.insertEmbeddings(ctx, coll, sp, ids, vecs) }); err != nil {
			return err
		}
		for _, t := range texts {
			chars += int64(utf8.RuneCountInString(t))
		}
		n += len(batch)
		report(len(batch))
		return nil
	})
	return n, chars, err
}

// relex rebuilds the postings and BM25 lengths of the passages of coll after passage id
// after with the current tokeniser, a batch per transaction (search keeps working
// throughout) that also records how far it got, then stamps the collection with
// text.Version. It returns how many passages it rebuilt.
func (e *Engine) relex(ctx context.Context, coll string, after int64, report func(int)) (int, error) {
	n := 0
	err := e.store.pageAllPassages(ctx, coll, after, e.relexBatch, func(batch []storedPassage) error {
		docs := make([]lexicalDoc, len(batch))
		for i, p := range batch {
			terms, length := passageTerms(p.title, p.body)
			docs[i] = lexicalDoc{id: p.id, terms: terms, length: length}
		}
		if err := e.store.replacePostings(ctx, coll, docs, text.Version); err != nil {
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

// deleteOldSpaces deletes coll's vectors in every space but its active one, in batches,
// then the spaces that no collection uses any more (with their HNSW indexes), and returns
// how many vectors and spaces it deleted. It runs after the switch, so nothing it deletes
// is searched; an interrupted delete is finished by the next reindex.
func (e *Engine) deleteOldSpaces(ctx context.Context, coll string) (int, int, error) {
	start := time.Now()
	vecs, err := e.store.deleteLeftVectors(ctx, coll)
	if err != nil {
		return vecs, 0, err
	}
	spaces, err := e.store.deleteUnusedSpaces(ctx, e.Space().ID)
	if vecs > 0 || len(spaces) > 0 {
		e.log.InfoContext(ctx, "reindex deleted the embedding spaces it left",
			"collection", coll, "vectors", vecs, "spaces", spaces, "took_ms", time.Since(start).Milliseconds())
	}
	return vecs, len(spaces), err
}
