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
	"sync"
	"testing"
	"time"

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
	// A host name of this test's own, so that no other test's turns at 127.0.0.1 count.
	b := make([]byte, 6)
	rand.Read(b)
	host := "site-" + hex.EncodeToString(b) + ".test"
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	base := (&url.URL{Scheme: "http", Host: net.JoinHostPort(host, port)}).String()
	lookup := func(ctx context.Context, h string) ([]net.IPAddr, error) {
		if h != host {
			return nil, fmt.Errorf("unknown host %s", h)
		}
		return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}, nil
	}
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
