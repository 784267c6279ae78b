package main

// The eval subcommand, run against the test database.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIEval(t *testing.T) {
	c, coll, dir := importedCLI(t)
	t.Run("eval scores a questions file", func(t *testing.T) {
		qfile := filepath.Join(dir, "questions.jsonl")
		qs := `{"id":"e1","question":"When will the Westfield tram extension open?","answers":["March 2027"],"evidences":["The Westfield tram extension will open to passengers in March 2027"],"url":"` + tramURL + `"}` + "\n" +
			`{"id":"e2","question":"How much is the council budget for 2025?","answers":["310 million euros"],"evidences":["The city council approved a budget of 310 million euros for 2025"],"url":"` + budgetURL + `"}` + "\n"
		if err := os.WriteFile(qfile, []byte(qs), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := c.must(t, "", "eval", "--collection", coll, "--questions", qfile)
		for _, want := range []string{"2 questions", "hit@1 1.000", "MRR@10 1.000", "answer@1 1.000", "abstained 0.000", "search p50"} {
			if !strings.Contains(out, want) {
				t.Errorf("eval output lacks %q:\n%s", want, out)
			}
		}
		out, _ = c.must(t, "", "eval", "--collection", coll, "--questions", qfile, "--json")
		var rep map[string]float64
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep["n"] != 2 || rep["hit@10"] != 1 || rep["answer@any"] != 1 {
			t.Errorf("eval --json = %s (%v), want n 2, hit@10 1, answer@any 1", out, err)
		}
	})
	t.Run("eval counts the unanswerable questions that still got a quote", func(t *testing.T) {
		qfile := filepath.Join(dir, "questions.jsonl") // written by the case above
		ufile := filepath.Join(dir, "unanswerable.jsonl")
		us := `{"id":"u1","question":"What is the boiling point of mercury?"}` + "\n" +
			`{"id":"u2","question":"When will the Westfield tram extension open?"}` + "\n" // answerable: counts
		if err := os.WriteFile(ufile, []byte(us), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := c.must(t, "", "eval", "--collection", coll, "--questions", qfile, "--unanswerable", ufile)
		if !strings.Contains(out, "unanswerable 1 of 2 got a quote") {
			t.Errorf("eval output:\n%s\nwant 1 of 2 unanswerable questions counted as answered", out)
		}
	})
	t.Run("eval --signals records each question's coverage signals and what it should get", func(t *testing.T) {
		qfile := filepath.Join(dir, "questions.jsonl")    // written by the cases above
		ufile := filepath.Join(dir, "unanswerable.jsonl") // written by the case above
		sfile := filepath.Join(dir, "signals.jsonl")
		c.must(t, "", "eval", "--collection", coll, "--questions", qfile, "--unanswerable", ufile, "--signals", sfile)
		lines, err := readSignals(sfile)
		if err != nil || len(lines) != 4 {
			t.Fatalf("signals file: %d lines, %v; want one for each of the 4 questions", len(lines), err)
		}
		kinds := map[string]string{}
		for _, l := range lines {
			kinds[l.ID] = l.Kind
			if l.Collection != coll || l.ShouldAnswer != (l.Kind == kindAnswerable) {
				t.Errorf("line %+v: want collection %s and should_answer only for answerable questions", l, coll)
			}
			if l.Quoted && l.Signals == nil {
				t.Errorf("line %+v: a quoted answer without signals", l)
			}
		}
		if kinds["e1"] != kindAnswerable || kinds["u1"] != kindOffTopic {
			t.Errorf("kinds = %v, want e1 answerable and u1 off_topic", kinds)
		}
	})
	t.Run("eval makes questions about articles not in the collection must-abstain ones", func(t *testing.T) {
		qfile := filepath.Join(dir, "split.jsonl")
		qs := `{"id":"e1","question":"When will the Westfield tram extension open?","answers":["March 2027"],"evidences":[],"url":"` + tramURL + `"}` + "\n" +
			`{"id":"x1","question":"What is the boiling point of mercury?","answers":["356.7"],"evidences":[],"url":"https://elsewhere.example/mercury"}` + "\n"
		if err := os.WriteFile(qfile, []byte(qs), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := c.must(t, "", "eval", "--collection", coll, "--questions", qfile)
		for _, want := range []string{"1 questions", "not covered  1 questions about articles not in the collection: abstained 1.000, 0 got a quote", "| " + coll + " | 1 | 1.000 | 1.000 | 0.000 | 1 | 1.000 | 0 |"} {
			if !strings.Contains(out, want) {
				t.Errorf("eval output lacks %q:\n%s", want, out)
			}
		}
	})
}
