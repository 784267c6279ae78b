package retrieval_test

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestRemoveCollection(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	other, otherColl := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/a", Text: longText("ferry")}, doc{URL: "https://news.example/b", Text: "The pier closes for repairs."})
	importDocs(t, other, otherColl, doc{URL: "https://news.example/a", Text: longText("ferry")})
	ans, err := e.Ask(ctx, coll, "When does the ferry run?", retrieval.AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RecordFeedback(ctx, retrieval.Feedback{Collection: coll, QuestionID: ans.QuestionID, User: "u", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	c := conn(t)
	tables := []string{"articles", "chunks", "postings", "embeddings", "questions", "feedback"}
	counts := func(name string) map[string]int {
		m := map[string]int{"collections": count(t, c, `SELECT count(*) FROM collections WHERE name = $1`, name)}
		for _, tb := range tables {
			m[tb] = count(t, c, `SELECT count(*) FROM `+tb+` WHERE collection = $1`, name)
		}
		return m
	}
	otherBefore := counts(otherColl)

	n, err := e.RemoveCollection(ctx, coll)
	if err != nil || n != 2 {
		t.Fatalf("RemoveCollection = %d, %v; want 2 articles", n, err)
	}
	t.Run("nothing of the collection is left", func(t *testing.T) {
		for tb, n := range counts(coll) {
			if n != 0 {
				t.Errorf("%s still holds %d rows of %s", tb, n, coll)
			}
		}
	})
	t.Run("other collections are untouched", func(t *testing.T) {
		if after := counts(otherColl); !mapsEqual(after, otherBefore) {
			t.Errorf("other collection went from %v to %v", otherBefore, after)
		}
	})
	// Asking it is TestAskOnACollectionWithNoArticles.
	t.Run("the emptied collection searches as empty", func(t *testing.T) {
		if res := search(t, e, coll, "ferry", 10, retrieval.Filter{}); len(res) != 0 {
			t.Errorf("search found %d passages", len(res))
		}
	})
}
