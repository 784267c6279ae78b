package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// storySite serves one article at /story whose answer and text a test changes.
type storySite struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	when   string
}

func newStorySite(t *testing.T) *storySite {
	s := &storySite{status: http.StatusOK, when: "on 4 June"}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		status, when := s.status, s.when
		s.mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, http.StatusText(status), status)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<html><head><title>Ferry returns</title></head><body><article><h1>Ferry returns</h1>
			<p>The harbour ferry returns to service %s after repairs to its engine, the operator said on Monday.</p>
			<p>Residents of the island had relied on a replacement bus and a smaller boat during the three months of repairs.</p>
			</article></body></html>`, when)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *storySite) set(status int, when string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.when = status, when
}

func TestCLIRecrawl(t *testing.T) {
	retrievaltest.Store(t)
	coll := retrievaltest.Collection(t)
	c := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN(), "FOOTNOTE_ALLOW_PRIVATE": "true"}}
	t.Cleanup(func() { c.run(t, "", "remove", "--collection", coll, "--all") })
	site := newStorySite(t)
	story := site.URL + "/story"
	c.must(t, "", "add", "--collection", coll, story)
	const question = "When does the harbour ferry return to service?"
	today := time.Now().UTC().Format("2006-01-02")

	t.Run("nothing is due right after the add", func(t *testing.T) {
		out, _ := c.must(t, "", "recrawl", "--collection", coll)
		if want := "no article is due\n0 unchanged, 0 updated, 0 gone, 0 removed, 0 failed\n"; out != want {
			t.Errorf("stdout = %q, want %q", out, want)
		}
	})
	t.Run("--all fetches every article again; an unchanged one only moves on", func(t *testing.T) {
		out, _ := c.must(t, "", "recrawl", "--collection", coll, "--all")
		re := `^unchanged: ` + regexp.QuoteMeta(story) + `, next \S+Z\n1 unchanged, 0 updated, 0 gone, 0 removed, 0 failed\n$`
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("stdout = %q, want it to match %s", out, re)
		}
	})
	t.Run("a changed page is updated, and ask --json says since when", func(t *testing.T) {
		site.set(http.StatusOK, "on 18 June")
		out, _ := c.must(t, "", "recrawl", "--collection", coll, story)
		if !regexp.MustCompile(`^updated: \S+ \(\d+ of \d+ passages? embedded anew\), next \S+Z\n0 unchanged, 1 updated`).MatchString(out) {
			t.Errorf("stdout = %q", out)
		}
		out, _ = c.must(t, "", "ask", "--collection", coll, "--json", question)
		lines := jsonLines(t, out)
		cs, _ := lines[0]["citations"].([]any)
		if len(cs) == 0 {
			t.Fatalf("ask --json = %s, want a citation", out)
		}
		cit := cs[0].(map[string]any)
		if cit["updated"] != today || !strings.Contains(cit["quote"].(string), "18 June") || cit["gone"] != nil {
			t.Errorf("citation = %v, want the new text, updated %s, not gone", cit, today)
		}
	})
	t.Run("a page that answers 404 is marked gone, and ask says so", func(t *testing.T) {
		site.set(http.StatusNotFound, "")
		out, _ := c.must(t, "", "recrawl", "--collection", coll, "--all", "--json")
		lines := jsonLines(t, out)
		if len(lines) != 1 || lines[0]["status"] != "gone" || lines[0]["url"] != story || lines[0]["next"] == nil {
			t.Errorf("--json lines = %v, want the story gone, with its next recrawl", lines)
		}
		out, _ = c.must(t, "", "ask", "--collection", coll, question)
		if !strings.Contains(out, ", updated "+today+", no longer online\n") {
			t.Errorf("ask = %q, want the source marked updated and no longer online", out)
		}
		out, _ = c.must(t, "", "ask", "--collection", coll, "--json", question)
		cs, _ := jsonLines(t, out)[0]["citations"].([]any)
		if len(cs) == 0 || cs[0].(map[string]any)["gone"] != today {
			t.Errorf("ask --json = %s, want the citation gone since %s", out, today)
		}
	})
	t.Run("when every article fails, recrawl exits 1 and says why on stderr", func(t *testing.T) {
		site.set(http.StatusInternalServerError, "")
		out, stderr, err := c.run(t, "", "recrawl", "--collection", coll, "--all")
		if err == nil || exitCode(err) != 1 || !strings.HasPrefix(out, "failed: "+story) || !strings.Contains(stderr, "500") {
			t.Errorf("recrawl = %v, stdout %q, stderr %q; want exit 1, the failure on both", err, out, stderr)
		}
	})
	t.Run("--all with --due or with a link is a usage error", func(t *testing.T) {
		for _, args := range [][]string{{"--all", "--due"}, {"--all", story}} {
			_, _, err := c.run(t, "", append([]string{"recrawl", "--collection", coll}, args...)...)
			if exitCode(err) != 2 {
				t.Errorf("recrawl %v: %v, want a usage error", args, err)
			}
		}
	})
}
