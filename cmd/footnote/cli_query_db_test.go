package main

// The search and ask subcommands, run against the test database.

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestCLIQuery(t *testing.T) {
	c, coll, _ := importedCLI(t)
	t.Run("search --json prints ranked passages", func(t *testing.T) {
		out, _ := c.must(t, "", "search", "--collection", coll, "-k", "3", "--json", "tram extension passengers")
		lines := jsonLines(t, out)
		if len(lines) != 1 {
			t.Fatalf("got %d lines, want 1: %s", len(lines), out)
		}
		checkKeys(t, "search output", lines[0], searchKeys)
		results, _ := lines[0]["results"].([]any)
		if len(results) == 0 || len(results) > 3 {
			t.Fatalf("got %d results, want 1 to 3", len(results))
		}
		prev := math.Inf(1)
		for i, r := range results {
			r := r.(map[string]any)
			checkKeys(t, "a result", r, resultKeys)
			if r["rank"] != float64(i+1) || r["text"] == "" || r["score"].(float64) < 0 || r["score"].(float64) > prev {
				t.Errorf("result %d = %v, want rank %d and a score of at most %v", i, r, i+1, prev)
			}
			prev = r["score"].(float64)
		}
		if top := results[0].(map[string]any); top["url"] != tramURL || top["title"] != "Tram extension to open in 2027" {
			t.Errorf("top result = %v, want the tram article", top)
		}
	})
	t.Run("search prints ranks whose scores fall, and --json the same scores", func(t *testing.T) {
		out, _ := c.must(t, "", "search", "--collection", coll, "-k", "5", "council budget tram")
		var scores []float64
		for i, m := range regexp.MustCompile(`(?m)^ ?(\d+)\. .*  \(score (\d+\.\d+)\)$`).FindAllStringSubmatch(out, -1) {
			if m[1] != fmt.Sprint(i+1) {
				t.Errorf("rank %s printed in place %d", m[1], i+1)
			}
			var f float64
			fmt.Sscan(m[2], &f)
			scores = append(scores, f)
		}
		if len(scores) < 2 || !slices.IsSortedFunc(scores, func(a, b float64) int { return cmp.Compare(b, a) }) {
			t.Errorf("scores %v in\n%s\nwant at least two, falling", scores, out)
		}
		js, _ := c.must(t, "", "search", "--collection", coll, "-k", "5", "--json", "council budget tram")
		results, _ := jsonLines(t, js)[0]["results"].([]any)
		for i, r := range results {
			if got := r.(map[string]any)["score"].(float64); i < len(scores) && fmt.Sprintf("%.4f", got) != fmt.Sprintf("%.4f", scores[i]) {
				t.Errorf("--json score %d = %v, printed %v", i+1, got, scores[i])
			}
		}
	})
	t.Run("the engine refuses a question over FOOTNOTE_MAX_QUESTION_CHARS", func(t *testing.T) {
		short := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN(), "FOOTNOTE_MAX_QUESTION_CHARS": "40"}}
		_, _, err := short.run(t, "", "ask", "--collection", coll, strings.Repeat("tram ", 10))
		if !errors.Is(err, retrieval.ErrInvalidInput) || !strings.Contains(fmt.Sprint(err), "the limit is 40") {
			t.Errorf("ask = %v, want the engine to refuse it at 40 characters", err)
		}
	})
	batch := `{"id":"q1","question":"When will the Westfield tram extension open?"}` + "\n" +
		`this is not json` + "\n" +
		"\n" +
		`{"id":"q4","question":"How much is the council budget for 2025?"}` + "\n" +
		`{"id":"q5","question":""}` + "\n"
	t.Run("search --batch answers every line in order", func(t *testing.T) {
		lines := runBatch(t, c, batch, "search", "--collection", coll, "--batch")
		for i, want := range map[int]string{0: tramURL, 2: budgetURL} {
			checkKeys(t, "search line", lines[i], searchKeys)
			results, _ := lines[i]["results"].([]any)
			if len(results) == 0 {
				t.Fatalf("line %d: no results", i)
			}
			checkKeys(t, "a result", results[0].(map[string]any), resultKeys)
			if got := results[0].(map[string]any)["url"]; got != want {
				t.Errorf("line %d: top result %v, want %s", i, got, want)
			}
		}
		if ids := []any{lines[0]["id"], lines[2]["id"], lines[3]["id"]}; !slices.Equal(ids, []any{"q1", "q4", "q5"}) {
			t.Errorf("ids = %v, want q1, q4, q5 in order", ids)
		}
		// What an empty query returns is TestSearchRefusesEmptyQueries' business.
	})
	t.Run("ask --batch answers every line in order with citations", func(t *testing.T) {
		lines := runBatch(t, c, batch, "ask", "--collection", coll, "--batch")
		for i, want := range map[int][2]string{0: {tramURL, "March 2027"}, 2: {budgetURL, "310 million"}} {
			checkKeys(t, "ask line", lines[i], askKeys, "covered")
			cites, _ := lines[i]["citations"].([]any)
			if lines[i]["mode"] != "extractive" || len(cites) == 0 {
				t.Fatalf("line %d = %v, want an extractive answer with citations", i, lines[i])
			}
			first := cites[0].(map[string]any)
			checkKeys(t, "a citation", first, citationKeys)
			if first["n"] != float64(1) || first["url"] != want[0] || !strings.Contains(first["quote"].(string), want[1]) ||
				!regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(first["published"].(string)) {
				t.Errorf("line %d: first citation %v, want [1] %s quoting %q with a date", i, first, want[0], want[1])
			}
			if !strings.Contains(lines[i]["answer"].(string), "[1]") {
				t.Errorf("line %d: answer %q has no [1]", i, lines[i]["answer"])
			}
		}
		if lines[3]["id"] != "q5" || !strings.Contains(fmt.Sprint(lines[3]["error"]), "empty question") {
			t.Errorf("empty question line = %v, want an error line with its id", lines[3])
		}
	})
	t.Run("ask --batch writes each answer before reading the next question", func(t *testing.T) {
		inR, inW := io.Pipe()
		outR, outW := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- run(context.Background(), []string{"ask", "--collection", coll, "--batch"}, inR, outW, io.Discard, c.getenv)
			outW.Close()
		}()
		answers := bufio.NewReader(outR)
		// A missing flush shows as this loop waiting forever (the test binary's timeout).
		for _, id := range []string{"a", "b", "c"} {
			fmt.Fprintf(inW, `{"id":%q,"question":"When will the tram extension open?"}`+"\n", id)
			line, err := answers.ReadBytes('\n')
			if err != nil {
				t.Fatalf("reading the answer to %s: %v", id, err)
			}
			var a map[string]any
			if err := json.Unmarshal(line, &a); err != nil || a["id"] != id {
				t.Fatalf("answer %q, want one for %s", line, id)
			}
		}
		inW.Close()
		if err := <-done; err != nil {
			t.Errorf("ask --batch: %v", err)
		}
	})
	t.Run("ask prints numbered sources with title, site, date and link", func(t *testing.T) {
		out, _ := c.must(t, "", "ask", "--collection", coll, "When will the Westfield tram extension open?")
		want := regexp.MustCompile(`(?m)^Sources:\n\[1\] Tram extension to open in 2027 — Westfield Gazette, 2024-05-02\n    ` + regexp.QuoteMeta(tramURL) + `$`)
		if !want.MatchString(out) || !strings.Contains(out, "March 2027") {
			t.Errorf("ask output:\n%s\nwant the quote and a source line matching %s", out, want)
		}
	})
	t.Run("ask says when the articles do not answer and shows the closest", func(t *testing.T) {
		// The closest sources share a word with the question ("harbour"): with the offline
		// embedder, whose space has no dense arm, a question sharing none has none.
		out, _ := c.must(t, "", "ask", "--collection", coll, "What is the boiling point of mercury in the harbour?")
		if strings.Contains(out, "Sources:") || !strings.Contains(out, "do not seem to answer") || !strings.Contains(out, "Closest sources:") {
			t.Errorf("ask output:\n%s\nwant an abstention with the closest sources", out)
		}
	})
}

// runBatch runs a --batch command on the four-line batch and returns its four output
// lines, having checked the error line and report for its malformed line 2.
func runBatch(t *testing.T, c cli, batch string, args ...string) []map[string]any {
	t.Helper()
	out, stderr := c.must(t, batch, args...)
	lines := jsonLines(t, out)
	if len(lines) != 4 {
		t.Fatalf("got %d output lines for 4 input lines:\n%s", len(lines), out)
	}
	checkBadLine(t, lines[1], stderr)
	return lines
}

// checkBadLine checks the error line written for line 2 of a batch, and its report.
func checkBadLine(t *testing.T, line map[string]any, stderr string) {
	t.Helper()
	if line["id"] != "" || !strings.HasPrefix(fmt.Sprint(line["error"]), "line 2: ") {
		t.Errorf("malformed line answered with %v, want an error line naming line 2", line)
	}
	if !regexp.MustCompile(`(?m)^line 2: not a JSON object`).MatchString(stderr) {
		t.Errorf("stderr = %q, want a report of line 2", stderr)
	}
}
