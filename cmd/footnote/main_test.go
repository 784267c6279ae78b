package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
	// Locked: a command's log (River's goroutines included) and its own lines share stderr.
	var out, errb lockedBuffer
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

// newCLI is footnote run against a fresh collection of the test database (emptied when
// the test ends) and a directory holding corpus as articles.jsonl.
func newCLI(t *testing.T) (c cli, coll, dir, file string) {
	t.Helper()
	retrievaltest.Store(t) // the test database, migrated; skips (fails under CI) without it
	coll = retrievaltest.Collection(t)
	c = cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN()}}
	t.Cleanup(func() {
		out, stderr, err := c.run(t, "", "remove", "--collection", coll, "--all")
		if err != nil || !strings.HasPrefix(out, "removed ") {
			t.Errorf("remove --all: %v %q %q", err, out, stderr)
		}
	})
	dir = t.TempDir()
	file = filepath.Join(dir, "articles.jsonl")
	if err := os.WriteFile(file, []byte(corpus), 0o644); err != nil {
		t.Fatal(err)
	}
	return c, coll, dir, file
}

// importedCLI is newCLI with corpus imported.
func importedCLI(t *testing.T) (c cli, coll, dir string) {
	t.Helper()
	c, coll, dir, file := newCLI(t)
	c.must(t, "", "import", "--collection", coll, file)
	return c, coll, dir
}

func TestCLIConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
		exit int
	}{
		{"an invalid variable fails with one line naming it", map[string]string{"FOOTNOTE_EMBED_DIMS": "abc"}, `FOOTNOTE_EMBED_DIMS: "abc" is not a whole number`, 1},
		{"an unreachable database fails saying so, with the status of an outage", map[string]string{"DATABASE_URL": "postgres://footnote@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=5"}, "is Postgres running?", exitTempFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			err := run(context.Background(), []string{"search", "tram"}, strings.NewReader(""), &out, &stderr, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") || exitCode(err) != tt.exit {
				t.Errorf("run = %v (exit %d), want one line containing %q, exit %d", err, exitCode(err), tt.want, tt.exit)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}
