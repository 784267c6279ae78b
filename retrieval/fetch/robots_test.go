package fetch

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// The matching rules of RFC 9309: the longest matching pattern decides, an allow wins a
// tie, '*' and a final '$' are wildcards, footnote's own group replaces "*", and rules
// before any user-agent line belong to no one.
func TestParseRobots(t *testing.T) {
	const body = "\xef\xbb\xbfDisallow: /orphan\n" + // no group: ignored
		"# a comment\n" +
		"User-agent: *\n" +
		"Disallow: /private/\n" +
		"Allow: /private/open\n" +
		"Disallow: /*.pdf$\n" +
		"Disallow: /search?q=*&page=\n" +
		"Disallow: /caf%c3%a9\n" +
		"Disallow:\n" + // an empty disallow: no rule
		"\n" +
		"User-agent: otherbot\n" +
		"Disallow: /\n"
	star := parseRobots([]byte(body), "footnote")
	for path, want := range map[string]bool{
		"/":                        true,
		"/orphan":                  true,
		"/private/":                false,
		"/private/x":               false,
		"/private/open":            true, // longer allow
		"/private/opened":          true,
		"/file.pdf":                false,
		"/file.pdf?x=1":            true, // '$' anchors the end
		"/dir/file.pdf":            false,
		"/search?q=x&page=2":       false,
		"/search?q=x":              true,
		"/café":                    false, // percent-encoded alike
		"/CAF%C3%A9/x":             true,  // the path's case is its own; only escapes are folded
		"/robots.txt":              true,
		"/private/../robots.txt/x": false,
	} {
		if got := star.allowed(path); got != want {
			t.Errorf("User-agent * rules: allowed(%q) = %v, want %v", path, got, want)
		}
	}
	if star.allowed("/caf%c3%a9x") {
		t.Errorf("%q allowed; its folded escapes begin the disallowed %q", "/caf%c3%a9x", "/café")
	}

	// A group that names footnote (with or without a version, in any case) replaces "*";
	// groups naming it twice are merged; the last user-agent lines before rules share them.
	own := parseRobots([]byte("User-agent: *\nDisallow: /\n\nUser-agent: Footnote/1.0\nUser-agent: somebot\nDisallow: /drafts\nCrawl-delay: 2.5\n\nUser-agent: footnote\nDisallow: /tmp\n"), "footnote")
	for path, want := range map[string]bool{"/": true, "/news": true, "/drafts/1": false, "/tmp/x": false} {
		if got := own.allowed(path); got != want {
			t.Errorf("footnote's group: allowed(%q) = %v, want %v", path, got, want)
		}
	}
	if own.delay != 2500*time.Millisecond {
		t.Errorf("Crawl-delay 2.5 read as %v", own.delay)
	}
	if d := parseRobots([]byte("User-agent: *\nCrawl-delay: 86400\n"), "footnote").delay; d != maxCrawlDelay {
		t.Errorf("a day's Crawl-delay read as %v, want the cap %v", d, maxCrawlDelay)
	}
	// A tie between allow and disallow of the same length: allow.
	tie := parseRobots([]byte("User-agent: *\nDisallow: /page\nAllow: /page\n"), "footnote")
	if !tie.allowed("/page") {
		t.Error("a tie between Allow and Disallow of one length refused the page")
	}
	// "Disallow: /" for everyone, and no group at all.
	if parseRobots([]byte("User-agent: *\nDisallow: /\n"), "footnote").allowed("/news/1") {
		t.Error(`"Disallow: /" allowed a page`)
	}
	if !parseRobots([]byte("<html>not a robots.txt</html>"), "footnote").allowed("/x") {
		t.Error("a page of HTML served as robots.txt refused a page")
	}
	// Rules past 500 KiB are not read.
	long := "User-agent: *\n" + strings.Repeat("# padding\n", robotsMaxBytes/10) + "Disallow: /\n"
	if !parseRobots([]byte(long), "footnote").allowed("/x") {
		t.Error("a rule past the first 500 KiB was read")
	}
}

func TestProductToken(t *testing.T) {
	for ua, want := range map[string]string{
		DefaultUserAgent:         "footnote",
		"NewsBot/2 (+https://x)": "newsbot",
		"  Plain  ":              "plain",
		"":                       "",
	} {
		if got := productToken(ua); got != want {
			t.Errorf("productToken(%q) = %q, want %q", ua, got, want)
		}
	}
}

