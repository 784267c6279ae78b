package retrieval_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
	"github.com/footnote-bot/footnote/retrieval/text"
)

func TestReindexRebuildsPostingsOfAnOlderTokeniser(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	importDocs(t, e, coll,
		doc{URL: "https://chronicle.example/khans", Title: "The later khans",
			Text: "Temür Khan ruled as Emperor Chengzong. His reign was calm.\n\n" + strings.Repeat("The court met in the summer capital. ", 30)},
		doc{URL: "https://chronicle.example/ports", Title: "Ports of the south",
			Text: "Quanzhou was the busiest port of the age. " + strings.Repeat("Ships sailed for India. ", 30)},
	)
	c := conn(t)
	// What an older tokeniser left behind: unfolded terms, other lengths, no version stamp.
	for _, q := range []string{
		`UPDATE term_blocks SET term = 'temür' WHERE collection = $1 AND term = 'temur'`,
		`UPDATE term_stats SET term = 'temür' WHERE collection = $1 AND term = 'temur'`,
		`UPDATE chunks SET terms = replace(terms, 'temur', 'temür') WHERE collection = $1`,
		`UPDATE chunks SET token_count = token_count + 5 WHERE collection = $1`,
		`UPDATE collections SET lexicon = 0, token_total = (SELECT sum(token_count) FROM chunks WHERE collection = $1) WHERE name = $1`,
	} {
		if _, err := c.Exec(ctx, q, coll); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	passages := count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll)

	st, err := e.Reindex(ctx, coll, nil)
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	t.Run("every passage's postings are rebuilt", func(t *testing.T) {
		if st.Relexed != passages {
			t.Fatalf("Relexed = %d, want %d", st.Relexed, passages)
		}
		if n := count(t, c, `SELECT count(*) FROM postings WHERE collection = $1 AND term = 'temür'`, coll); n != 0 {
			t.Fatalf("%d postings keep the unfolded term", n)
		}
		if got := search(t, e, coll, "Temur Khan", 1, retrieval.Filter{}); len(got) == 0 || got[0].URL != "https://chronicle.example/khans" {
			t.Fatalf("search for the folded name found %v", urls(got))
		}
	})
	t.Run("passage lengths and the collection's total length agree again", func(t *testing.T) {
		stale := count(t, c, `
			SELECT count(*) FROM chunks ch JOIN postings p ON p.chunk_id = ch.id
			WHERE ch.collection = $1 AND p.doc_len <> ch.token_count`, coll)
		if stale != 0 {
			t.Fatalf("%d postings disagree with their passage's length", stale)
		}
		sum := count(t, c, `SELECT sum(token_count)::int FROM chunks WHERE collection = $1`, coll)
		total := count(t, c, `SELECT token_total::int FROM collections WHERE name = $1`, coll)
		if sum != total {
			t.Fatalf("collection total length %d, passages add up to %d", total, sum)
		}
	})
	t.Run("the collection is stamped with the current tokeniser", func(t *testing.T) {
		if v := count(t, c, `SELECT lexicon FROM collections WHERE name = $1`, coll); v != text.Version {
			t.Fatalf("lexicon = %d, want %d", v, text.Version)
		}
	})
	t.Run("a second reindex rebuilds nothing", func(t *testing.T) {
		st, err := e.Reindex(ctx, coll, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st.Relexed != 0 || st.Embedded != 0 {
			t.Fatalf("second reindex relexed %d and embedded %d passages", st.Relexed, st.Embedded)
		}
	})
}

// countingEmbedder counts Embed calls: a search calls it only when its dense arm runs.
type countingEmbedder struct {
	embed.Embedder
	calls atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	return c.Embedder.Embed(ctx, texts)
}

func TestReindexSwitchesSpaces(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t)
	var docs []doc
	for i := range 300 { // more passages than one reindex batch
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/%d", i), Title: fmt.Sprintf("Bulletin %d", i),
			Text: fmt.Sprintf("Bulletin %d: the ferry to the island leaves at %d o'clock.", i, i%12+1)})
	}
	docs = append(docs, doc{URL: "https://news.example/zeppelin", Title: "Sky sighting", Text: "A zeppelin was seen above the old mill on Sunday."})
	importDocs(t, oldEng, coll, docs...)
	// A model whose dense arm runs (the hash embedder's space has none).
	emb := &countingEmbedder{Embedder: renamed{embed.NewHash(64), uniqueModel(t, "new")}}
	newEng, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{Embedder: emb, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	c := conn(t)
	active := func() int {
		return count(t, c, `SELECT coalesce(active_space, 0) FROM collections WHERE name = $1`, coll)
	}
	// answers checks that both engines find and answer, and whether the new one's dense arm ran.
	answers := func(t *testing.T, wantDense bool) {
		t.Helper()
		for name, eng := range map[string]*retrieval.Engine{"old model": oldEng, "new model": newEng} {
			before := emb.calls.Load()
			if got := urls(search(t, eng, coll, "zeppelin mill", 3, retrieval.Filter{})); len(got) == 0 || got[0] != "https://news.example/zeppelin" {
				t.Errorf("%s engine: search = %q, want the zeppelin article first", name, got)
			}
			a, err := eng.Ask(ctx, coll, "Where was the zeppelin seen?", retrieval.AskOptions{})
			if err != nil || !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != "https://news.example/zeppelin" {
				t.Errorf("%s engine: Ask = %+v, %v; want an answer citing the zeppelin article", name, a, err)
			}
			if name == "new model" {
				if ran := emb.calls.Load() > before; ran != wantDense {
					t.Errorf("new model engine: dense arm ran = %v, want %v", ran, wantDense)
				}
			}
		}
	}
	if active() != oldEng.Space().ID {
		t.Fatalf("active space %d, want the importing engine's %d", active(), oldEng.Space().ID)
	}
	t.Run("before a reindex the new model answers with the lexical arm alone", func(t *testing.T) { answers(t, false) })

	var progress [][2]int
	st, err := newEng.Reindex(ctx, coll, func(done, total int) {
		progress = append(progress, [2]int{done, total})
		if done > 0 && done < total {
			t.Run("halfway through a reindex the old space still serves", func(t *testing.T) {
				if got := active(); got != oldEng.Space().ID {
					t.Errorf("active space %d mid-reindex, want %d", got, oldEng.Space().ID)
				}
				answers(t, false)
			})
		}
	})
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	passages := count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll)
	t.Run("every passage is embedded in the new space", func(t *testing.T) {
		// Tokens and SpacesDeleted have tests of their own.
		want := retrieval.ReindexStats{Articles: len(docs), Passages: passages, Embedded: passages, Space: newEng.Space().Name(),
			Tokens: st.Tokens, Deleted: passages, SpacesDeleted: st.SpacesDeleted, Took: st.Took}
		if st != want {
			t.Errorf("Reindex = %+v, want %+v", st, want)
		}
		if n := count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, newEng.Space().ID); n != passages {
			t.Errorf("%d vectors in the new space, want %d", n, passages)
		}
		if len(progress) < 3 || progress[0] != [2]int{0, passages} || progress[len(progress)-1] != [2]int{passages, passages} {
			t.Errorf("progress = %v, want from 0 to %d in several steps", progress, passages)
		}
	})
	t.Run("the collection switches to the new space", func(t *testing.T) {
		if got := active(); got != newEng.Space().ID {
			t.Errorf("active space %d, want %d", got, newEng.Space().ID)
		}
	})
	t.Run("after the switch the new model searches both arms and the old still answers", func(t *testing.T) { answers(t, true) })
	t.Run("a second reindex has nothing to embed", func(t *testing.T) {
		again, err := newEng.Reindex(ctx, coll, nil)
		if err != nil || again.Embedded != 0 || again.Passages != passages {
			t.Errorf("second Reindex = %+v, %v; want nothing embedded", again, err)
		}
	})
}

