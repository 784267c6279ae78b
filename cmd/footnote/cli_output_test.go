package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestCLIOutputAndExitCodes(t *testing.T) {
	retrievaltest.Store(t) // the test database, migrated; skips (fails under CI) without it
	coll := retrievaltest.Collection(t)
	c := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN()}}
	t.Cleanup(func() {
		if _, stderr, err := c.run(t, "", "remove", "--collection", coll, "--all"); err != nil {
			t.Errorf("remove --all: %v %q", err, stderr)
		}
	})
	dir := t.TempDir()
	write := func(name, data string) string { return writeFile(t, dir, name, data) }
	file := write("articles.jsonl", corpus+`{"url":"https://metro.example/no-text","title":"A title alone"}`+"\n")

	t.Run("an import line without text is reported as missing it", func(t *testing.T) {
		out, stderr := c.must(t, "", "import", "--collection", coll, file)
		if want := file + `: line 7: invalid input: missing "text"`; !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, want)
		}
		if !strings.Contains(out, " 0 duplicates, 2 failed; ") {
			t.Errorf("stdout = %q, want 2 failed", out)
		}
	})
	for _, tt := range []struct{ name, arg, stdin, want string }{
		{"an empty file imports nothing and exits 1", write("empty.jsonl", ""), "", "no articles in " + filepath.Join(dir, "empty.jsonl") + " (it is empty, or holds only blank lines)"},
		{"a file of blank lines imports nothing and exits 1", write("blank.jsonl", "\n  \n\n"), "", "no articles in " + filepath.Join(dir, "blank.jsonl") + " (it is empty, or holds only blank lines)"},
		{"empty standard input imports nothing and exits 1", "-", "", "no articles in standard input (it is empty, or holds only blank lines)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := c.run(t, tt.stdin, "import", "--collection", coll, tt.arg)
			if err == nil || err.Error() != tt.want || exitCode(err) != 1 || out != "" {
				t.Errorf("import = %v (exit %d), stdout %q; want %q, exit 1, no summary", err, exitCode(err), out, tt.want)
			}
		})
	}
	t.Run("search separates results by a blank line and ends without one", func(t *testing.T) {
		out, _ := c.must(t, "", "search", "--collection", coll, "-k", "3", "tram budget council")
		if strings.HasSuffix(out, "\n\n") || strings.Count(out, "\n\n") != 2 {
			t.Errorf("search printed %q, want three results, two blank lines between them and none at the end", out)
		}
	})
	t.Run("--source takes a link as its host", func(t *testing.T) {
		byHost, _ := c.must(t, "", "search", "--collection", coll, "--json", "--source", "gazette.example", "tram budget drivers")
		byLink, _ := c.must(t, "", "search", "--collection", coll, "--json", "--source", "https://gazette.example/", "tram budget drivers")
		urls := regexp.MustCompile(`"url":"([^"]+)"`)
		host, link := urls.FindAllStringSubmatch(byHost, -1), urls.FindAllStringSubmatch(byLink, -1)
		if len(host) == 0 || len(link) != len(host) {
			t.Fatalf("--source gazette.example found %d, the link %d; want the same, at least one", len(host), len(link))
		}
		for _, m := range link {
			if !strings.HasPrefix(m[1], "https://gazette.example/") {
				t.Errorf("--source https://gazette.example/ found %s", m[1])
			}
		}
		out, _ := c.must(t, "", "ask", "--collection", coll, "--source", "https://metro.example/", "When do tram drivers vote on pay?")
		if !strings.Contains(out, driversURL) || strings.Contains(out, tramURL) {
			t.Errorf("ask --source https://metro.example/ printed\n%s\nwant the drivers' article only", out)
		}
	})
	allBad := "not json\n" + `{"id":"e","question":"  "}` + "\n"
	for _, name := range []string{"search", "ask"} {
		t.Run(name+" --batch exits 1 when every line failed", func(t *testing.T) {
			out, _, err := c.run(t, allBad, name, "--collection", coll, "--batch")
			want := name + ` --batch: every line failed (their "error" fields say why)`
			if err == nil || err.Error() != want || exitCode(err) != 1 {
				t.Errorf("%s --batch = %v (exit %d), want %q, exit 1", name, err, exitCode(err), want)
			}
			if lines := jsonLines(t, out); len(lines) != 2 || lines[1]["id"] != "e" {
				t.Errorf("stdout = %q, want an error line for each input line", out)
			}
		})
		t.Run(name+" --batch exits 0 when one line was answered", func(t *testing.T) {
			c.must(t, allBad+`{"id":"ok","question":"When will the tram extension open?"}`+"\n", name, "--collection", coll, "--batch")
		})
	}
	t.Run("a question over the limit names FOOTNOTE_MAX_QUESTION_CHARS", func(t *testing.T) {
		short := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN(), "FOOTNOTE_MAX_QUESTION_CHARS": "40"}}
		_, _, err := short.run(t, "", "ask", "--collection", coll, strings.Repeat("tram ", 10))
		want := "invalid input: the question has 49 characters; the limit is 40 (shorten it, or raise FOOTNOTE_MAX_QUESTION_CHARS, at most 6000)"
		if err == nil || err.Error() != want {
			t.Errorf("ask = %v, want %q", err, want)
		}
		out, _, _ := short.run(t, `{"id":"long","question":"`+strings.Repeat("tram ", 10)+`"}`+"\n", "ask", "--collection", coll, "--batch")
		if !strings.Contains(out, "FOOTNOTE_MAX_QUESTION_CHARS") {
			t.Errorf("ask --batch wrote %q, want the error line to name FOOTNOTE_MAX_QUESTION_CHARS", out)
		}
	})
}
