package retrieval

import (
	"math"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/text"
)

func TestSignals(t *testing.T) {
	// boil is rare, water unseen in the collection, point common.
	boil := queryTerms{text: "What is the boiling point of water?", terms: []string{"boil", "point", "water"},
		qtf: []float64{1, 1, 1}, idf: []float64{4, 1, 5}, df: []float64{2, 300, 0}}
	tennis := Result{ChunkID: 1, Title: "Nadal puts Spain 2-0 up", Text: "Roddick has gone off the boil. He gives Nadal three break points.", Score: 2}
	water := Result{ChunkID: 2, Title: "Water", Text: "Water boils at one hundred degrees at sea level: its boiling point.", Score: 2.5}
	pancake := queryTerms{text: "How do I make pancakes?", terms: []string{"make", "pancak"},
		qtf: []float64{1, 1}, idf: []float64{1, 6}, df: []float64{500, 2}}
	film := Result{ChunkID: 3, Title: "Effects team wins award", Text: "The award went to special effects foreman Joe Pancake, who built the storm.", Score: 2}
	bendigo := queryTerms{text: "What party is favored in Bedigo?", terms: []string{"bedigo", "favor", "parti"},
		qtf: []float64{1, 1, 1}, idf: []float64{8, 2, 2}, df: []float64{0, 40, 50}}
	victoria := Result{ChunkID: 4, Title: "Victoria (Australia)", Text: "Labor is strongest in Bendigo and Geelong, the party favoured by the working class.", Score: 2}
	genghis := queryTerms{text: "Who was Genghis Khan's father?", terms: []string{"genghi", "khan", "father"},
		qtf: []float64{1, 1, 1}, idf: []float64{8, 6, 5}, df: []float64{1, 13, 58}}
	documentary := Result{ChunkID: 5, Title: "Festival line-up", Text: "Highlights include a documentary about the warrior Genghis Khan.", Score: 2}
	apollo := queryTerms{text: "Who named the Apollo missions?", terms: []string{"name", "apollo", "mission"},
		qtf: []float64{1, 1, 1}, idf: []float64{3, 7, 6}, df: []float64{180, 3, 24}}
	game := Result{ChunkID: 6, Title: "Game review", Text: "You control a youth named CJ, who sets out on a series of missions.", Score: 2}
	victoriaQ := queryTerms{text: "What city is the capital of Victoria?", terms: []string{"citi", "capit", "victoria"},
		qtf: []float64{1, 1, 1}, idf: []float64{4, 2, 6}, df: []float64{190, 400, 11}}
	theatre := Result{ChunkID: 7, Title: "Show goes on", Text: "The city's opening night at the Victoria Palace Theatre remains.", Score: 2}
	mongke := queryTerms{text: "Who succeeded Mongke?", terms: []string{"succeed", "mongk"},
		qtf: []float64{1, 1}, idf: []float64{5, 5}, df: []float64{50, 0}}
	hope := Result{ChunkID: 8, Title: "Rights", Text: "She said she succeeded as a hope-monger.", Score: 2}
	launches := queryTerms{text: "How many of the remaining launches were successful?", terms: []string{"remain", "launch", "success"},
		qtf: []float64{1, 1, 1}, idf: []float64{2, 5, 3}, df: []float64{300, 20, 100}}
	bank := Result{ChunkID: 9, Title: "Rates on hold", Text: "The bank left rates unchanged for the 19th month in succession. Costs have remained on hold since the launch.", Score: 2}
	apolloP := Result{ChunkID: 10, Title: "Apollo program", Text: "Of the remaining flights, all but one launched and were successful.", Score: 2}
	dsm := queryTerms{text: "From what mission were the DSMs awarded?", terms: []string{"mission", "dsms", "award"},
		qtf: []float64{1, 1, 1}, idf: []float64{3, 9, 3}, df: []float64{30, 0, 40}}
	medal := Result{ChunkID: 11, Title: "Apollo program", Text: "From the first mission on, NASA awarded each crew the Distinguished Service Medal.", Score: 2}
	cite := func(r Result, quote string) Citation { return Citation{ChunkID: r.ChunkID, Quote: quote} }
	near := map[string][]string{"bedigo": {"bendigo"}}
	tests := []struct {
		name    string
		q       queryTerms
		res     []Result
		c       Citation
		article map[string]int
		check   func(Signals) bool
		want    string
	}{
		{"a quote holding the words apart holds none of the question's phrases", boil, []Result{tennis, water}, cite(tennis, tennis.Text), nil,
			func(s Signals) bool { return s.Phrases == 0 && s.Rarest == 1 }, "Phrases 0 and Rarest 1 (water missing)"},
		{"a quote holding the phrase and every word holds all of the question", boil, []Result{water, tennis}, cite(water, water.Text), map[string]int{"boil": 2, "point": 1, "water": 3},
			func(s Signals) bool {
				return s.Passage == 1 && s.Quote == 1 && s.Article == 1 && s.Phrases == 0.5 && s.Rarest == 0 && s.Margin == 0.5 && s.Repeated == 0.9
			}, "every share 1, Phrases 0.5 (boiling point, not point of water), Rarest 0, Margin 0.5, Repeated 9/10 (point said once)"},
		{"an unseen word with no near spelling counts as unseen", boil, []Result{tennis}, cite(tennis, tennis.Text), nil,
			func(s Signals) bool { return math.Abs(s.Unseen-0.5) < 1e-9 }, "Unseen 0.5"},
		{"a word the passage has only as a name is weak", pancake, []Result{film}, cite(film, film.Text), nil,
			func(s Signals) bool { return math.Abs(s.Weak-6.0/7) < 1e-9 }, "Weak 6/7"},
		{"a misspelt word is held through its correct spelling", bendigo, []Result{victoria}, cite(victoria, victoria.Text), map[string]int{"bendigo": 1},
			func(s Signals) bool { return s.Unseen == 0 && math.Abs(s.Passage-10.0/12) < 1e-9 }, "Unseen 0, Passage 10/12 (favoured is not favored)"},
		{"a passage holding the question's names but none of its other words holds no Words", genghis, []Result{documentary}, cite(documentary, documentary.Text), nil,
			func(s Signals) bool { return s.Names == 1 && s.Words == 0 }, "Names 1, Words 0 (father missing)"},
		{"a passage holding the question's words about another name holds no Names", apollo, []Result{game}, cite(game, game.Text), nil,
			func(s Signals) bool { return s.Names == 0 && s.Words == 1 }, "Names 0 (Apollo missing), Words 1"},
		{"an article that says the question's words once each repeats none of them", boil, []Result{water}, cite(water, water.Text), map[string]int{"boil": 1, "point": 1, "water": 1},
			func(s Signals) bool { return s.Article == 1 && s.Repeated == 0 }, "Article 1, Repeated 0"},
		{"a misspelt word is repeated through its correct spelling", bendigo, []Result{victoria}, cite(victoria, victoria.Text), map[string]int{"bendigo": 2},
			func(s Signals) bool { return math.Abs(s.Repeated-8.0/12) < 1e-9 }, "Repeated 8/12 (Bendigo twice)"},
		{"an acronym is held where the passage spells it out", dsm, []Result{medal}, cite(medal, medal.Text), map[string]int{"mission": 1, "award": 1, "dsms": 2},
			func(s Signals) bool {
				return s.Passage == 1 && s.Quote == 1 && s.Unseen == 0 && s.Weak == 0 && s.Names == 1 && math.Abs(s.Repeated-9.0/15) < 1e-9
			}, "Passage, Quote and Names 1, Unseen and Weak 0, Repeated 9/15"},
		{"a question without names has Names 1", pancake, []Result{film}, cite(film, film.Text), nil,
			func(s Signals) bool { return s.Names == 1 }, "Names 1"},
		{"a name held only at the head of a longer name is weak", victoriaQ, []Result{theatre}, cite(theatre, theatre.Text), nil,
			func(s Signals) bool { return math.Abs(s.Weak-6.0/12) < 1e-9 }, "Weak 6/12 (Victoria Palace Theatre)"},
		{"a word held only as another word of its root is weak", launches, []Result{bank}, cite(bank, bank.Text), nil,
			func(s Signals) bool { return s.Passage == 1 && math.Abs(s.Weak-3.0/10) < 1e-9 }, "Passage 1, Weak 3/10 (succession is not successful; remained and launch are remaining and launches)"},
		{"a word held in another inflection is not weak", launches, []Result{apolloP}, cite(apolloP, apolloP.Text), nil,
			func(s Signals) bool { return s.Weak == 0 }, "Weak 0 (remaining, launched, successful: the same words)"},
		{"a name unseen in the collection is not held through a neighbour two edits away", mongke, []Result{hope}, cite(hope, hope.Text), nil,
			func(s Signals) bool { return s.Passage == 0.5 && s.Unseen == 0.5 }, "Passage 1/2 (monger is not Mongke), Unseen 1/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nr := near
			switch tt.q.text {
			case bendigo.text:
			case mongke.text: // as Engine.spellings gives it: a name's neighbours one edit away
				nr = nameSpellings(text.Forms(mongke.text, false), map[string][]string{"mongk": {"monger"}})
			default:
				nr = nil
			}
			s, ok := signals(tt.q, nr, tt.res, tt.c, tt.article)
			if !ok || !tt.check(s) {
				t.Errorf("signals = %+v, %v; want %s", s, ok, tt.want)
			}
		})
	}
	t.Run("a quote from a passage the answerer was not given has no signals", func(t *testing.T) {
		if _, ok := signals(boil, nil, []Result{water}, Citation{ChunkID: 9}, nil); ok {
			t.Error("signals ok for a citation of passage 9, which is not among the results")
		}
	})
}

