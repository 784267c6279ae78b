package main

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

// syntheticLines makes n answerable and n must-abstain lines of collection coll whose
// article share tells them apart except near the middle, and whose Unseen signal is noise
// that leans the wrong way (more unseen words among the answerable ones).
func syntheticLines(coll string, n int) []signalLine {
	var out []signalLine
	for i := range n {
		f := float64(i) / float64(n)
		out = append(out,
			signalLine{ID: "a", Collection: coll, Kind: kindAnswerable, ShouldAnswer: true, Quoted: true, Answer1: true,
				Signals: &retrieval.Signals{Passage: 0.5 + 0.5*f, Article: 0.45 + 0.55*f, Unseen: 0.2 * f}},
			signalLine{ID: "n", Collection: coll, Kind: kindAbsent, Quoted: true,
				Signals: &retrieval.Signals{Passage: 0.55 * f, Article: 0.55 * f, Unseen: 0.1 * f}})
	}
	return out
}

func TestFitCoverModel(t *testing.T) {
	lines := append(syntheticLines("A", 100), syntheticLines("B", 50)...)
	lines = append(lines, signalLine{ID: "early", Collection: "A", Kind: kindAnswerable, ShouldAnswer: true})
	m, err := fitCoverModel(lines, "A", false)
	if err != nil {
		t.Fatalf("fitCoverModel: %v", err)
	}
	t.Run("the signal that separates the questions gets a positive weight", func(t *testing.T) {
		if m.w[2] <= 0 { // Article
			t.Errorf("weights %v: want Article's positive", m.w)
		}
	})
	t.Run("a weight against its signal's direction is left out", func(t *testing.T) {
		for j, w := range m.w {
			if w*retrieval.SignalSigns[j] < 0 {
				t.Errorf("coverW%s = %v, against direction %v", retrieval.SignalNames[j], w, retrieval.SignalSigns[j])
			}
		}
	})
	t.Run("at most 2% of the fitted split's answerable questions abstain, early refusals included", func(t *testing.T) {
		answerable, abstain := 0, 0
		for _, l := range lines {
			if l.Collection == "A" && l.ShouldAnswer {
				answerable++
				if !m.answers(l) {
					abstain++
				}
			}
		}
		if abstain == 0 || float64(abstain) > calibrateMaxAbstain*float64(answerable) {
			t.Errorf("%d of %d answerable abstain, want 1 to %v (the early refusal counts)", abstain, answerable, calibrateMaxAbstain*float64(answerable))
		}
	})
	t.Run("too few lines of the collection is an error", func(t *testing.T) {
		if _, err := fitCoverModel(lines, "C", false); err == nil || !strings.Contains(err.Error(), "too few") {
			t.Errorf("fitCoverModel(C) error = %v, want too few", err)
		}
	})
}

func TestFitCoverModelSpendsItsBudgetOnAnswersOnly(t *testing.T) {
	// 100 answerable questions quoted from passages holding the answer, and below them 10
	// quoted from passages without it (their Article share is lower than any other's): the
	// threshold counts only the first 100, so it may refuse about 2 of them besides the 10
	// (counted on all 110, it could refuse 2 in all).
	lines := syntheticLines("A", 100)
	for i := range lines {
		lines[i].PassageAnswered = lines[i].ShouldAnswer
	}
	for range 10 {
		lines = append(lines, signalLine{ID: "wrong", Collection: "A", Kind: kindAnswerable, ShouldAnswer: true, Quoted: true,
			Signals: &retrieval.Signals{Passage: 0.3, Article: 0.2}})
	}
	m, err := fitCoverModel(lines, "A", false)
	if err != nil {
		t.Fatalf("fitCoverModel: %v", err)
	}
	refused := map[bool]int{}
	for _, l := range lines {
		if l.ShouldAnswer && !m.answers(l) {
			refused[l.PassageAnswered]++
		}
	}
	// 2% of 100, give or take one: the threshold is set on each question's score by a model
	// fitted without it, the refusals counted here on the model fitted on all of them.
	if refused[false] != 10 || refused[true] > 3 {
		t.Errorf("refused %d quoted from a passage without the answer and %d with it: want all 10, and at most 3 (2%% of 100, and one)", refused[false], refused[true])
	}
	t.Run("a file that marks no passage as answering counts every answerable question", func(t *testing.T) {
		old := syntheticLines("A", 100)
		m, err := fitCoverModel(old, "A", false)
		if err != nil {
			t.Fatalf("fitCoverModel: %v", err)
		}
		n := 0
		for _, l := range old {
			if l.ShouldAnswer && !m.answers(l) {
				n++
			}
		}
		if n > 2 { // scored by the model fitted on all of them, often none
			t.Errorf("%d of 100 answerable refused, want at most 2", n)
		}
	})
}

