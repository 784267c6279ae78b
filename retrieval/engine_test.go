package retrieval_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/oai"
	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

const (
	tramURL   = "https://gazette.example/tram-extension"
	budgetURL = "https://gazette.example/council-budget"
)

// newsCorpus is a small collection about trams and council budgets.
var newsCorpus = []doc{
	{URL: tramURL, Title: "Tram extension to open in 2027", Site: "Westfield Gazette", Published: "2024-05-02",
		Text: "The Westfield tram extension will open to passengers in March 2027, the transport authority said on Thursday. " +
			"The 4.2-kilometre line adds six stops between the central station and the hospital.\n\n" +
			"Construction began last year and is running slightly ahead of schedule, according to project director Lena Ortiz."},
	{URL: budgetURL, Title: "Council passes 2025 budget", Site: "Westfield Gazette", Published: "2024-06-11",
		Text: "The city council approved a budget of 310 million euros for 2025 on Tuesday evening. " +
			"Spending on road maintenance rises by eight percent, while the library service faces a two percent cut. " +
			"Councillor Amir Haddad, who chairs the finance committee, called the budget responsible."},
	{URL: "https://metro.example/tram-drivers-pay", Title: "Tram drivers vote on pay deal", Site: "Metro", Published: "2024-04-20",
		Text: "Tram drivers will vote next week on a pay offer of four percent over two years. " +
			"The drivers' union said a strike remains possible if the offer is rejected."},
	{URL: "https://metro.example/budget-consultation", Title: "Budget consultation opens", Site: "Metro", Published: "2024-03-01",
		Text: "Residents can comment on the draft council budget until the end of March at public meetings in every district. " +
			"The council expects to publish the final budget in June."},
}

// ask calls Engine.Ask and turns a panic into a test error, so one failing case cannot stop
// the rest of the package's tests.
func ask(t *testing.T, e *retrieval.Engine, coll, question string) (a *retrieval.Answer, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("Ask(%q) panicked: %v", question, p)
			a, err = nil, nil
		}
	}()
	return e.Ask(context.Background(), coll, question, retrieval.AskOptions{AskedBy: "tester"})
}

// checkQuotes asserts that every citation quotes its article exactly at its offsets.
func checkQuotes(t *testing.T, e *retrieval.Engine, coll string, a *retrieval.Answer) {
	t.Helper()
	for i, c := range a.Citations {
		pv, err := e.Passage(context.Background(), coll, c.ChunkID)
		if err != nil {
			t.Fatalf("citation %d: Passage(%d): %v", c.N, c.ChunkID, err)
		}
		if c.N != i+1 || c.URL != pv.URL || c.Title != pv.Title || c.ArticleID != pv.ArticleID || !c.Published.Equal(pv.Published) {
			t.Errorf("citation %d = %+v does not carry its passage's source %+v", i+1, c, pv.Result)
		}
		if c.Start < pv.Start || c.End > pv.End || c.Start >= c.End || pv.ArticleText[c.Start:c.End] != c.Quote {
			t.Errorf("citation %d quote %q is not the article text at [%d:%d]", c.N, c.Quote, c.Start, c.End)
		}
	}
}

// recorded returns whether a question was recorded as covered.
func recorded(t *testing.T, coll string, id int64) bool {
	t.Helper()
	var covered bool
	if err := conn(t).QueryRow(context.Background(), `SELECT covered FROM questions WHERE id = $1 AND collection = $2`, id, coll).Scan(&covered); err != nil {
		t.Fatalf("question %d is not recorded: %v", id, err)
	}
	return covered
}

func TestAskAbstainsOffTopic(t *testing.T) {
	// The closest sources an abstention shows come from the arms: with the offline
	// embedder, whose space has no dense arm, only passages sharing a word with the
	// question, and these questions share none; with a model on a server, the nearest
	// vectors too.
	for _, tt := range []struct {
		name                   string
		opts                   []retrievaltest.Option
		minClosest, maxClosest int
	}{
		{"with the offline embedder", nil, 0, 0},
		{"with a model on a server", []retrievaltest.Option{retrievaltest.WithEmbedder(renamed{embed.NewHash(0), servedModel})}, 1, 3},
	} {
		e, coll := retrievaltest.Engine(t, tt.opts...)
		importDocs(t, e, coll, newsCorpus...)
		for _, q := range []string{
			"What is the boiling point of mercury?",
			"Who won the 1998 football world cup?",
			"How do volcanoes form?",
		} {
			t.Run(tt.name+" an off-topic question is not answered: "+q, func(t *testing.T) {
				a, err := ask(t, e, coll, q)
				if err != nil || a == nil {
					t.Fatalf("Ask: %v", err)
				}
				if a.Covered || len(a.Citations) != 0 || regexp.MustCompile(`\[\d+\]`).MatchString(a.Text) {
					t.Errorf("Ask(%q) = covered %v, %d citations, text %q; want an abstention", q, a.Covered, len(a.Citations), a.Text)
				}
				if len(a.Closest) < tt.minClosest || len(a.Closest) > tt.maxClosest {
					t.Errorf("Ask(%q) shows %d closest sources, want %d to %d", q, len(a.Closest), tt.minClosest, tt.maxClosest)
				}
				if a.QuestionID == 0 || recorded(t, coll, a.QuestionID) {
					t.Errorf("question %d: want it recorded as not covered", a.QuestionID)
				}
			})
		}
	}
}

