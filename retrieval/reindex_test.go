package retrieval_test

import (
	"context"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
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
		`UPDATE postings SET term = 'temür' WHERE collection = $1 AND term = 'temur'`,
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
