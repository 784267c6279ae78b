package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// runNoDB runs footnote with an empty environment, for the refusals that come before the
// database is opened.
func runNoDB(args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = run(context.Background(), args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return out.String(), errb.String(), err
}

func TestQueryFlagsAreCheckedBeforeTheDatabase(t *testing.T) {
	for _, tt := range []struct {
		name     string
		args     []string
		wantErr  string // the error line; "" for a usage error
		wantExit int
		stderr   string // what a usage error prints first
	}{
		{name: "ask --since with a date it cannot read names the flag", args: []string{"ask", "--since", "June 1", "When does the tram open?"},
			wantErr: `--since: "June 1" is not a date (use YYYY-MM-DD or RFC 3339)`, wantExit: 1},
		{name: "search --since with a date it cannot read names the flag", args: []string{"search", "--since", "yesterday", "tram"},
			wantErr: `--since: "yesterday" is not a date (use YYYY-MM-DD or RFC 3339)`, wantExit: 1},
		{name: "search -k 0 is a usage error naming -k", args: []string{"search", "-k", "0", "tram"}, wantExit: 2,
			stderr: "-k: 0 passages is too few (want 1 or more)\nusage: footnote search "},
		{name: "search -k -3 is a usage error naming -k", args: []string{"search", "-k", "-3", "tram"}, wantExit: 2,
			stderr: "-k: -3 passages is too few (want 1 or more)\n"},
		{name: "search --parallel 0 is a usage error naming --parallel", args: []string{"search", "--batch", "--parallel", "0"}, wantExit: 2,
			stderr: "--parallel: 0 is too few (want 1 or more)\nusage: footnote search "},
		{name: "ask --parallel -1 is a usage error naming --parallel", args: []string{"ask", "--batch", "--parallel", "-1"}, wantExit: 2,
			stderr: "--parallel: -1 is too few (want 1 or more)\nusage: footnote ask "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, err := runNoDB(tt.args...)
			if err == nil || exitCode(err) != tt.wantExit || out != "" {
				t.Fatalf("run = %v (exit %d), stdout %q; want exit %d and no output", err, exitCode(err), out, tt.wantExit)
			}
			if tt.wantErr != "" && err.Error() != tt.wantErr {
				t.Errorf("error %q, want %q", err, tt.wantErr)
			}
			if !strings.HasPrefix(stderr, tt.stderr) {
				t.Errorf("stderr %q, want it to start %q", stderr, tt.stderr)
			}
		})
	}
}

func TestSourceTakesAHostOrALink(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"a host is kept", "news.example", "news.example"},
		{"a link is cut to its host", "https://news.example/", "news.example"},
		{"a link with a path and port is cut to its host", "http://www.news.example:8080/politics?page=2", "www.news.example"},
		{"a site's name is kept as given", " Westfield Gazette ", "Westfield Gazette"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := sourceSite(tt.in); got != tt.want {
				t.Errorf("sourceSite(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	for _, name := range []string{"ask", "search"} {
		t.Run(name+" --help says what --since and --source take", func(t *testing.T) {
			help, _ := runHelp(t, name, "--help")
			for _, want := range []string{"-since string\n    \tonly articles published on or after this date: YYYY-MM-DD or RFC 3339",
				"-source string\n    \tonly articles from this site: a host name (news.example) or the site's name; a link is cut to its host"} {
				if !strings.Contains(help, want) {
					t.Errorf("%s --help lacks %q:\n%s", name, want, help)
				}
			}
		})
	}
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrintAnswerShowsTheNote(t *testing.T) {
	a := &retrieval.Answer{Covered: true, Text: "“It opens in 2027.” [1]", Note: retrieval.SlowModelNote,
		Citations: []retrieval.Citation{{N: 1, Title: "Tram", URL: "https://news.example/tram", Quote: "It opens in 2027."}}}
	var b bytes.Buffer
	printAnswer(&b, a)
	if want := retrieval.SlowModelNote + "\n“It opens in 2027.” [1]\n"; !strings.HasPrefix(b.String(), want) {
		t.Errorf("printed %q, want it to start %q", b.String(), want)
	}
	if got := toJSONAsk("q1", a); got.Note != retrieval.SlowModelNote {
		t.Errorf("JSON note = %q, want %q", got.Note, retrieval.SlowModelNote)
	}
}

func TestAskJSONListsTheClosestSources(t *testing.T) {
	day := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	a := retrieval.NotCovered([]retrieval.Result{
		{ArticleID: 1, URL: "https://news.example/tram", Title: "Tram", Published: day},
		{ArticleID: 2, URL: "https://news.example/budget", Title: "Budget", Added: day},
	})
	b, err := json.Marshal(toJSONAsk("q1", a))
	if err != nil {
		t.Fatal(err)
	}
	want := `"closest":[{"url":"https://news.example/tram","title":"Tram","published":"2024-05-02","added":""},` +
		`{"url":"https://news.example/budget","title":"Budget","published":"","added":"2024-05-02"}]`
	if !strings.Contains(string(b), want) || !strings.Contains(string(b), `"citations":[]`) {
		t.Errorf("ask --json = %s, want no citations and %s", b, want)
	}
}

// A citation names the other articles that ran its passage, in ask's text and JSON, and a
// search result in search's JSON; a passage no other article ran has no "also" at all.
func TestAnswersNameTheOtherArticlesThatRanAPassage(t *testing.T) {
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	also := []retrieval.Source{{ArticleID: 2, URL: "https://coast.example/ferry", Title: "Ferry back", Site: "Coast Daily", Published: day},
		{ArticleID: 3, URL: "https://wire.example/f/1", Title: "Ferry resumes", Added: day}}
	a := &retrieval.Answer{Covered: true, Text: "“The ferry runs again.” [1]\n\nSee also [2].", Citations: []retrieval.Citation{
		{N: 1, Title: "Ferry returns", URL: "https://harbour.example/ferry", Quote: "The ferry runs again.", Also: also},
		{N: 2, Title: "Bridge", URL: "https://news.example/bridge", Quote: "A bridge is planned."}}}
	var b bytes.Buffer
	printAnswer(&b, a)
	if want := "    Also reported by:\n    - Ferry back — Coast Daily, 2026-03-03\n      https://coast.example/ferry\n" +
		"    - Ferry resumes, added 2026-03-03\n      https://wire.example/f/1\n[2] Bridge"; !strings.Contains(b.String(), want) {
		t.Errorf("printed %q, want %q", b.String(), want)
	}
	j, err := json.Marshal(toJSONAsk("q1", a))
	if err != nil {
		t.Fatal(err)
	}
	want := `"also":[{"url":"https://coast.example/ferry","title":"Ferry back","site":"Coast Daily","published":"2026-03-03","added":""},` +
		`{"url":"https://wire.example/f/1","title":"Ferry resumes","published":"","added":"2026-03-03"}]`
	if !strings.Contains(string(j), want) || strings.Count(string(j), `"also"`) != 1 {
		t.Errorf("ask --json = %s, want the first citation's %s and no other", j, want)
	}
	s, err := json.Marshal(toJSONResults([]retrieval.Result{{Rank: 1, URL: "https://harbour.example/ferry", Also: also[:1]}, {Rank: 2}}))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(s), `"also":[{"url":"https://coast.example/ferry"`) || strings.Count(string(s), `"also"`) != 1 {
		t.Errorf("search --json results = %s", s)
	}
}
