package retrieval_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// With a model on a server, importing a file again, or adding a file again, embeds only
// what changed: the stored articles' vectors are kept, and every stored passage still has
// one.
func TestImportAgainEmbedsOnlyWhatChanged(t *testing.T) {
	ctx := context.Background()
	emb := &textCounter{Embedder: renamed{embed.NewHash(24), uniqueModel(t, "served")}}
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb))
	docs := []doc{
		{URL: "https://news.example/ferry", Title: "Ferry", Text: "The ferry to the island leaves at nine o'clock every morning."},
		{URL: "https://news.example/mill", Title: "Mill", Text: "A zeppelin was seen above the old mill on Sunday."},
		{URL: "https://news.example/bridge", Title: "Bridge", Text: "The council voted to repair the stone bridge before winter."},
	}
	c := conn(t)
	passages := func() (chunks, vectors int) {
		return count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll),
			count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1`, coll)
	}
	importDocs(t, e, coll, docs...)
	first := emb.texts.Load()
	if n, v := passages(); first != int64(n) || v != n {
		t.Fatalf("first import embedded %d texts for %d passages and stored %d vectors", first, n, v)
	}

	t.Run("the same file again", func(t *testing.T) {
		before := emb.texts.Load()
		st := importDocs(t, e, coll, docs...)
		if got := emb.texts.Load() - before; got != 0 {
			t.Errorf("importing the same file again embedded %d texts, want 0", got)
		}
		if st.Unchanged != len(docs) {
			t.Errorf("stats = %+v, want %d unchanged", st, len(docs))
		}
	})

	t.Run("one article changed, one copied under a new URL, one new", func(t *testing.T) {
		before := emb.texts.Load()
		changed := docs[1]
		changed.Text = "A zeppelin was seen above the old mill on Monday, not Sunday."
		copied := docs[2]
		copied.URL = "https://mirror.example/bridge"
		fresh := doc{URL: "https://news.example/fair", Title: "Fair", Text: "The autumn fair opens on the green at noon."}
		st := importDocs(t, e, coll, docs[0], changed, copied, fresh)
		if got := emb.texts.Load() - before; got != 2 {
			t.Errorf("embedded %d texts, want 2 (the changed article's passage and the new one's)", got)
		}
		if st.Unchanged != 1 || st.Updated != 1 || st.Duplicates != 1 || st.Added != 1 {
			t.Errorf("stats = %+v, want 1 unchanged, 1 updated, 1 duplicate, 1 added", st)
		}
		if n, v := passages(); v != n {
			t.Errorf("%d passages, %d vectors: every passage must have its vector", n, v)
		}
		if got := urls(search(t, e, coll, "zeppelin Monday", 1, retrieval.Filter{})); len(got) != 1 || got[0] != changed.URL {
			t.Errorf("search = %q, want the changed article", got)
		}
	})

	t.Run("an article changed by another writer after the lookup", func(t *testing.T) {
		// The import finds the ferry article unchanged and does not embed it; before it
		// stores, another writer replaces the article's text, so the import's text is a
		// change after all: it must embed it then, not store passages without vectors.
		other, _ := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb))
		raced := false
		restore := retrieval.SetAfterSkipStored(func() {
			if raced {
				return
			}
			raced = true
			edited := docs[0]
			edited.Text = "The ferry to the island now leaves at ten o'clock."
			if _, err := other.Import(ctx, coll, strings.NewReader(jsonl(t, edited)), nil); err != nil {
				t.Errorf("the other writer's import: %v", err)
			}
		})
		defer restore()
		before := emb.texts.Load()
		st := importDocs(t, e, coll, docs[0])
		if !raced {
			t.Fatal("the hook after the lookup never ran")
		}
		// One text for the other writer's edit, one for this import's (the original text,
		// now a change again).
		if got := emb.texts.Load() - before; got != 2 {
			t.Errorf("embedded %d texts, want 2", got)
		}
		if st.Updated != 1 {
			t.Errorf("stats = %+v, want the ferry article updated back", st)
		}
		if n, v := passages(); v != n {
			t.Errorf("%d passages, %d vectors: the raced article was stored without its vector", n, v)
		}
		if got := urls(search(t, e, coll, "ferry nine o'clock", 1, retrieval.Filter{})); len(got) != 1 || got[0] != docs[0].URL {
			t.Errorf("search = %q, want the ferry article with its original text", got)
		}
	})

	t.Run("adding a file again", func(t *testing.T) {
		body := []byte("Harbour notes\n\nThe harbour master reported " + strings.Repeat("calm seas and light winds. ", 3))
		if _, err := e.AddFile(ctx, coll, "harbour.md", body, "tester"); err != nil {
			t.Fatal(err)
		}
		before := emb.texts.Load()
		a, err := e.AddFile(ctx, coll, "harbour.md", body, "tester")
		if err != nil {
			t.Fatal(err)
		}
		if got := emb.texts.Load() - before; got != 0 || a.Status != retrieval.StatusUnchanged {
			t.Errorf("adding the same file again: status %q, embedded %d texts; want unchanged and 0", a.Status, got)
		}
	})
}

// With the offline embedder no lookup is made: every article is embedded (cheaper than
// asking the database), and importing again stores nothing new.
func TestImportAgainWithTheOfflineEmbedder(t *testing.T) {
	emb := &textCounter{Embedder: embed.NewHash(0)}
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb))
	var docs []doc
	for i := range 5 {
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/%d", i), Title: fmt.Sprintf("Note %d", i),
			Text: fmt.Sprintf("Note %d: the market opens at %d o'clock.", i, i+6)})
	}
	importDocs(t, e, coll, docs...)
	before := emb.texts.Load()
	st := importDocs(t, e, coll, docs...)
	if got := emb.texts.Load() - before; got != int64(len(docs)) {
		t.Errorf("embedded %d texts, want %d (the offline embedder is not skipped)", got, len(docs))
	}
	if st.Unchanged != len(docs) {
		t.Errorf("stats = %+v, want %d unchanged", st, len(docs))
	}
}
