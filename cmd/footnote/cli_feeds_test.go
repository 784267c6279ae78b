package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// feedServer serves an RSS feed with an ETag at /feed.xml listing two article pages.
func feedServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<rss version="2.0"><channel><title>Quay Post</title>
				<item><title>Ferry returns</title><link>/a/ferry</link><pubDate>Thu, 02 May 2024 09:00:00 GMT</pubDate></item>
				<item><title>Berth works</title><link>/a/berth</link></item></channel></rss>`)
		case "/a/ferry", "/a/berth":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprintf(w, `<html><head><title>%s</title></head><body><article><p>%s: the quay council said the works on %s would run through the summer and that residents would be told of every closure in advance.</p><p>Another paragraph about %s, the ferry and the harbour, long enough to be an article.</p></article></body></html>`, r.URL.Path, r.URL.Path, r.URL.Path, r.URL.Path)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestCLIFeeds(t *testing.T) {
	retrievaltest.Store(t)
	coll := retrievaltest.Collection(t)
	c := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN(), "FOOTNOTE_ALLOW_PRIVATE": "true"}}
	t.Cleanup(func() { c.run(t, "", "remove", "--collection", coll, "--all") })
	srv := feedServer(t)
	feedURL := srv.URL + "/feed.xml"

	t.Run("track polls at once: a line per new article and the summary", func(t *testing.T) {
		out, _ := c.must(t, "", "track", "--collection", coll, "--every", "1h", feedURL)
		want := "tracking Quay Post (" + feedURL + "), every 1h0m0s\n" +
			"added: Ferry returns (2024-05-02) " + srv.URL + "/a/ferry\n" +
			"added: Berth works " + srv.URL + "/a/berth\n" +
			"2 new, 0 updated\n"
		if out != want {
			t.Errorf("stdout =\n%s\nwant\n%s", out, want)
		}
	})
	t.Run("feeds lists last success, next poll and the article count", func(t *testing.T) {
		out, _ := c.must(t, "", "feeds", "--collection", coll)
		if !regexp.MustCompile(`^Quay Post\n  \S+/feed.xml, every 1h0m0s, 2 articles\n  last success: \S+Z\n  next poll: \S+Z\n$`).MatchString(out) {
			t.Errorf("stdout = %q", out)
		}
		out, _ = c.must(t, "", "feeds", "--collection", coll, "--json")
		lines := jsonLines(t, out)
		if len(lines) != 1 || lines[0]["articles"] != float64(2) || lines[0]["url"] != feedURL {
			t.Errorf("--json = %v", lines)
		}
	})
	t.Run("poll --all asks conditionally: not modified, nothing new", func(t *testing.T) {
		out, _ := c.must(t, "", "poll", "--collection", coll, "--all")
		if want := feedURL + ":\n0 new, 0 updated (not modified)\n"; out != want {
			t.Errorf("stdout = %q, want %q", out, want)
		}
		out, _ = c.must(t, "", "poll", "--collection", coll)
		if out != "no feed is due\n" {
			t.Errorf("poll without --all = %q, want nothing due", out)
		}
	})
	t.Run("untrack stops, and a second untrack is a one-line error", func(t *testing.T) {
		out, _ := c.must(t, "", "untrack", "--collection", coll, feedURL)
		if out != "stopped tracking "+feedURL+" (its articles stay)\n" {
			t.Errorf("stdout = %q", out)
		}
		_, _, err := c.run(t, "", "untrack", "--collection", coll, feedURL)
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "not tracked") {
			t.Errorf("untrack again: %v, want one line saying it is not tracked", err)
		}
	})
	t.Run("track --json prints one JSON line per article; errors are one line", func(t *testing.T) {
		c.must(t, "", "remove", "--collection", coll, "--all")
		out, _ := c.must(t, "", "track", "--collection", coll, "--json", feedURL)
		lines := jsonLines(t, out)
		if len(lines) != 2 || lines[0]["url"] != srv.URL+"/a/ferry" || lines[0]["published"] != "2024-05-02" ||
			lines[0]["status"] != "added" || lines[1]["published"] != "" {
			t.Errorf("--json lines = %v", lines)
		}
		for _, args := range [][]string{
			{"track", "--collection", coll, "--every", "1m", feedURL},
			{"track", "--collection", coll, srv.URL + "/a/ferry"},
		} {
			_, _, err := c.run(t, "", args...)
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Errorf("footnote %v: %v, want a one-line error", args, err)
			}
		}
	})
}

func TestPrintPollSaysWhatWasCut(t *testing.T) {
	p := retrieval.FeedPoll{Items: []retrieval.FeedItem{{URL: "https://quay.example/a", Title: "Ferry…", Status: retrieval.StatusAdded,
		Notes: []string{"title cut to 300 characters (it had 7999)"}}}}
	var text, js strings.Builder
	printPoll(&text, p, false)
	printPoll(&js, p, true)
	if want := "added: Ferry… https://quay.example/a\n  note: title cut to 300 characters (it had 7999)\n"; !strings.HasPrefix(text.String(), want) {
		t.Errorf("printed %q, want it to start with %q", text.String(), want)
	}
	if want := `"notes":["title cut to 300 characters (it had 7999)"]`; !strings.Contains(js.String(), want) {
		t.Errorf("printed %q, want %s", js.String(), want)
	}
}
