package retrieval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// doc is one line of an import file.
type doc struct {
	URL       string `json:"url"`
	Title     string `json:"title,omitempty"`
	Published string `json:"published,omitempty"`
	Site      string `json:"site,omitempty"`
	Text      string `json:"text"`
}

// jsonl renders docs as an import file, one line each.
func jsonl(t testing.TB, docs ...doc) string {
	t.Helper()
	var b strings.Builder
	for _, d := range docs {
		line, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// importDocs imports docs into coll and fails the test on any error, a bad line included.
func importDocs(t testing.TB, e *retrieval.Engine, coll string, docs ...doc) retrieval.ImportStats {
	t.Helper()
	st, err := e.Import(context.Background(), coll, strings.NewReader(jsonl(t, docs...)), func(r retrieval.LineReport) {
		if r.Err != nil {
			t.Errorf("import line %d: %v", r.Line, r.Err)
		}
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return st
}

// search runs a search that must succeed.
func search(t testing.TB, e *retrieval.Engine, coll, query string, k int, f retrieval.Filter) []retrieval.Result {
	t.Helper()
	res, err := e.Search(context.Background(), coll, query, k, f)
	if err != nil {
		t.Fatalf("Search(%q): %v", query, err)
	}
	for i := 1; i < len(res); i++ {
		if res[i].Score > res[i-1].Score {
			t.Errorf("Search(%q): result %d scores %v, above %v at %d: scores must fall as ranks rise",
				query, i, res[i].Score, res[i-1].Score, i-1)
		}
	}
	return res
}

// urls returns the URL of each result, in order.
func urls(rs []retrieval.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.URL
	}
	return out
}

// distinctSorted returns the distinct strings of ss, sorted.
func distinctSorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return slices.Compact(out)
}

// conn returns a plain connection to the test database, for checking rows directly.
func conn(t testing.TB) *pgx.Conn {
	t.Helper()
	retrievaltest.Store(t) // migrates the test database
	return retrievaltest.Conn(t)
}

// count runs a count(*) query that must succeed.
func count(t testing.TB, c *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := c.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// longText is an article long enough for several passages; word makes it findable.
func longText(word string) string {
	var paras []string
	for i := range 4 {
		paras = append(paras, fmt.Sprintf("Paragraph %d on the %s. ", i, word)+strings.Repeat("The works continue through the winter months. ", 15))
	}
	return strings.Join(paras, "\n\n")
}