// deletingEmbedder runs del before its first Embed: a member's /remove landing while a
// reindex embeds the passages it has just read.
type deletingEmbedder struct {
	embed.Embedder
	once sync.Once
	del  func()
}

func (d *deletingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	d.once.Do(d.del)
	return d.Embedder.Embed(ctx, texts)
}

func TestReindexSkipsPassagesDeletedWhileItEmbeds(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t)
	importDocs(t, oldEng, coll,
		doc{URL: "https://news.example/kept", Text: longText("ferry")},
		doc{URL: "https://news.example/removed", Text: longText("tram")})
	emb := &deletingEmbedder{Embedder: embed.NewHash(40)}
	emb.del = func() {
		if _, err := oldEng.RemoveArticle(ctx, coll, "https://news.example/removed", "", true); err != nil {
			t.Errorf("remove during reindex: %v", err)
		}
	}
	newEng, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{Embedder: emb, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newEng.Reindex(ctx, coll, nil); err != nil {
		t.Fatalf("Reindex with a passage deleted mid-batch: %v", err)
	}
	c := conn(t)
	left := count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll)
	vecs := count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, newEng.Space().ID)
	if left == 0 || vecs != left {
		t.Errorf("%d vectors in the new space for the %d passages left, want one each", vecs, left)
	}
}
