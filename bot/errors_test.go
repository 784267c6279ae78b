package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

func TestExplainFetchFailures(t *testing.T) {
	h := newHarness(t, newFakeEngine())
	status := func(code int, line string) error {
		return fmt.Errorf("add: fetch https://news.example/a: %w", &fetch.StatusError{Code: code, Status: line})
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a missing page says to check the link", status(404, "404 Not Found"),
			"Not added: the site has no page at that address (HTTP 404). Check the link."},
		{"a page that is gone says to check the link", status(410, "410 Gone"),
			"Not added: the site has no page at that address (HTTP 410). Check the link."},
		{"a forbidden page says the site refuses bots", status(403, "403 Forbidden"),
			"Not added: the site refuses bots or needs a login (HTTP 403). Upload the article as a file instead."},
		{"a page behind a login says the site refuses bots", status(401, "401 Unauthorized"),
			"Not added: the site refuses bots or needs a login (HTTP 401). Upload the article as a file instead."},
		{"a server error says the site may be down", status(503, "503 Service Unavailable"),
			"footnote couldn't download that: the site may be down. Try again later, or upload the article as a file."},
		{"a timeout says the site may be down", fmt.Errorf("fetch https://news.example/a: timed out after 20s: %w", retrieval.ErrFetch),
			"footnote couldn't download that: the site may be down. Try again later, or upload the article as a file."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, outcome := h.bot.explain(&request{kind: "add"}, tt.err)
			if text != tt.want || outcome != outcomeUserError {
				t.Errorf("explain = %q (%s), want %q (%s)", text, outcome, tt.want, outcomeUserError)
			}
		})
	}
}

func TestExplainBlockedAddressNamesTheSwitchOnlyInTheConsole(t *testing.T) {
	const hint = "Set FOOTNOTE_ALLOW_PRIVATE=true to allow such addresses."
	h := newHarness(t, newFakeEngine())
	var out strings.Builder
	if err := h.bot.RunConsole(context.Background(), "", strings.NewReader("/add http://10.0.0.7/admin\n"), &out); err != nil {
		t.Fatal(err)
	}
	if want := "Not added: that address points to a private or local network, which footnote refuses. " + hint; !strings.Contains(out.String(), want) {
		t.Errorf("console output:\n%s\nwant %q", out.String(), want)
	}
	if text, _ := h.bot.explain(&request{kind: "add"}, retrieval.ErrBlockedAddr); strings.Contains(text, "FOOTNOTE_ALLOW_PRIVATE") {
		t.Errorf("a member on Discord is told %q: the switch is the operator's", text)
	}
}

func TestExplainADatabaseOutageAsTryAgain(t *testing.T) {
	h := newHarness(t, newFakeEngine())
	const want = "footnote's database is unavailable right now; nothing is wrong with your request. Try again in a minute."
	for _, kind := range []string{"add", "ask", "remove"} {
		t.Run("/"+kind+" says the database is unavailable and to try again", func(t *testing.T) {
			err := fmt.Errorf("%s: store https://news.example/a: %w: failed to receive message: unexpected EOF", kind, retrieval.ErrUnavailable)
			text, outcome := h.bot.explain(&request{kind: kind}, err)
			if text != want || outcome != outcomeUnavailable {
				t.Errorf("explain = %q (%s), want %q (%s)", text, outcome, want, outcomeUnavailable)
			}
		})
	}
	t.Run("a page that cannot be downloaded is still the site's fault, not the database's", func(t *testing.T) {
		text, _ := h.bot.explain(&request{kind: "add"}, fmt.Errorf("fetch https://news.example/a: %w: unexpected EOF", retrieval.ErrFetch))
		if strings.Contains(text, "database") {
			t.Errorf("explain = %q, want the site blamed", text)
		}
	})
}
