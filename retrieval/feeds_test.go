package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// feedSite is an httptest site with a feed at /feed.xml listing /a/1../a/n, each a distinct
// article page; it counts the requests of each path.
type feedSite struct {
	*httptest.Server
	mu     sync.Mutex
	hits   map[string]int
	n      int
	broken bool
	failA  int    // an article page that answers 500; 0 for none
	robots string // the site's robots.txt; "" answers 404
}

func newFeedSite(t *testing.T, n int) *feedSite {
	s := &feedSite{hits: map[string]int{}, n: n}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *feedSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	n, broken, robots := s.n, s.broken, s.robots
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		serveRobots(w, r, robots)
		return
	}
	if broken {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	if r.URL.Path == "/feed.xml" {
		etag := fmt.Sprintf(`"n%d"`, n)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>Harbour News</title>`)
		for i := n; i >= 1; i-- {
			fmt.Fprintf(w, `<item><title>Story %d</title><link>/a/%d</link><guid>g%d</guid></item>`, i, i, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/a/%d", &i); err != nil {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	fail := s.failA == i
	s.mu.Unlock()
	if fail {
		http.Error(w, "oops", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, `<html><head><title>Story %d</title></head><body><article><h1>Story %d</h1>`, i, i)
	for p := range 3 {
		fmt.Fprintf(w, "<p>The harbour council met on day %d to discuss berth %d and the ferry timetable, part %d, with residents who asked about noise and parking near the quay.</p>", i, i*7, p)
	}
	fmt.Fprint(w, `</article></body></html>`)
}

func (s *feedSite) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func TestTrackPollsOnceAndThenAsksConditionally(t *testing.T) {
	site := newFeedSite(t, 3)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()

	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "")
	if err != nil {
		t.Fatalf("Track: %v", err)
	}
	if len(p.Items) != 3 || p.Items[0].Status != retrieval.StatusAdded || p.Items[0].Title != "Story 3" {
		t.Fatalf("Track items = %+v, want 3 added, Story 3 first", p.Items)
	}
	feeds, err := e.Feeds(ctx, coll)
	if err != nil || len(feeds) != 1 || feeds[0].Articles != 3 || feeds[0].Every != retrieval.DefaultFeedEvery ||
		feeds[0].Title != "Harbour News" || feeds[0].LastSuccess.IsZero() || !feeds[0].NextPoll.After(time.Now()) {
		t.Fatalf("Feeds = %+v, %v; want one feed, 3 articles, 30m, polled, next poll ahead", feeds, err)
	}

	t.Run("a second poll gets a 304 and fetches no article again", func(t *testing.T) {
		polls, err := e.PollDue(ctx, coll, true)
		if err != nil || len(polls) != 1 || !polls[0].NotModified || len(polls[0].Items) != 0 {
			t.Fatalf("PollDue = %+v, %v; want one 304 poll", polls, err)
		}
		if site.count("/a/1") != 1 || site.count("/feed.xml") != 2 {
			t.Errorf("requests: /a/1 %d, feed %d; want 1 and 2", site.count("/a/1"), site.count("/feed.xml"))
		}
	})
	t.Run("a poll when nothing is due polls nothing", func(t *testing.T) {
		polls, err := e.PollDue(ctx, coll, false)
		if err != nil || len(polls) != 0 {
			t.Errorf("PollDue(not all) = %+v, %v; want nothing due", polls, err)
		}
	})
	t.Run("a new item is added, the old ones are not fetched again", func(t *testing.T) {
		site.mu.Lock()
		site.n = 4
		site.mu.Unlock()
		polls, err := e.PollDue(ctx, coll, true)
		if err != nil || len(polls) != 1 || len(polls[0].Items) != 1 || !strings.HasSuffix(polls[0].Items[0].URL, "/a/4") {
			t.Fatalf("PollDue = %+v, %v; want /a/4 alone", polls, err)
		}
		if site.count("/a/1") != 1 {
			t.Errorf("/a/1 fetched %d times, want once", site.count("/a/1"))
		}
	})
	t.Run("untrack keeps the articles", func(t *testing.T) {
		if err := e.Untrack(ctx, coll, site.URL+"/feed.xml"); err != nil {
			t.Fatalf("Untrack: %v", err)
		}
		if err := e.Untrack(ctx, coll, site.URL+"/feed.xml"); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("Untrack again: %v, want ErrNotFound", err)
		}
		if r, err := e.AddURL(ctx, coll, site.URL+"/a/2", "bob"); err != nil || r == nil || r.Status != retrieval.StatusUnchanged {
			t.Errorf("AddURL of an article of the untracked feed = %+v, %v; want it unchanged (still there)", r, err)
		}
	})
}

func TestTrackRefusesAShortIntervalAndABrokenFeed(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	if _, err := e.Track(ctx, coll, site.URL+"/feed.xml", time.Minute, "a", ""); !errors.Is(err, retrieval.ErrInvalidInput) {
		t.Errorf("Track every 1m: %v, want ErrInvalidInput", err)
	}
	if _, err := e.Track(ctx, coll, site.URL+"/nothing", 0, "a", ""); !errors.Is(err, retrieval.ErrFetch) {
		t.Errorf("Track of a 404: %v, want ErrFetch", err)
	}
	if feeds, _ := e.Feeds(ctx, coll); len(feeds) != 0 {
		t.Errorf("refused feeds were stored: %+v", feeds)
	}
}

func TestAFeedThatKeepsFailingIsPaused(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	if _, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", ""); err != nil {
		t.Fatal(err)
	}
	site.mu.Lock()
	site.broken = true
	site.mu.Unlock()
	for i := 1; i <= retrieval.MaxFeedFailures; i++ {
		polls, err := e.PollDue(ctx, coll, true)
		if err != nil || len(polls) != 1 || polls[0].Err == nil || polls[0].Paused != (i == retrieval.MaxFeedFailures) {
			t.Fatalf("poll %d = %+v, %v; want a failure, paused only at %d", i, polls, err, retrieval.MaxFeedFailures)
		}
	}
	feeds, _ := e.Feeds(ctx, coll)
	if len(feeds) != 1 || !feeds[0].Paused || feeds[0].Failures != retrieval.MaxFeedFailures || !strings.Contains(feeds[0].LastError, "503") {
		t.Fatalf("Feeds = %+v, want paused after %d failures with the 503", feeds, retrieval.MaxFeedFailures)
	}
	if polls, _ := e.PollDue(ctx, coll, true); len(polls) != 0 {
		t.Errorf("a paused feed was polled: %+v", polls)
	}
	site.mu.Lock()
	site.broken = false
	site.mu.Unlock()
	if _, err := e.Track(ctx, coll, site.URL+"/feed.xml", 10*time.Minute, "alice", ""); err != nil {
		t.Fatal(err)
	}
	if feeds, _ := e.Feeds(ctx, coll); feeds[0].Paused || feeds[0].Failures != 0 || feeds[0].Every != 10*time.Minute {
		t.Errorf("tracking again = %+v, want resumed, every 10m", feeds[0])
	}
}

func TestTrackKeepsTheAnnouncementChannel(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "300000000000000009")
	if err != nil || p.Feed.Channel != "300000000000000009" {
		t.Fatalf("Track = %+v, %v; want the channel on the feed", p, err)
	}
	// Tracking again without a channel keeps it; with one, replaces it.
	if p, err = e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", ""); err != nil || p.Feed.Channel != "300000000000000009" {
		t.Fatalf("Track again = %+v, %v; want the channel kept", p, err)
	}
	if _, err = e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "300000000000000008"); err != nil {
		t.Fatal(err)
	}
	if feeds, _ := e.Feeds(ctx, coll); len(feeds) != 1 || feeds[0].Channel != "300000000000000008" {
		t.Errorf("Feeds = %+v; want the new channel", feeds)
	}
}

func TestTrackFetchesTheURLAsGiven(t *testing.T) {
	// /blog/ advertises "feed/", which resolves to /blog/feed/ only against /blog/; the
	// feed answers only with its trailing slash, as some servers do.
	site := newFeedSite(t, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/blog/", func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/blog/":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><link rel="alternate" type="application/rss+xml" href="feed/"></head><body></body></html>`)
		case "/blog/feed/":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>Blog</title><item><title>Story 1</title><link>%s/a/1</link></item></channel></rss>`, site.URL)
		default:
			http.NotFound(w, r)
		}
	})
	blog := httptest.NewServer(mux)
	t.Cleanup(blog.Close)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()

	p, err := e.Track(ctx, coll, blog.URL+"/blog/", 0, "alice", "")
	if err != nil || len(p.Items) != 1 {
		t.Fatalf("Track(/blog/) = %+v, %v; want the feed it advertises, one item", p, err)
	}
	polls, err := e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 || polls[0].Err != nil {
		t.Fatalf("PollDue = %+v, %v; want the feed polled at /blog/feed/", polls, err)
	}
}

func TestAHugeTTLDoesNotPutTheNextPollYearsAway(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("Cache-Control", "max-age=9999999999")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>T</title><ttl>99999999</ttl></channel></rss>`)
	}))
	t.Cleanup(srv.Close)
	e, coll := retrievaltest.Engine(t)
	p, err := e.Track(context.Background(), coll, srv.URL+"/feed.xml", 0, "alice", "")
	if err != nil || p.Feed.NextPoll.IsZero() {
		t.Fatalf("Track = %+v, %v", p, err)
	}
	feeds, err := e.Feeds(context.Background(), coll)
	if err != nil || len(feeds) != 1 || feeds[0].NextPoll.After(time.Now().Add(27*time.Hour)) {
		t.Errorf("Feeds = %+v, %v; want the next poll within a day and its jitter", feeds, err)
	}
}