// A crawl (feed items, recrawls) keeps to the site's robots.txt, fetched once for many
// pages; a fetch a member asked for does not; a redirect into a closed path is refused;
// a robots.txt that answers 404 allows everything and one that answers 503 nothing.
func TestCrawlsKeepToRobotsTxt(t *testing.T) {
	var mu sync.Mutex
	robotsAsked, pages := 0, 0
	status := http.StatusOK
	srv, ap := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/robots.txt":
			robotsAsked++
			if status != http.StatusOK {
				w.WriteHeader(status)
				return
			}
			w.Write([]byte("User-agent: *\nDisallow: /private/\n\nUser-agent: footnote\nDisallow: /members/\n"))
		case "/jump":
			http.Redirect(w, r, "/members/page", http.StatusFound)
		default:
			pages++
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("page"))
		}
	}))
	f := New(Config{Allow: only(ap)})
	crawl := Crawling(context.Background())
	for _, p := range []string{"/news/1", "/news/2", "/private/x"} { // footnote's group replaces "*"
		if _, err := f.Fetch(crawl, srv.URL+p); err != nil {
			t.Fatalf("crawl of %s: %v", p, err)
		}
	}
	_, err := f.Fetch(crawl, srv.URL+"/members/page")
	if !errors.Is(err, ErrDisallowed) || !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "robots.txt") {
		t.Fatalf("crawl of a closed path: err = %v, want ErrDisallowed (an ErrFetch) that names robots.txt", err)
	}
	if _, err := f.Fetch(crawl, srv.URL+"/jump"); !errors.Is(err, ErrDisallowed) {
		t.Fatalf("crawl redirected into a closed path: err = %v, want ErrDisallowed", err)
	}
	if _, err := f.Fetch(context.Background(), srv.URL+"/members/page"); err != nil {
		t.Fatalf("a member's own fetch of a closed path: %v", err)
	}
	mu.Lock()
	if robotsAsked != 1 || pages != 4 {
		t.Errorf("robots.txt asked %d times, pages fetched %d; want 1 and 4 (three crawled, one the member's)", robotsAsked, pages)
	}
	status = http.StatusNotFound
	mu.Unlock()

	// 404: no rules. A new fetcher has an empty cache.
	f = New(Config{Allow: only(ap)})
	if _, err := f.Fetch(crawl, srv.URL+"/members/page"); err != nil {
		t.Fatalf("crawl with robots.txt answering 404: %v", err)
	}
	mu.Lock()
	status = http.StatusServiceUnavailable
	mu.Unlock()
	f = New(Config{Allow: only(ap)})
	_, err = f.Fetch(crawl, srv.URL+"/news/1")
	if !errors.Is(err, ErrFetch) || errors.Is(err, ErrDisallowed) || !strings.Contains(err.Error(), "robots.txt could not be fetched") {
		t.Fatalf("crawl with robots.txt answering 503: err = %v, want an ErrFetch saying robots.txt could not be fetched", err)
	}
}

// A Crawl-delay in footnote's group paces the site's unattended fetches, even with no
// HostDelay configured; a member's fetch still goes at once.
func TestCrawlDelayPacesTheSite(t *testing.T) {
	srv, ap := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/robots.txt" {
			w.Write([]byte("User-agent: *\nCrawl-delay: 0.3\n"))
			return
		}
		w.Write([]byte("page"))
	}))
	f := New(Config{Allow: only(ap)})
	bg := Crawling(Unattended(context.Background()))
	begin := time.Now()
	for range 2 {
		if _, err := f.Fetch(bg, srv.URL+"/page"); err != nil {
			t.Fatal(err)
		}
	}
	// robots.txt, then two pages: the second begins a Crawl-delay after the first (the
	// delay is known once robots.txt is read).
	if took := time.Since(begin); took < 300*time.Millisecond {
		t.Errorf("two pages with Crawl-delay 0.3 took %v, want at least 300ms", took)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Fetch(Crawling(Unattended(cancelled)), srv.URL+"/page"); err == nil {
		t.Error("a crawl within the Crawl-delay did not wait its turn")
	}
	begin = time.Now()
	if _, err := f.Fetch(context.Background(), srv.URL+"/page"); err != nil || time.Since(begin) > 250*time.Millisecond {
		t.Errorf("a member's fetch waited %v (err %v) for the site's Crawl-delay", time.Since(begin), err)
	}
}