func TestCoverWeightsPushTheirSignalsWay(t *testing.T) {
	// The calibrated constants must keep every coefficient on its signal's side
	// (SignalSigns): more of the question in the quote never turns an answer into a refusal.
	if len(coverWeights) != len(SignalNames) || len(SignalSigns) != len(SignalNames) || len(Signals{}.Vector()) != len(SignalNames) {
		t.Fatalf("%d weights, %d signs, %d names, %d signals: want as many of each", len(coverWeights), len(SignalSigns), len(SignalNames), len(Signals{}.Vector()))
	}
	for i, w := range coverWeights {
		if w*SignalSigns[i] < 0 {
			t.Errorf("coverW%s = %v pushes against its signal's direction %v", SignalNames[i], w, SignalSigns[i])
		}
	}
	full := Signals{Passage: 1, Quote: 1, Article: 1, Phrases: 1, Top: 2, Margin: 0.5}
	if full.CoverScore() < 0 {
		t.Errorf("a quote holding all of the question scores %v: want it answered", full.CoverScore())
	}
	if none := (Signals{Rarest: 1, Unseen: 1, KindMissing: 1, Top: 0.5}); none.CoverScore() >= 0 {
		t.Errorf("a quote holding nothing of the question scores %v: want it refused", none.CoverScore())
	}
}

func TestHoldsTopic(t *testing.T) {
	tests := []struct {
		name string
		s    Signals
		want bool
	}{
		{"a passage holding some of the topic's names and of its words holds the topic", Signals{Names: 0.5, Words: 1}, true},
		{"a topic of names alone needs only its names", Signals{Names: 1, Words: 1}, true},
		{"a passage holding the name but none of the words does not (German unemployment for German rivers)", Signals{Names: 1, Words: 0}, false},
		{"a passage holding the words but none of the names does not", Signals{Names: 0, Words: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.HoldsTopic(); got != tt.want {
				t.Errorf("HoldsTopic(%+v) = %v, want %v", tt.s, got, tt.want)
			}
		})
	}
}