func TestFeedSchedulingKeepsToTheIntervalBounds(t *testing.T) {
	t.Run("jitter never goes below the minimum interval", func(t *testing.T) {
		for range 1000 {
			if d := retrieval.Jitter(retrieval.MinFeedEvery); d < retrieval.MinFeedEvery {
				t.Fatalf("Jitter(%s) = %s", retrieval.MinFeedEvery, d)
			}
		}
	})
	t.Run("backoff never waits less than the interval", func(t *testing.T) {
		every := 48 * time.Hour
		if d := retrieval.FailureWait(every, 3); d < every {
			t.Errorf("FailureWait(48h, 3) = %s, want at least 48h", d)
		}
		if d := retrieval.FailureWait(10*time.Minute, 0); d != 20*time.Minute {
			t.Errorf("FailureWait(10m, 0) = %s, want 20m", d)
		}
		if d := retrieval.FailureWait(time.Hour, 10); d != 24*time.Hour {
			t.Errorf("FailureWait(1h, 10) = %s, want the 24h cap", d)
		}
	})
}

func TestAFailedItemIsRetriedAtTheNextPoll(t *testing.T) {
	site := newFeedSite(t, 2)
	site.failA = 2
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	if _, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", ""); err != nil {
		t.Fatal(err)
	}
	site.mu.Lock()
	site.failA = 0
	site.mu.Unlock()
	polls, err := e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 || polls[0].NotModified || len(polls[0].Items) != 1 || polls[0].Items[0].Status != retrieval.StatusAdded {
		t.Fatalf("PollDue = %+v, %v; want the feed again and /a/2 added", polls, err)
	}
}

