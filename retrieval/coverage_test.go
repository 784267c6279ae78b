package retrieval_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// topicsCorpus has a tennis report that says "off the boil", German unemployment without
// the Rhine, a film award to a Joe Pancake, several Yukos stories, a climate report with a "Summary for Policymakers",
// and talks on fentanyl.
var topicsCorpus = []doc{
	{URL: "https://news.example/tennis", Title: "Nadal puts Spain 2-0 up", Text: "Roddick has gone off the boil and again struggles. He fails to get down properly for a low forehand volley and gives Nadal three break points."},
	{URL: "https://news.example/jobs", Title: "Five million Germans out of work", Text: "German unemployment rose above five million in January, the largest number since the war. Berlin, the largest city, runs a jobs programme that critics call too small."},
	{URL: "https://news.example/yukos-sues", Title: "Yukos sues four firms", Text: "Russian oil firm Yukos has sued four companies for their role in the forced state auction of its key oil production unit Yuganskneftegas. The claim is worth 20 billion dollars."},
	{URL: "https://news.example/yukos-shares", Title: "Khodorkovsky quits Yukos shares", Text: "Jailed tycoon Mikhail Khodorkovsky has transferred his controlling stake in oil giant Yukos to a business partner. The move follows the auction of Yuganskneftegas."},
	{URL: "https://news.example/yukos-courts", Title: "Yukos heading back to US courts", Text: "Yukos will return to a US court in Houston to seek damages over the auction. Analysts are not optimistic about Yukos' chances in court."},
	{URL: "https://news.example/ipcc", Title: "Climate panel report", Text: "The Summary for Policymakers of the climate panel's report says that warming is unequivocal. The summary was approved line by line by the governments of the panel."},
	{URL: "https://news.example/film", Title: "Effects team wins award", Text: "The award went to the team led by special effects foreman Joe Pancake, who built the storm for the film. Pancake said the crew worked for eight months."},
	{URL: "https://news.example/fentanyl", Title: "Talks on fentanyl trafficking resume", Text: "Officials from both countries met in Geneva to resume talks on fentanyl trafficking. The talks focused on controls of the chemicals used to make fentanyl, and ended with an agreement to share shipping data."},
}

func TestAskKnowsWhatTheArticlesDoNotCover(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, topicsCorpus...)
	for _, q := range []string{
		// Joe Pancake is no recipe: the passage has the word only as a name (Signals.Weak).
		// Known miss, still answered (README: Knowing what the articles don't cover):
		// "What is the boiling point of water?" quotes "off the boil" (the words are there,
		// in their own sense, and no signal of the model reads idioms).
		"How do I make pancakes?",
		// "Berlin, the largest city, runs ..." holds the words but the Rhine nowhere, and the
		// article says none of them twice (Signals.Repeated): answered before Repeated.
		"What is the largest city the Rhine runs through?",
		"Which river does the Rhine flow into?",
		"How many moons does Neptune have?",
		"Tell me about the Rhine",
	} {
		t.Run("a question about an absent topic abstains: "+q, func(t *testing.T) {
			a, err := ask(t, e, coll, q)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if a.Covered || len(a.Citations) != 0 {
				t.Errorf("Ask(%q) = covered %v, citations %+v; want an abstention", q, a.Covered, a.Citations)
			}
			if a.QuestionID == 0 || recorded(t, coll, a.QuestionID) {
				t.Errorf("question %d: want it recorded as not covered", a.QuestionID)
			}
		})
	}
	t.Run("an answerable question is answered", func(t *testing.T) {
		a, err := ask(t, e, coll, "Who transferred his controlling stake in Yukos?")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if !a.Covered || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "Khodorkovsky") {
			t.Errorf("Ask = %+v, want a quote naming Khodorkovsky", a)
		}
	})
}

