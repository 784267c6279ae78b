package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

const (
	tramURL    = "https://gazette.example/tram-extension"
	budgetURL  = "https://gazette.example/council-budget"
	driversURL = "https://metro.example/tram-drivers-pay"
)

// corpus is an import file of five articles with a bad third line.
var corpus = strings.Join([]string{
	`{"url":"` + tramURL + `","title":"Tram extension to open in 2027","site":"Westfield Gazette","published":"2024-05-02","text":"The Westfield tram extension will open to passengers in March 2027, the transport authority said on Thursday. The 4.2-kilometre line adds six stops between the central station and the hospital."}`,
	`{"url":"` + budgetURL + `","title":"Council passes 2025 budget","site":"Westfield Gazette","published":"2024-06-11","text":"The city council approved a budget of 310 million euros for 2025 on Tuesday evening. Spending on road maintenance rises by eight percent. Councillor Amir Haddad chairs the finance committee."}`,
	`{"title":"No link","text":"An article that forgot its url."}`,
	`{"url":"` + driversURL + `","title":"Tram drivers vote on pay deal","site":"Metro","published":"2024-04-20","text":"Tram drivers will vote next week on a pay offer of four percent over two years. The drivers' union said a strike remains possible."}`,
	`{"url":"https://metro.example/budget-consultation","title":"Budget consultation opens","site":"Metro","published":"2024-03-01","text":"Residents can comment on the draft council budget until the end of March at public meetings in every district."}`,
	`{"url":"https://metro.example/lighthouse","title":"Lighthouse to be restored","site":"Metro","published":"2024-02-14","text":"The harbour lighthouse will be restored at a cost of 2.4 million euros, the port authority said. Work starts in September."}`,
}, "\n") + "\n"

// cli runs footnote in-process against the test database.
type cli struct {
	env map[string]string
}

func (c cli) getenv(k string) string { return c.env[k] }

func (c cli) run(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), args, strings.NewReader(stdin), &out, &errb, c.getenv)
	return out.String(), errb.String(), err
}

// must runs a command that must succeed.
func (c cli) must(t *testing.T, stdin string, args ...string) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := c.run(t, stdin, args...)
	if err != nil {
		t.Fatalf("footnote %s: %v\nstderr: %s", strings.Join(args, " "), err, stderr)
	}
	return stdout, stderr
}

// jsonLines decodes every line of s as a JSON object.
func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line is not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// checkKeys fails unless m has exactly the keys want (and optionally the keys in also).
func checkKeys(t *testing.T, what string, m map[string]any, want []string, also ...string) {
	t.Helper()
	var got []string
	for k := range m {
		if !slices.Contains(also, k) {
			got = append(got, k)
		}
	}
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s has keys %q, want %q", what, got, want)
	}
}

var (
	searchKeys   = []string{"id", "took_ms", "results"}
	resultKeys   = []string{"rank", "chunk_id", "article_id", "url", "title", "text", "score"}
	askKeys      = []string{"id", "took_ms", "mode", "answer", "citations"}
	citationKeys = []string{"n", "url", "title", "published", "added", "quote", "chunk_id"}
)