// A feed's items are a crawl: an item whose page the site's robots.txt closes to crawlers
// is skipped, not fetched, and not failed (the next poll is answered 304, not refetched
// to try it again); the other items are added; a member's own /add of that page still
// fetches it. The feed document itself is fetched whatever robots.txt says of it.
func TestAFeedItemTheSiteClosesToCrawlersIsSkipped(t *testing.T) {
	site := newFeedSite(t, 3)
	site.robots = "User-agent: *\nDisallow: /a/2\nDisallow: /feed.xml\n"
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	statuses := map[string]string{}
	for _, it := range p.Items {
		statuses[strings.TrimPrefix(it.URL, site.URL)] = it.Status
		if it.Status == retrieval.StatusSkipped && !strings.Contains(it.Error, "robots.txt") {
			t.Errorf("skipped item's error = %q, want it to name robots.txt", it.Error)
		}
	}
	if statuses["/a/1"] != retrieval.StatusAdded || statuses["/a/3"] != retrieval.StatusAdded || statuses["/a/2"] != retrieval.StatusSkipped {
		t.Fatalf("first poll's items = %v; want /a/1 and /a/3 added, /a/2 skipped", statuses)
	}
	if n := site.count("/a/2"); n != 0 {
		t.Errorf("the closed page was fetched %d times", n)
	}
	polls, err := e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 || !polls[0].NotModified || len(polls[0].Items) != 0 {
		t.Fatalf("next poll = %+v, %v; want the feed answered 304 (a skipped item is not retried)", polls, err)
	}
	added, err := e.AddURL(ctx, coll, site.URL+"/a/2", "bob")
	if err != nil || added.Status != retrieval.StatusAdded || site.count("/a/2") != 1 {
		t.Fatalf("a member's /add of the closed page = %+v, %v (fetched %d times); want it added", added, err, site.count("/a/2"))
	}
}