// noisyLines makes n answerable and n must-abstain lines whose signals are noisy: the two
// kinds overlap, as real questions do, and a model fitted on some of them fits their noise.
func noisyLines(coll string, n int, seed uint64) []signalLine {
	r := rand.New(rand.NewPCG(seed, 1))
	var out []signalLine
	for range n {
		for _, answerable := range []bool{true, false} {
			mid := 0.35
			if answerable {
				mid = 0.65
			}
			s := &retrieval.Signals{Passage: mid + 0.25*r.NormFloat64(), Article: mid + 0.25*r.NormFloat64(), Phrases: r.Float64(),
				Margin: r.Float64(), Top: r.Float64(), Names: r.Float64(), Words: r.Float64(), Repeated: r.Float64()}
			kind := kindAbsent
			if answerable {
				kind = kindAnswerable
			}
			out = append(out, signalLine{ID: "x", Collection: coll, Kind: kind, ShouldAnswer: answerable, Quoted: true, PassageAnswered: answerable, Signals: s})
		}
	}
	return out
}

func TestFitCoverModelSetsItsThresholdOnQuestionsItWasNotFittedOn(t *testing.T) {
	// Fitted 20 times on 30 questions of each kind, the model is asked 5,000 more from the
	// same source: on average it refuses about the 2% of those answerable it was set for.
	// A threshold set on the scores of the questions the model was fitted on refuses more
	// of the new ones (the fit leans towards its own questions' noise): 4.7% on average
	// here, against 2.3% with each question scored by a model fitted without it.
	fresh := noisyLines("B", 5000, 999)
	var sum float64
	const fits = 20
	for seed := range uint64(fits) {
		m, err := fitCoverModel(noisyLines("A", 30, seed+1), "A", false)
		if err != nil {
			t.Fatalf("fitCoverModel: %v", err)
		}
		n, refused := 0, 0
		for _, l := range fresh {
			if l.ShouldAnswer {
				n++
				if !m.answers(l) {
					refused++
				}
			}
		}
		sum += float64(refused) / float64(n)
	}
	if mean := sum / fits; mean > 0.03 {
		t.Errorf("refused %.1f%% of the new answerable questions on average, want at most 3%% (set at %v%%)", 100*mean, 100*calibrateMaxAbstain)
	}
}

func TestWriteCalibrateBlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rank.go")
	src := "package x\n\nconst (\n\tkeep = 1\n\t// BEGIN calibrate\n\tcoverBias = 1\n\t// END calibrate\n\tafter = 2\n)\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	m := coverModel{bias: -2.5, w: make([]float64, len(retrieval.SignalNames))}
	m.w[0] = 1.25
	if err := writeCalibrateBlock(path, m.goConstants(), false); err != nil {
		t.Fatalf("writeCalibrateBlock: %v", err)
	}
	got, _ := os.ReadFile(path)
	want := "package x\n\nconst (\n\tkeep = 1\n\t// BEGIN calibrate\n" + m.goConstants() + "\t// END calibrate\n\tafter = 2\n)\n"
	if string(got) != want {
		t.Errorf("file after writeCalibrateBlock:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(string(got), "\tcoverWPassage = 1.2500\n") {
		t.Errorf("file lacks the fitted Passage weight:\n%s", got)
	}
	if err := os.WriteFile(path, []byte("package x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeCalibrateBlock(path, "x", false); err == nil {
		t.Error("writeCalibrateBlock on a file without the block: want an error")
	}
}

func TestSignalFileRecordsWhatTheFailuresNeed(t *testing.T) {
	q := evalQuestion{ID: "q1", Question: "Which general did he send?", Answers: []string{"Jebe"}, URL: "https://wiki.example/genghis"}
	passage := retrieval.Result{ChunkID: 7, URL: q.URL, Text: "Genghis Khan decided to conquer the Qara Khitai. He sent his general, Jebe."}
	a := &retrieval.Answer{Citations: []retrieval.Citation{{N: 1, ChunkID: 7, URL: q.URL, Quote: "Genghis Khan decided to conquer the Qara Khitai."}}}
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := &signalFile{enc: json.NewEncoder(f)}
	if err := w.add("A", kindAnswerable, q, a, []retrieval.Result{passage}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	lines, err := readSignals(path)
	if err != nil || len(lines) != 1 {
		t.Fatalf("readSignals = %v, %v; want one line", lines, err)
	}
	l := lines[0]
	if l.Question != q.Question || l.Quote != a.Citations[0].Quote || l.Answer1 || !l.PassageAnswered {
		t.Errorf("line = %+v; want the question, the first quote, answer1 false and passage_answered true (the passage holds Jebe, the quote does not)", l)
	}
}

func TestPrintCalibrationSaysFirstQuoteAmongTheAnswered(t *testing.T) {
	m := coverModel{bias: 0, w: make([]float64, len(retrieval.SignalNames))}
	m.w[2] = 1 // Article
	m.bias = -0.5
	lines := []signalLine{
		{Collection: "B", Kind: kindAnswerable, ShouldAnswer: true, Quoted: true, Answer1: true, Signals: &retrieval.Signals{Article: 1}},
		{Collection: "B", Kind: kindAnswerable, ShouldAnswer: true, Quoted: true, Signals: &retrieval.Signals{Article: 1}},
		{Collection: "B", Kind: kindAnswerable, ShouldAnswer: true, Quoted: true, Signals: &retrieval.Signals{Article: 0}},
		{Collection: "B", Kind: kindAnswerable, ShouldAnswer: true, Quoted: true, Signals: &retrieval.Signals{Article: 0}},
	}
	var b strings.Builder
	printCalibration(&b, "A", m, lines)
	// 4 answerable, 2 abstain; of the 2 answered, 1 quotes the answer first.
	if want := "| A | B, reported | 4 | 0.250 | 0.500 | 0.500 |"; !strings.Contains(b.String(), want) {
		t.Errorf("printCalibration printed\n%s\nwant a row starting %q", b.String(), want)
	}
}

func TestFitJudgedCoverModel(t *testing.T) {
	// The answerable and must-abstain lines' words overlap (article share drawn from one
	// range for both); the judge's cosine tells them apart.
	var lines []signalLine
	for i := range 100 {
		f := float64(i) / 100
		lines = append(lines,
			signalLine{ID: "a", Collection: "A", Kind: kindAnswerable, ShouldAnswer: true, Quoted: true, Answer1: true,
				Signals: &retrieval.Signals{Article: 0.3 + 0.6*f, Semantic: 0.55 + 0.4*f, Judged: true}},
			signalLine{ID: "n", Collection: "A", Kind: kindAbsent, Quoted: true,
				Signals: &retrieval.Signals{Article: 0.3 + 0.6*f, Semantic: 0.05 + 0.4*f, Judged: true}})
	}
	m, err := fitCoverModel(lines, "A", true)
	if err != nil {
		t.Fatalf("fitCoverModel --judged: %v", err)
	}
	t.Run("the judge's cosine gets the weight that separates the questions", func(t *testing.T) {
		if len(m.w) != len(retrieval.JudgedSignalNames) || m.w[len(m.w)-1] <= 0 {
			t.Fatalf("weights %v: want %d with Semantic's positive", m.w, len(retrieval.JudgedSignalNames))
		}
		refusedAbsent := 0
		for _, l := range lines {
			if l.Kind == kindAbsent && !m.answers(l) {
				refusedAbsent++
			}
		}
		if refusedAbsent < 90 {
			t.Errorf("refused %d of 100 must-abstain lines, want at least 90 (the cosine separates them)", refusedAbsent)
		}
	})
	t.Run("the constants are the judged block's", func(t *testing.T) {
		c := m.goConstants()
		if !strings.HasPrefix(c, "\tcoverJudgedBias = ") || !strings.Contains(c, "\tcoverJudgedWSemantic = ") {
			t.Errorf("goConstants:\n%s\nwant coverJudgedBias ... coverJudgedWSemantic", c)
		}
	})
	t.Run("signals recorded without a judge are refused", func(t *testing.T) {
		plain := append(append([]signalLine(nil), lines...), signalLine{ID: "plain", Collection: "A", Kind: kindAnswerable,
			ShouldAnswer: true, Quoted: true, Signals: &retrieval.Signals{Article: 1}})
		if _, err := fitCoverModel(plain, "A", true); err == nil || !strings.Contains(err.Error(), "without a judge") {
			t.Errorf("error = %v, want one naming the line recorded without a judge", err)
		}
	})
	t.Run("writing the judged block leaves the other block alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "rank.go")
		src := "package x\n\nconst (\n\t// BEGIN calibrate\n\tcoverBias = 1\n\t// END calibrate\n\n\t// BEGIN calibrate judged\n\tcoverJudgedBias = 0\n\t// END calibrate judged\n)\n"
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := writeCalibrateBlock(path, m.goConstants(), true); err != nil {
			t.Fatalf("writeCalibrateBlock judged: %v", err)
		}
		got, _ := os.ReadFile(path)
		want := "package x\n\nconst (\n\t// BEGIN calibrate\n\tcoverBias = 1\n\t// END calibrate\n\n\t// BEGIN calibrate judged\n" + m.goConstants() + "\t// END calibrate judged\n)\n"
		if string(got) != want {
			t.Errorf("file:\n%s\nwant:\n%s", got, want)
		}
	})
}