func TestAskOnACollectionWithNoArticles(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	a, err := ask(t, e, coll, "When will the tram extension open?")
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if a == nil {
		t.Fatal("Ask on an empty collection returned no answer and no error")
	}
	if a.Covered || len(a.Citations) != 0 || len(a.Closest) != 0 {
		t.Errorf("Ask on an empty collection = %+v, want not covered with no sources", a)
	}
}

func TestAskAnswersWithVerifiedQuotes(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, newsCorpus...)
	tests := []struct {
		name, question, url, answer string
	}{
		{"a when-question quotes the date", "When will the Westfield tram extension open?", tramURL, "March 2027"},
		{"a how-much question quotes the amount", "How much is the council budget for 2025?", budgetURL, "310 million"},
		{"a who-question quotes the name", "Who chairs the finance committee?", budgetURL, "Amir Haddad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ask(t, e, coll, tt.question)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if !a.Covered || a.Mode != retrieval.ModeExtractive || len(a.Citations) == 0 {
				t.Fatalf("Ask(%q) = %+v, want a covered extractive answer with citations", tt.question, a)
			}
			checkQuotes(t, e, coll, a)
			if c := a.Citations[0]; c.URL != tt.url || !strings.Contains(c.Quote, tt.answer) {
				t.Errorf("first citation = %s %q, want %s quoting %q", c.URL, c.Quote, tt.url, tt.answer)
			}
			if !strings.Contains(a.Text, "[1]") || !strings.Contains(a.Text, a.Citations[0].Quote) {
				t.Errorf("answer text %q does not show the first quote with its marker", a.Text)
			}
			if a.QuestionID == 0 || !recorded(t, coll, a.QuestionID) {
				t.Errorf("question %d: want it recorded as covered", a.QuestionID)
			}
		})
	}
}

func TestAskWithLLM(t *testing.T) {
	const question = "When will the Westfield tram extension open?"
	tests := []struct {
		name      string
		reply     oaitest.Reply
		cfg       answer.ChatConfig
		wantMode  string
		wantQuote string
		absent    []string // must not reach the answer text
	}{
		{
			name: "invented markers, invented quotes and URLs are dropped from the model's answer",
			reply: oaitest.Reply{Content: `The extension "will open to passengers in March 2027" according to the authority. ` +
				`The mayor said "trams will be free for everyone forever" [1]. ` +
				`The line was approved unanimously [9]. Details at https://evil.example/phish.`},
			wantMode:  retrieval.ModeLLM,
			wantQuote: "will open to passengers in March 2027",
			absent:    []string{"[9]", "free for everyone", "evil.example", "https://", "[2]"},
		},
		{
			name:      "a chat endpoint that times out gets the extractive answer",
			reply:     oaitest.Reply{Delay: time.Minute}, // far beyond the client's timeout
			cfg:       answer.ChatConfig{Config: oai.Config{Timeout: 50 * time.Millisecond, MaxRetries: -1}},
			wantMode:  retrieval.ModeExtractive,
			wantQuote: "March 2027",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oaitest.New(t, tt.reply)
			cfg := tt.cfg
			cfg.BaseURL, cfg.Model = srv.URL, "test-model"
			chat, err := answer.NewChat(cfg)
			if err != nil {
				t.Fatal(err)
			}
			e, coll := retrievaltest.Engine(t, retrievaltest.WithAnswerer(answer.NewLLM(chat, answer.Extractive{}, nil)))
			importDocs(t, e, coll, newsCorpus...)

			a, err := ask(t, e, coll, question)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Path != "/v1/chat/completions" {
				t.Errorf("the server saw %+v, want one chat completion request", reqs)
			}
			if a.Mode != tt.wantMode || !a.Covered || len(a.Citations) == 0 {
				t.Fatalf("Ask = mode %q, covered %v, %d citations; want %q, covered, cited", a.Mode, a.Covered, len(a.Citations), tt.wantMode)
			}
			checkQuotes(t, e, coll, a)
			if c := a.Citations[0]; c.URL != tramURL || !strings.Contains(c.Quote, tt.wantQuote) {
				t.Errorf("first citation = %s %q, want %s quoting %q", c.URL, c.Quote, tramURL, tt.wantQuote)
			}
			for _, s := range tt.absent {
				if strings.Contains(a.Text, s) {
					t.Errorf("answer text keeps %q: %q", s, a.Text)
				}
			}
			if a.Note != "" {
				t.Errorf("Note = %q, want none: the question's deadline did not pass", a.Note)
			}
			if a.QuestionID == 0 {
				t.Error("question not recorded")
			}
		})
	}
}

func TestAskRefusesBadQuestions(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/tram", Text: "The tram extension opens in 2027."})
	tests := []struct {
		name     string
		question string
		want     error
	}{
		{"an empty question is refused", "", retrieval.ErrQuestionEmpty},
		{"a question of white space is refused", " \n\t ", retrieval.ErrQuestionEmpty},
		{"a 10,000-character question is refused", strings.Repeat("tram ", 2000), retrieval.ErrInvalidInput},
		{"a question one character over the default limit is refused", strings.Repeat("é", retrieval.DefaultMaxQuestionChars+1), retrieval.ErrInvalidInput},
		{"a question at the default limit is answered", "When does the tram open?" + strings.Repeat("é", retrieval.DefaultMaxQuestionChars-24), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := e.Ask(context.Background(), coll, tt.question, retrieval.AskOptions{})
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Ask: %v, want %v", err, tt.want)
			}
			if tt.want == nil && (a == nil || !a.Covered) {
				t.Errorf("Ask = %+v; want a covered answer", a)
			}
		})
	}
}