func TestTrackingAgainWithoutAnIntervalKeepsTheFeedsInterval(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	if p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 2*time.Hour, "alice", ""); err != nil || p.Feed.Every != 2*time.Hour {
		t.Fatalf("Track every 2h = %+v, %v", p, err)
	}
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "")
	if err != nil || p.Feed.Every != 2*time.Hour {
		t.Fatalf("Track again without an interval = %+v, %v; want every 2h kept", p, err)
	}
	if feeds, _ := e.Feeds(ctx, coll); len(feeds) != 1 || feeds[0].Every != 2*time.Hour {
		t.Errorf("Feeds = %+v; want every 2h", feeds)
	}
	other := newFeedSite(t, 1)
	if p, err := e.Track(ctx, coll, other.URL+"/feed.xml", 0, "alice", ""); err != nil || p.Feed.Every != retrieval.DefaultFeedEvery {
		t.Errorf("Track a new feed without an interval = %+v, %v; want %s", p, err, retrieval.DefaultFeedEvery)
	}
}

func TestAPollLeavesTheItemsItHasNoTimeForToTheNextPoll(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<rss version="2.0"><channel><title>Harbour News</title>
				<item><title>Fast</title><link>/fast</link></item>
				<item><title>Slow</title><link>/slow</link></item></channel></rss>`)
		case "/slow":
			<-release // until the test ends: only the poll's deadline gets past it
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, `<html><head><title>Fast</title></head><body><article><h1>Fast</h1>`)
			for p := range 3 {
				fmt.Fprintf(w, "<p>The harbour council met to discuss the ferry timetable, part %d, with residents who asked about noise and parking near the quay.</p>", p)
			}
			fmt.Fprint(w, `</article></body></html>`)
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close, which waits for /slow
	e, coll := retrievaltest.Engine(t)
	retrieval.SetFeedItemsDeadline(e, time.Second)
	ctx := context.Background()

	p, err := e.Track(ctx, coll, srv.URL+"/feed.xml", 0, "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	if !p.Unfinished || len(p.Items) != 1 || !strings.HasSuffix(p.Items[0].URL, "/fast") || p.Items[0].Status != retrieval.StatusAdded {
		t.Fatalf("Track = %+v; want /fast added and /slow left for the next poll, not failed", p)
	}
	polls, err := e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 {
		t.Fatalf("PollDue = %+v, %v", polls, err)
	}
	if polls[0].NotModified || !polls[0].Unfinished {
		t.Errorf("next poll = %+v; want the feed again (validators not saved) and /slow still left", polls[0])
	}
}