func TestCLI(t *testing.T) {
	retrievaltest.Store(t) // the test database, migrated; skips (fails under CI) without it
	coll := retrievaltest.Collection(t)
	c := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN()}}
	t.Cleanup(func() {
		out, stderr, err := c.run(t, "", "remove", "--collection", coll, "--all")
		if err != nil || !strings.HasPrefix(out, "removed ") {
			t.Errorf("remove --all: %v %q %q", err, out, stderr)
		}
	})
	dir := t.TempDir()
	file := filepath.Join(dir, "articles.jsonl")
	if err := os.WriteFile(file, []byte(corpus), 0o644); err != nil {
		t.Fatal(err)
	}
	importLine := regexp.MustCompile(`^imported 6 lines in \S+: (\d+) added, 0 updated, (\d+) unchanged, 0 duplicates, 1 failed; (\d+) passages?\n$`)

	t.Run("import reports its counts and the bad line by number", func(t *testing.T) {
		out, stderr := c.must(t, "", "import", "--collection", coll, file)
		m := importLine.FindStringSubmatch(out)
		if m == nil || m[1] != "5" || m[2] != "0" || m[3] != "5" {
			t.Errorf("stdout = %q, want 5 added, 1 failed, 5 passages", out)
		}
		if want := file + `: line 3: invalid input: missing "url"`; !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, want)
		}
	})
	if t.Failed() {
		return
	}
	t.Run("importing again changes nothing", func(t *testing.T) {
		out, _ := c.must(t, "", "import", "--collection", coll, file)
		if m := importLine.FindStringSubmatch(out); m == nil || m[1] != "0" || m[2] != "5" || m[3] != "0" {
			t.Errorf("stdout = %q, want 5 unchanged", out)
		}
	})
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
	t.Run("add prints one passage in the singular and no empty lines", func(t *testing.T) {
		note := filepath.Join(dir, "harbour.txt")
		if err := os.WriteFile(note, []byte("Harbour ferry resumes\n\nThe harbour ferry resumes its winter timetable on Monday."), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := c.must(t, "", "add", "--collection", coll, note)
		if !regexp.MustCompile(`^added: .+\n  \S+\n  1 passage\n$`).MatchString(out) {
			t.Errorf("stdout = %q, want status and title, link, \"1 passage\"", out)
		}
	})
	t.Run("an import in which every line fails exits 1 and says so", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.jsonl")
		if err := os.WriteFile(bad, []byte("{\"title\":\"no url\"}\nnot json\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, stderr, err := c.run(t, "", "import", "--collection", coll, bad)
		want := "import " + bad + ": every line failed (the errors above say why; `footnote import --help` shows the line format)"
		if err == nil || err.Error() != want || exitCode(err) != 1 {
			t.Errorf("import = %v, want %q, exit 1", err, want)
		}
		if !strings.Contains(out, "2 failed") || !strings.Contains(stderr, "line 2: ") {
			t.Errorf("stdout %q, stderr %q: want the counts and each line's error", out, stderr)
		}
	})
	t.Run("a missing page is reported as not found, not as a site that is down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		private := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "FOOTNOTE_ALLOW_PRIVATE": "true"}}
		_, _, err := private.run(t, "", "add", "--collection", coll, srv.URL+"/2024/gone")
		var b bytes.Buffer
		report(&b, err)
		if !strings.Contains(b.String(), "404 Not Found (the page was not found: check the address)") || strings.Contains(b.String(), "may be down") {
			t.Errorf("reported %q, want the 404 and the fix", b.String())
		}
	})
	t.Run("the engine refuses a question over FOOTNOTE_MAX_QUESTION_CHARS", func(t *testing.T) {
		short := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "FOOTNOTE_MAX_QUESTION_CHARS": "40"}}
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
		out, stderr := c.must(t, batch, "search", "--collection", coll, "--batch")
		lines := jsonLines(t, out)
		if len(lines) != 4 {
			t.Fatalf("got %d output lines for 4 input lines:\n%s", len(lines), out)
		}
		checkBadLine(t, lines[1], stderr)
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
		out, stderr := c.must(t, batch, "ask", "--collection", coll, "--batch")
		lines := jsonLines(t, out)
		if len(lines) != 4 {
			t.Fatalf("got %d output lines for 4 input lines:\n%s", len(lines), out)
		}
		checkBadLine(t, lines[1], stderr)
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
		out, _ := c.must(t, "", "ask", "--collection", coll, "What is the boiling point of mercury?")
		if strings.Contains(out, "Sources:") || !strings.Contains(out, "do not seem to answer") || !strings.Contains(out, "Closest sources:") {
			t.Errorf("ask output:\n%s\nwant an abstention with the closest sources", out)
		}
	})
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
	t.Run("remove deletes one article by URL", func(t *testing.T) {
		out, _ := c.must(t, "", "remove", "--collection", coll, driversURL)
		if want := "removed Tram drivers vote on pay deal (" + driversURL + ")\n"; out != want {
			t.Errorf("stdout = %q, want %q", out, want)
		}
		out, _ = c.must(t, "", "search", "--collection", coll, "--json", "drivers pay strike")
		if strings.Contains(out, driversURL) {
			t.Errorf("search still finds the removed article: %s", out)
		}
		if _, _, err := c.run(t, "", "remove", "--collection", coll, driversURL); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("removing it again: %v, want ErrNotFound", err)
		}
	})
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

func TestCLIConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"an invalid variable fails with one line naming it", map[string]string{"FOOTNOTE_EMBED_DIMS": "abc"}, `FOOTNOTE_EMBED_DIMS: "abc" is not a whole number`},
		{"an unreachable database fails saying so", map[string]string{"DATABASE_URL": "postgres://footnote@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=5"}, "is Postgres running?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			err := run(context.Background(), []string{"search", "tram"}, strings.NewReader(""), &out, &stderr, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") || exitCode(err) != 1 {
				t.Errorf("run = %v (exit %d), want one line containing %q, exit 1", err, exitCode(err), tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}
