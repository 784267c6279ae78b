package retrieval_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// fakeJudge is a sentence encoder whose two vectors, for the question and the quote, stand
// at the cosine it is told (or that fails with err). It records what it was asked.
type fakeJudge struct {
	mu    sync.Mutex
	cos   float64
	err   error
	asked [][]string
}

func (j *fakeJudge) Embed(_ context.Context, texts []string) ([][]float32, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.asked = append(j.asked, texts)
	if j.err != nil {
		return nil, j.err
	}
	return [][]float32{{1, 0}, {float32(j.cos), float32(math.Sqrt(1 - j.cos*j.cos))}}, nil
}
func (j *fakeJudge) Model() string { return retrieval.JudgeModel }
func (j *fakeJudge) Dims() int     { return 2 }

func TestAskWeighsTheJudge(t *testing.T) {
	judge := &fakeJudge{}
	var logs bytes.Buffer
	e, coll := retrievaltest.Engine(t, retrievaltest.WithJudge(judge),
		retrievaltest.WithLog(slog.New(slog.NewTextHandler(&logs, nil))))
	// A known miss of the words alone (README: Knowing what the articles don't cover): a
	// letter on boardroom pay says "fat cats purr", and no signal of the words' model reads
	// that its words are used in another sense.
	letters := doc{URL: "https://news.example/letters", Title: "Your letters: boardroom pay",
		Text: "Readers wrote in about boardroom pay. The fat cats purr over their bonuses while the workers lose their pensions, one said."}
	importDocs(t, e, coll, append(topicsCorpus, letters)...)
	plain, plainColl := retrievaltest.Engine(t)
	importDocs(t, plain, plainColl, append(topicsCorpus, letters)...)
	const cats = "Why do cats purr?"
	keep := retrieval.AskOptions{AskedBy: "tester", KeepQuote: true}

	t.Run("without a judge, words alone quote the fat cats", func(t *testing.T) {
		a, err := plain.Ask(context.Background(), plainColl, cats, retrieval.AskOptions{AskedBy: "tester"})
		if err != nil || !a.Covered || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "fat cats purr") {
			t.Fatalf("Ask = %+v, %v; want the known miss this test guards against (README)", a, err)
		}
	})
	t.Run("a judge that reads the quote as unrelated makes footnote abstain", func(t *testing.T) {
		judge.cos = 0.1
		a, err := e.Ask(context.Background(), coll, cats, retrieval.AskOptions{AskedBy: "tester"})
		if err != nil || a.Covered || len(a.Citations) != 0 {
			t.Fatalf("Ask = %+v, %v; want an abstention", a, err)
		}
		last := judge.asked[len(judge.asked)-1]
		if len(last) != 2 || last[0] != cats || !strings.Contains(last[1], "fat cats purr") {
			t.Errorf("the judge read %q, want the question and the quote", last)
		}
		k, err := e.Ask(context.Background(), coll, cats, keep)
		if err != nil || k.Signals == nil || !k.Signals.Judged || math.Abs(k.Signals.Semantic-0.1) > 1e-6 {
			t.Fatalf("signals = %+v, %v; want judged, with the judge's cosine 0.1", k.Signals, err)
		}
		if !k.Refused() {
			t.Errorf("signals %+v score %.2f: want the judged model to refuse", k.Signals, k.Signals.CoverScore())
		}
	})
	t.Run("a judge that reads the quote as the answer keeps it", func(t *testing.T) {
		judge.cos = 0.9
		a, err := e.Ask(context.Background(), coll, "Who built the storm for the film?", keep)
		if err != nil || !a.Covered || len(a.Citations) == 0 || a.Refused() {
			t.Fatalf("Ask = %+v, %v; want an answer", a, err)
		}
		if !a.Signals.Judged || !strings.Contains(a.Citations[0].Quote, "Joe Pancake") {
			t.Errorf("signals %+v, quote %q: want a judged quote naming Joe Pancake", a.Signals, a.Citations[0].Quote)
		}
	})
	t.Run("a judge that fails leaves the words to decide, and is logged", func(t *testing.T) {
		judge.err = errors.New("connection refused")
		defer func() { judge.err = nil }()
		a, err := e.Ask(context.Background(), coll, cats, keep)
		if err != nil || a.Signals == nil {
			t.Fatalf("Ask = %+v, %v; want an answer weighed without the judge", a, err)
		}
		b, _ := plain.Ask(context.Background(), plainColl, cats, keep)
		if a.Signals.Judged || a.Refused() != b.Refused() {
			t.Errorf("judged %v, refused %v; want unjudged and refused as without a judge (%v)", a.Signals.Judged, a.Refused(), b.Refused())
		}
		if !strings.Contains(logs.String(), "the judge did not read the quote") {
			t.Errorf("log %q: want the judge's failure", logs.String())
		}
	})
}

func TestJudgedCoverScoreWeighsTheCosine(t *testing.T) {
	s := retrieval.Signals{Passage: 1, Article: 1, Phrases: 1, Names: 1, Words: 1, Top: 2, Margin: 0.5, Judged: true}
	hi, lo := s, s
	hi.Semantic, lo.Semantic = 0.8, 0.2
	if hi.CoverScore() <= lo.CoverScore() {
		t.Errorf("score at cosine 0.8 = %.3f, at 0.2 = %.3f: want the higher cosine to score higher", hi.CoverScore(), lo.CoverScore())
	}
	unjudged := s
	unjudged.Semantic = 0.8
	unjudged.Judged = false
	s.Semantic = 0
	s.Judged = false
	if unjudged.CoverScore() != s.CoverScore() {
		t.Errorf("an unjudged answer's score moved with Semantic (%.3f vs %.3f): the words' model must ignore it", unjudged.CoverScore(), s.CoverScore())
	}
}
