package main

// footnote reindex, against the test database and a fake OpenAI-compatible server.

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestCLIReindexIntoAWideRemoteModel(t *testing.T) {
	c, coll, _ := importedCLI(t)
	srv := oaitest.New(t)
	model := "wide-" + coll
	remote := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "OPENAI_BASE_URL": srv.URL,
		"FOOTNOTE_EMBED_MODEL": model, "FOOTNOTE_EMBED_DIMS": "3000"}}

	out, stderr := remote.must(t, "", "reindex", "--collection", coll)
	plan := regexp.MustCompile(`^Will embed (\d+) passages with ` + regexp.QuoteMeta(model) +
		`/3000 \(about ([\d,]+) tokens, counting 4 characters a token\)\.\n`).FindStringSubmatch(stderr)
	t.Run("before embedding it says how many passages and about how many tokens it will send", func(t *testing.T) {
		if plan == nil {
			t.Fatalf("stderr = %q, want the plan first", stderr)
		}
		// The estimate is the characters sent, divided by 4: check it against what the
		// server received (the start-up probe aside).
		chars := 0
		for _, r := range srv.Requests() {
			inputs, _ := r.Body["input"].([]any)
			for _, in := range inputs {
				if s, _ := in.(string); s != "dimension probe" {
					chars += utf8.RuneCountInString(s)
				}
			}
		}
		if got, want := strings.ReplaceAll(plan[2], ",", ""), strconv.Itoa((chars+3)/4); got != want {
			t.Errorf("estimated %s tokens, want %s (%d characters sent)", got, want, chars)
		}
	})
	t.Run("it reports what it embedded and the old vectors it deleted", func(t *testing.T) {
		want := regexp.MustCompile(`^reindexed ` + regexp.QuoteMeta(coll) + ` into ` + regexp.QuoteMeta(model) +
			`/3000: \d+ articles, (\d+) passages, (\d+) embedded, 0 re-tokenised, (\d+) old vectors deleted, in \S+\n$`)
		m := want.FindStringSubmatch(out)
		if m == nil || plan == nil || m[1] != plan[1] || m[2] != plan[1] || m[3] != plan[1] {
			t.Errorf("stdout = %q, want every one of the %v passages embedded and its old vector deleted", out, plan)
		}
	})
	t.Run("search works in the new space", func(t *testing.T) {
		out, _ := remote.must(t, "", "search", "--collection", coll, "-k", "1", "tram extension passengers")
		if !strings.Contains(out, "Tram extension to open in 2027") {
			t.Errorf("search = %q, want the tram article", out)
		}
	})
	t.Run("a second reindex has nothing to do and says so", func(t *testing.T) {
		_, stderr := remote.must(t, "", "reindex", "--collection", coll)
		if !strings.HasPrefix(stderr, "Nothing to rebuild or embed: ") {
			t.Errorf("stderr = %q", stderr)
		}
	})
	t.Run("back on the offline model, the collection is embedded again", func(t *testing.T) {
		out, _ := c.must(t, "", "reindex", "--collection", coll)
		if !strings.Contains(out, " into footnote-hash-v2/256: ") {
			t.Errorf("stdout = %q", out)
		}
	})
}
