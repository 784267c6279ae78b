package retrieval_test

import (
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// westfieldCorpus has one article about the Westfield library and notes that only say
// "Westfield". The tests add topicsCorpus, for German unemployment without rivers.
var westfieldCorpus = []doc{
	{URL: "https://news.example/library", Title: "Westfield library reopens",
		Text: "The Westfield library reopened on Monday after a year of repairs. Its new reading room seats eighty, and the children's library moves to the ground floor."},
	{URL: "https://news.example/bakery", Title: "Bakery wins bread prize",
		Text: "A family bakery in Westfield won a national prize for its rye bread. The owners said they would hire two more bakers."},
	{URL: "https://news.example/tram", Title: "Tram delays this week",
		Text: "Trams to Westfield ran late all week because of a signal fault. The operator apologised to passengers."},
	{URL: "https://news.example/council", Title: "Council meets in Westfield",
		Text: "The regional council held its monthly meeting in Westfield town hall, where members discussed road repairs."},
}

func TestAskRequestsQuoteOnlyArticlesAboutTheTopic(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, append(westfieldCorpus, topicsCorpus...)...)
	t.Run("tell me about the Westfield library quotes the library article and no note that only says Westfield", func(t *testing.T) {
		a, err := ask(t, e, coll, "Tell me about the Westfield library")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if !a.Covered || len(a.Citations) != 1 || !strings.Contains(a.Citations[0].URL, "library") {
			t.Errorf("Ask = covered %v, %+v; want the library article alone", a.Covered, a.Citations)
		}
		if a.Signals == nil {
			t.Error("Signals = nil, want the second check's measures of the overview's first quote")
		}
	})
	for _, q := range []string{
		// The first check passes it (the jobs article holds "German"), the overview would
		// quote it; the second check, on the first quote, refuses it.
		"Tell me about German rivers",
		"Summarize the news about the Westfield zoo",
	} {
		t.Run("a request about an absent topic abstains: "+q, func(t *testing.T) {
			a, err := ask(t, e, coll, q)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if a.Covered || len(a.Citations) != 0 {
				t.Errorf("Ask(%q) = covered %v, %+v; want an abstention", q, a.Covered, a.Citations)
			}
		})
	}
}
