package answer

import (
	"context"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

// libraryEvidence is a request about the Westfield library: the library article, then a
// bakery note and a tram note that say "Westfield" and nothing of a library.
func libraryEvidence() retrieval.Evidence {
	return retrieval.Evidence{
		Question: "the Westfield library", Request: true, MinShare: 0.35,
		// "library" is rarer in the collection than "westfield", as a topic's word is.
		TermWeights: map[string]float64{"westfield": 0.6, "librari": 1.8}, // text.Terms stems "library"
		Passages: []retrieval.Result{
			{Rank: 1, ChunkID: 1, ArticleID: 1, URL: "https://news.example/library", Title: "Library reopens",
				Text: "The Westfield library reopened on Monday after a year of repairs. Its new reading room seats eighty."},
			{Rank: 2, ChunkID: 2, ArticleID: 2, URL: "https://news.example/bakery", Title: "Bakery wins prize",
				Text: "A bakery in Westfield won a national prize for its rye bread."},
			{Rank: 3, ChunkID: 3, ArticleID: 3, URL: "https://news.example/tram", Title: "Tram delays",
				Text: "Trams to Westfield ran late all week because of a signal fault."},
		},
	}
}

func TestOverviewQuotesOnlyArticlesAboutTheTopic(t *testing.T) {
	t.Run("an article that only shares one of the topic's words is not quoted", func(t *testing.T) {
		ans, err := Overview{}.Answer(context.Background(), libraryEvidence())
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Covered || len(ans.Citations) != 1 || !strings.Contains(ans.Citations[0].URL, "library") {
			t.Errorf("Overview = %+v, want the library article alone", ans.Citations)
		}
	})
	t.Run("no article about the topic is an answer that is not covered", func(t *testing.T) {
		ev := libraryEvidence()
		ev.Passages = ev.Passages[1:]
		ans, err := Overview{}.Answer(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if ans.Covered || len(ans.Citations) != 0 {
			t.Errorf("Overview = covered %v, %+v; want no citation", ans.Covered, ans.Citations)
		}
	})
}

func TestLLMFallsBackToAnOverviewForRequests(t *testing.T) {
	ev := libraryEvidence()
	ev.MinShare = 0.2 // the bakery and tram notes count here: several articles to quote
	_, chat := newFakeChat(t, ChatConfig{}, oaitest.Reply{Status: 400})
	ans, err := NewLLM(chat, Extractive{}, nil).Answer(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !ans.LLMFailed || ans.LLMErr == nil {
		t.Errorf("LLMFailed %v, LLMErr %v; want the failed call's error", ans.LLMFailed, ans.LLMErr)
	}
	if len(ans.Citations) != 3 {
		t.Errorf("fallback cites %d articles %+v, want one quote from each of the 3", len(ans.Citations), ans.Citations)
	}
}
