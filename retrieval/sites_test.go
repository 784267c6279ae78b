package retrieval_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// Two processes' fetchers, sharing the database as footnote's processes do, read a site's
// robots.txt once between them and keep to one pace at the site: each background fetch
// begins at least the host delay after the one before it, whichever process made it.
func TestFetchersOfTwoProcessesShareRobotsTxtAndPace(t *testing.T) {
	store := retrievaltest.Store(t)
	var mu sync.Mutex
	var robots int
	var starts []time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			robots++
			fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
			return
		}
		starts = append(starts, time.Now())
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>A page.</p></body></html>")
	}))
	t.Cleanup(srv.Close)
	base, lookup := siteOf(srv)
	const delay = 150 * time.Millisecond
	newFetcher := func(sites fetch.Sites) *fetch.Fetcher {
		return fetch.New(fetch.Config{AllowPrivate: true, Timeout: 5 * time.Second, HostDelay: delay, LookupIPAddr: lookup, Sites: sites})
	}
	a, b2 := newFetcher(store), newFetcher(store)
	crawl := fetch.Unattended(fetch.Crawling(context.Background()))

	for i, f := range []*fetch.Fetcher{a, b2, a, b2} {
		if _, err := f.Fetch(crawl, fmt.Sprintf("%s/page/%d", base, i)); err != nil {
			t.Fatalf("crawl %d: %v", i, err)
		}
	}
	if _, err := b2.Fetch(crawl, base+"/private/x"); !errors.Is(err, fetch.ErrDisallowed) {
		t.Errorf("crawl of a closed page by the second process = %v; want ErrDisallowed", err)
	}
	mu.Lock()
	gotRobots, got := robots, slices.Clone(starts)
	mu.Unlock()
	if gotRobots != 1 {
		t.Errorf("robots.txt fetched %d times by the two processes; want once", gotRobots)
	}
	if len(got) != 4 {
		t.Fatalf("%d pages fetched, want 4", len(got))
	}
	for i := 1; i < len(got); i++ {
		// The database's clock and the test's agree within a few milliseconds here.
		if gap := got[i].Sub(got[i-1]); gap < delay-20*time.Millisecond {
			t.Errorf("fetch %d began %s after the one before, by the other process; want at least %s", i, gap, delay)
		}
	}

	t.Run("without a shared store each process keeps its own pace", func(t *testing.T) {
		mu.Lock()
		starts = nil
		mu.Unlock()
		c, d := newFetcher(nil), newFetcher(nil)
		for i, f := range []*fetch.Fetcher{c, d} {
			if _, err := f.Fetch(fetch.Unattended(context.Background()), fmt.Sprintf("%s/other/%d", base, i)); err != nil {
				t.Fatal(err)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(starts) != 2 || starts[1].Sub(starts[0]) >= delay {
			t.Errorf("fetches %v; want the second at once (the measure above would catch a shared pace)", starts)
		}
	})
}

// A robots.txt the site fails to serve (503) keeps every process off the site for
// robotsRetry, a minute: one process asks for it, and the others read that failure from
// the database, with the site's answer, instead of each asking again. Past the minute it
// is asked for again.
func TestARobotsTxtFailureIsSharedBetweenProcesses(t *testing.T) {
	store := retrievaltest.Store(t)
	var mu sync.Mutex
	var robots, pages int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/robots.txt" {
			robots++
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		pages++
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>A page.</p></body></html>")
	}))
	t.Cleanup(srv.Close)
	site, lookup := siteOf(srv)
	newFetcher := func() *fetch.Fetcher {
		return fetch.New(fetch.Config{AllowPrivate: true, Timeout: 5 * time.Second, LookupIPAddr: lookup, Sites: store})
	}
	crawl := fetch.Crawling(context.Background())
	counts := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return robots, pages
	}

	_, first := newFetcher().Fetch(crawl, site+"/a")
	_, second := newFetcher().Fetch(crawl, site+"/b")
	for i, err := range []error{first, second} {
		var se *fetch.StatusError
		if !errors.As(err, &se) || se.Code != http.StatusServiceUnavailable || !errors.Is(err, fetch.ErrFetch) {
			t.Errorf("process %d's crawl = %v; want the site's 503 for its robots.txt, as ErrFetch", i+1, err)
		}
	}
	if second != nil && !strings.Contains(second.Error(), "robots.txt could not be fetched, so nothing of it is crawled (RFC 9309): fetch "+site+"/robots.txt: server answered 503") {
		t.Errorf("the second process says %q; want the first's words on the robots.txt", second)
	}
	if r, p := counts(); r != 1 || p != 0 {
		t.Errorf("robots.txt asked for %d times, pages %d; want once and none", r, p)
	}

	// A minute later the failure is past: the next process asks the site again.
	c, err := pgx.Connect(context.Background(), retrievaltest.OwnerDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(context.Background(), `UPDATE site_robots SET read_at = now() - interval '61 seconds' WHERE site = $1`, site); err != nil {
		t.Fatal(err)
	}
	if _, err := newFetcher().Fetch(crawl, site+"/c"); err == nil {
		t.Error("a crawl with robots.txt still failing succeeded")
	}
	if r, _ := counts(); r != 2 {
		t.Errorf("robots.txt asked for %d times after the minute; want twice", r)
	}
}

// siteOf names srv by a host name of the test's own ("http://site-<random>.test:port"), so
// that no other test's turns or robots.txt at 127.0.0.1 count, and returns the lookup that
// resolves that name to srv.
func siteOf(srv *httptest.Server) (string, func(context.Context, string) ([]net.IPAddr, error)) {
	b := make([]byte, 6)
	rand.Read(b)
	host := "site-" + hex.EncodeToString(b) + ".test"
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	lookup := func(ctx context.Context, h string) ([]net.IPAddr, error) {
		if h != host {
			return nil, fmt.Errorf("unknown host %s", h)
		}
		return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
	}
	return (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String(), lookup
}