func TestAskAnswersRequestsWithKeyPassages(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, topicsCorpus...)
	t.Run("summarize the news about Yukos cites Yukos articles, not the summary for policymakers", func(t *testing.T) {
		a, err := ask(t, e, coll, "Summarize the news about Yukos")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if !a.Covered || len(a.Citations) < 2 {
			t.Fatalf("Ask = %+v, want quotes from several Yukos articles", a)
		}
		seen := map[string]bool{}
		for _, c := range a.Citations {
			if !strings.Contains(c.URL, "yukos") || seen[c.URL] {
				t.Errorf("citation %d is %s: want each Yukos article once, and nothing else", c.N, c.URL)
			}
			seen[c.URL] = true
		}
		checkQuotes(t, e, coll, a)
	})
	for _, q := range []string{"Tell me about fentanyl", "Summarize the fentanyl talks", "fentanyl talks"} {
		t.Run("a request about a single article is answered from it: "+q, func(t *testing.T) {
			a, err := ask(t, e, coll, q)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if !a.Covered || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].URL, "fentanyl") {
				t.Errorf("Ask(%q) = %+v, want a quote from the fentanyl article", q, a)
			}
		})
	}
}

// The answerer reads a misspelt word as the collection spells it (Evidence.Spellings):
// "seige warfare" is quoted from the sentence on siege warfare, not from the one that
// shares the question's other words.
func TestAskQuotesTheSentenceHoldingTheMisspeltWord(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, append([]doc{
		{URL: "https://wiki.example/genghis", Title: "Genghis Khan", Text: "Genghis Khan provided stability during a time of almost endemic warfare between tribes. " +
			"Mongol traditions were reinforced. The Khan was a quick student, adopting new technologies and ideas, such as siege warfare from the Chinese."},
	}, topicsCorpus...)...)
	a, err := ask(t, e, coll, "From whom did Genghis Khan learn seige warfare?")
	if err != nil || a == nil {
		t.Fatalf("Ask: %v", err)
	}
	if len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "siege warfare from the Chinese") {
		t.Fatalf("Ask = %+v, want the first quote on siege warfare from the Chinese", a)
	}
}

func TestAskForgivesMisspellings(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, append([]doc{
		{URL: "https://wiki.example/victoria", Title: "Victoria (Australia)", Text: "Traditionally, the Labor party is strongest in Melbourne's working class western and northern suburbs, and the regional cities of Ballarat, Bendigo and Geelong."},
		{URL: "https://wiki.example/genghis", Title: "Genghis Khan", Text: "He seemed to be a quick student, adopting new technologies and ideas, and learned siege warfare from the Chinese."},
		{URL: "https://wiki.example/apollo", Title: "Apollo program", Text: "The program returned 842 pounds (382 kg) of lunar rocks and soil to Earth."},
	}, topicsCorpus...)...)
	t.Run("an unseen word within an edit or two of a collection word has it as a neighbour", func(t *testing.T) {
		near, err := retrieval.NearTerms(context.Background(), e, coll, []string{"bedigo", "seig", "rhine", "xyz", "kgs"})
		if err != nil {
			t.Fatalf("NearTerms: %v", err)
		}
		if !slices.Contains(near["kgs"], "kg") {
			t.Errorf("NearTerms = %v, want kg for the plural kgs", near)
		}
		if !slices.Contains(near["bedigo"], "bendigo") || !slices.Contains(near["seig"], "sieg") {
			t.Errorf("NearTerms = %v, want bendigo for bedigo and sieg for seig", near)
		}
		if len(near["rhine"]) != 0 || len(near["xyz"]) != 0 {
			t.Errorf("NearTerms = %v, want no neighbour for rhine, nor for the too short xyz", near)
		}
	})
	for q, want := range map[string]string{
		"What party is strongest in Bedigo and Geelong?":  "Labor",
		"From whom did Genghis Khan learn seige warfare?": "Chinese",
	} {
		t.Run("a misspelt question is answered: "+q, func(t *testing.T) {
			a, err := ask(t, e, coll, q)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if !a.Covered || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, want) {
				t.Fatalf("Ask(%q) = %+v, want a quote with %q", q, a, want)
			}
			if a.Signals == nil || a.Signals.Unseen != 0 {
				t.Errorf("Signals = %+v, want the misspelt word not counted as unseen", a.Signals)
			}
		})
	}
}
