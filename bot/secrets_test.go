package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/redact"
)

// TestMembersSeeNoSecretsInErrors checks that the error text a member reads (a feed's last
// error, as the feed's server answered) passes through Config.Redact: a feed whose link
// carries the API key and whose server then fails shows the key nowhere in /track's or
// /feeds' replies.
func TestMembersSeeNoSecretsInErrors(t *testing.T) {
	const key = "sk-test-4f1d2c3b4a5968778695a4b3"
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	feeds := newFeedServer(t, 1)
	var failing atomic.Bool
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "upstream down", http.StatusBadGateway)
			return
		}
		feeds.Config.Handler.ServeHTTP(w, r) // the feed, whose items are on the feed server

	}))
	defer site.Close()
	h := newHarness(t, eng, func(c *Config) { c.Redact = redact.New(key) })

	link := site.URL + "/feed.xml?k=" + key
	h.edit(h.track(g, boss, link, ""), func(c string) bool { return strings.Contains(c, "Following") })
	failing.Store(true)
	polls, err := eng.PollDue(context.Background(), g, true)
	if err != nil || len(polls) != 1 || polls[0].Err == nil {
		t.Fatalf("PollDue = %+v, %v; want one failed poll", polls, err)
	}
	if !strings.Contains(polls[0].Err.Error(), key) {
		t.Fatalf("the poll's error %q does not hold the key: the test shows nothing", polls[0].Err)
	}
	reply := h.edit(h.send(h.slash(g, boss, "feeds")), func(c string) bool { return strings.Contains(c, "Last error") }).str("content")
	if !strings.Contains(reply, "502") || !strings.Contains(reply, redact.Mask) {
		t.Errorf("/feeds reply %q, want the last error with the key masked", reply)
	}
	for _, c := range h.discord.recorded(nil) {
		body, _ := json.Marshal(c.Body)
		if strings.Contains(string(body), key) {
			t.Errorf("%s %s sent the key to Discord: %s", c.Method, c.Path, body)
		}
	}
}

// TestSecretsWithUnderscoresAreMaskedBeforeMarkdownIsEscaped follows a feed whose title
// and whose server's errors carry a configured secret holding "_": escaping the Markdown
// first turns each "_" into "\_", after which the secret no longer matches and is shown.
// /track's and /feeds' replies must mask it either way.
func TestSecretsWithUnderscoresAreMaskedBeforeMarkdownIsEscaped(t *testing.T) {
	const secret = "pg_pass_quay_2026_harbour"
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	var failing atomic.Bool
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "upstream refused password "+secret, http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<rss version="2.0"><channel><title>Quay news ` + secret + `</title></channel></rss>`))
	}))
	defer site.Close()
	h := newHarness(t, eng, func(c *Config) { c.Redact = redact.New(secret) })
	// shown is what a member reads: Discord drops the backslashes that escape Markdown.
	shown := func(s string) string { return strings.ReplaceAll(s, `\`, "") }

	track := h.edit(h.track(g, boss, site.URL+"/feed.xml", ""), func(c string) bool { return strings.Contains(c, "Following") }).str("content")
	if strings.Contains(shown(track), secret) || !strings.Contains(shown(track), redact.Mask) {
		t.Errorf("/track reply %q, want the feed's title with the secret masked", track)
	}
	failing.Store(true)
	if polls, err := eng.PollDue(context.Background(), g, true); err != nil || len(polls) != 1 || polls[0].Err == nil {
		t.Fatalf("PollDue = %+v, %v; want one failed poll", polls, err)
	}
	feeds := h.edit(h.send(h.slash(g, boss, "feeds")), func(c string) bool { return strings.Contains(c, "Last error") }).str("content")
	if strings.Contains(shown(feeds), secret) || !strings.Contains(shown(feeds), "502") {
		t.Errorf("/feeds reply %q, want the last error (502) with the secret masked", feeds)
	}
	for _, c := range h.discord.recorded(nil) {
		body, _ := json.Marshal(c.Body)
		if strings.Contains(shown(string(body)), secret) {
			t.Errorf("%s %s sent the secret to Discord: %s", c.Method, c.Path, body)
		}
	}
}
