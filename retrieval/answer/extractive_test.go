package answer

import (
	"context"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

// A sentence that opens with a personal pronoun is about the name the sentence before it
// holds: "He made many reforms, including the liquidation of the Department of State
// Affairs" answers what Buyantu shut down, though only the first sentence names him.
func TestExtractiveQuotesTheSentenceAPronounTiesToTheName(t *testing.T) {
	ev := retrieval.Evidence{
		Question:    "What government department did Buyantu shut down?",
		TermWeights: map[string]float64{"govern": 1, "depart": 2, "buyantu": 8, "shut": 2},
		Passages: []retrieval.Result{{Rank: 1, ChunkID: 1, ArticleID: 1, URL: "https://example.org/yuan", Title: "Yuan dynasty",
			Text: "The fourth Yuan emperor, Buyantu Khan, was a competent emperor. He was the first Yuan emperor to adopt mainstream Chinese culture. " +
				"He had been mentored by Li Meng, a Confucian academic. He made many reforms, including the liquidation of the Department of State Affairs. " +
				"Starting in 1313 the imperial examinations were reintroduced."}},
	}
	ans, err := Extractive{}.Answer(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Department of State Affairs") {
		t.Fatalf("first quote %q; want the sentence naming the Department of State Affairs", firstQuote(ans))
	}
}

// "This" stands for what was said, not for a name: a sentence opening with it does not take
// the name of the sentence before.
func TestPersonalPronounsOnly(t *testing.T) {
	for s, want := range map[string]bool{
		"He made many reforms.":          true,
		"Their army was defeated.":       true,
		"It was founded in 1329.":        true,
		"This included all the costs.":   false,
		"Such measures were common.":     false,
		"The emperor made many reforms.": false,
	} {
		if got := personal(s); got != want {
			t.Errorf("personal(%q) = %v, want %v", s, got, want)
		}
	}
}

func firstQuote(a *retrieval.Answer) string {
	if a == nil || len(a.Citations) == 0 {
		return ""
	}
	return a.Citations[0].Quote
}

// The passage around a sentence names what it is about, as a title does: "Kuchlug fled."
// makes the next sentence's strategy Kuchlug's, so it is quoted rather than an unrelated
// article's sentence about a strategy, ranked first but naming no one the question asks
// about.
func TestExtractiveCountsThePassagesNamesLikeATitle(t *testing.T) {
	long := "The Mongols used a strategy of inciting internal revolt among his supporters, who had been " +
		"persecuted for their faith, and the towns of the region opened their gates one after another " +
		"while the small invading army, only two tumen strong, marched west through the valleys and " +
		"the passes of the mountains towards the old capital of the kingdom, which fell without a siege " +
		"in the spring of the following year after a short campaign."
	ev := retrieval.Evidence{
		Question:    "What strategy was used against Kuchlug?",
		TermWeights: map[string]float64{"strategi": 2, "use": 1, "kuchlug": 8},
		Passages: []retrieval.Result{
			{Rank: 1, ChunkID: 1, ArticleID: 1, URL: "https://example.org/party", Title: "Party plans",
				Text: "The party used a new strategy for its campaign, officials said on Monday."},
			{Rank: 2, ChunkID: 2, ArticleID: 2, URL: "https://example.org/genghis", Title: "Genghis Khan",
				Text: "Kuchlug fled. " + long},
		},
	}
	ans, err := Extractive{}.Answer(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(firstQuote(ans), "inciting internal revolt") {
		t.Fatalf("first quote %q; want the sentence on the strategy in the passage naming Kuchlug", firstQuote(ans))
	}
}

// The answerer reads a misspelt question word as the collection spells it
// (Evidence.Spellings): "seige warfare" is answered by the sentence on siege warfare, not by
// one that shares only the question's other words.
func TestExtractiveReadsMisspeltWordsAsSpelt(t *testing.T) {
	ev := retrieval.Evidence{
		Question:    "From whom did Genghis Khan learn seige warfare?",
		TermWeights: map[string]float64{"genghi": 3, "khan": 2, "learn": 2, "seig": 9, "warfar": 4},
		Spellings:   map[string][]string{"seig": {"sieg"}},
		Passages: []retrieval.Result{{Rank: 1, ChunkID: 1, ArticleID: 1, URL: "https://example.org/genghis", Title: "Genghis Khan",
			Text: "Genghis Khan provided stability during a time of almost endemic warfare between tribes. " +
				"Mongol traditions were reinforced. The Khan was a quick student, adopting new technologies and ideas, such as siege warfare from the Chinese."}},
	}
	ans, err := Extractive{}.Answer(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(firstQuote(ans), "siege warfare from the Chinese") {
		t.Fatalf("first quote %q; want the sentence on siege warfare", firstQuote(ans))
	}
	ev.Spellings = nil
	if ans, _ = (Extractive{}).Answer(context.Background(), ev); strings.Contains(firstQuote(ans), "siege") {
		t.Fatalf("without spellings the first quote is %q: the test no longer tells the rule's effect", firstQuote(ans))
	}
}

// A question about a detail of a news story names the story too: its words are the story's
// first sentence's, and that sentence won although the answer is in a later one. The words
// the first sentence holds weigh half in the article's sentences (text.Question.SetLead),
// so the sentence with the detail asked for, the prize money given, is quoted first.
func TestExtractiveQuotesTheDetailNotTheStorysFirstSentence(t *testing.T) {
	article := "Carlos Moya became the first man to successfully defend the Chennai Open title by beating four-times finalist Paradorn Srichaphan 3-6 6-4 7-6 (7/5).\n\n" +
		"The Spaniard then donated his £28,000 prize money to relief efforts for the victims of the Asian tsunami. " +
		"The final was close throughout, with Thai second seed Srichaphan - the 2003 winner - closing out the first set."
	ev := func(start int) retrieval.Evidence {
		return retrieval.Evidence{
			Question: "How much prize money did Carlos Moya give to tsunami relief after winning the Chennai Open?",
			TermWeights: map[string]float64{"prize": 3, "monei": 2, "carlo": 5, "moya": 7, "give": 1, "tsunami": 4,
				"relief": 3, "win": 1, "chennai": 7, "open": 2},
			Passages: []retrieval.Result{{Rank: 1, ChunkID: 1, ArticleID: 1, URL: "https://example.org/moya",
				Title: "Moya fights back for Indian title", Text: article, Start: start}},
		}
	}
	ans, err := Extractive{}.Answer(context.Background(), ev(0))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(firstQuote(ans), "£28,000 prize money") {
		t.Fatalf("first quote %q; want the sentence with the prize money", firstQuote(ans))
	}
	// The same text read as a passage from the middle of an article holds no first sentence
	// of the article: the echo of the question wins, as it did before the rule.
	ans, err = Extractive{}.Answer(context.Background(), ev(500))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(firstQuote(ans), "Carlos Moya became") {
		t.Fatalf("mid-article passage: first quote %q; want its first sentence (the control)", firstQuote(ans))
	}
}

// "On what date ...?" is not answered by the sentence that repeats the question's words
// without a date: the dated sentence, close behind, is quoted first. A question that asks
// for no date or number keeps the best-scoring sentence.
func TestExtractiveQuotesADateForAWhenQuestion(t *testing.T) {
	passage := "Susan Chepkemei has decided she is fit enough to run in next month's Great Edinburgh International Cross Country race. " +
		"The Kenyan was banned by her federation for missing a training camp. " +
		"Hayley Yelling competes in the Edinburgh race on 15 January, as does Kathy Butler."
	weights := map[string]float64{"date": 2, "great": 1, "edinburgh": 5, "intern": 1, "cross": 2, "countri": 1, "race": 2,
		"take": 1, "place": 1, "chepkemei": 7, "run": 1}
	ask := func(question string) string {
		ans, err := Extractive{}.Answer(context.Background(), retrieval.Evidence{Question: question, TermWeights: weights,
			Passages: []retrieval.Result{{Rank: 1, ChunkID: 1, ArticleID: 1, URL: "https://example.org/xc", Title: "Chepkemei joins Edinburgh line-up",
				Text: passage, Start: 400}}})
		if err != nil {
			t.Fatal(err)
		}
		return firstQuote(ans)
	}
	if q := ask("On what date is the Great Edinburgh International Cross Country race taking place?"); !strings.HasPrefix(q, "Hayley Yelling") {
		t.Errorf("when question: first quote %q; want the sentence with the date", q)
	}
	if q := ask("Is the Great Edinburgh International Cross Country race taking place?"); !strings.HasPrefix(q, "Susan Chepkemei") {
		t.Errorf("question asking for no date: first quote %q; want the best-scoring sentence (the control)", q)
	}
}
