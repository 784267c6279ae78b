package retrieval_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// heldFeed is an httptest site with a feed at /feed.xml (ETag "v<n>" for n items) listing
// /a/1../a/n. The first request for the page /a/<hold> waits until release is closed,
// after sending on started; every other request is answered at once. It records the
// If-None-Match of each feed request.
type heldFeed struct {
	*httptest.Server
	started chan struct{}
	release chan struct{}

	mu        sync.Mutex
	n, hold   int
	held      bool
	validator []string    // If-None-Match of each feed request, in order
	onPage    func(i int) // called before a page is answered
	onFeed    func()      // called before the feed is answered
	feedFails bool        // the feed answers 502
}

func newHeldFeed(t *testing.T, n, hold int) *heldFeed {
	t.Helper()
	f := &heldFeed{started: make(chan struct{}, 1), release: make(chan struct{}), n: n, hold: hold}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	t.Cleanup(f.let) // before Close, which waits for a held request
	return f
}

// let releases the held page, once.
func (f *heldFeed) let() {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.release:
	default:
		close(f.release)
	}
}

func (f *heldFeed) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	n := f.n
	onFeed := f.onFeed
	if r.URL.Path == "/feed.xml" {
		f.validator = append(f.validator, r.Header.Get("If-None-Match"))
	}
	f.mu.Unlock()
	if r.URL.Path == "/feed.xml" {
		if onFeed != nil {
			onFeed()
		}
		f.mu.Lock()
		fails := f.feedFails
		f.mu.Unlock()
		if fails {
			http.Error(w, "upstream down", http.StatusBadGateway)
			return
		}
		etag := fmt.Sprintf(`"v%d"`, n)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<rss version="2.0"><channel><title>Quay Notes</title>`)
		for i := n; i >= 1; i-- {
			fmt.Fprintf(w, `<item><title>Note %d</title><link>/a/%d</link></item>`, i, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	var i int
	if _, err := fmt.Sscanf(r.URL.Path, "/a/%d", &i); err != nil {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	hold := i == f.hold && !f.held
	if hold {
		f.held = true
	}
	onPage := f.onPage
	f.mu.Unlock()
	if hold {
		f.started <- struct{}{}
		<-f.release
	}
	if onPage != nil {
		onPage(i)
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, `<html><head><title>Note %d</title></head><body><article><h1>Note %d</h1>`, i, i)
	for p := range 3 {
		fmt.Fprintf(w, "<p>Note %d: the quay's night lighting was discussed, part %d, with the traders who asked about deliveries and the ferry queue.</p>", i, p)
	}
	fmt.Fprint(w, `</article></body></html>`)
}

// validators returns the If-None-Match of each feed request so far.
func (f *heldFeed) validators() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.validator...)
}

func TestAFeedIsNotDueWhileTrackPollsIt(t *testing.T) {
	tests := []struct {
		name string
		// before arranges the feed before the Track that is held, and returns how many
		// items the held Track's feed lists.
		before func(t *testing.T, e *retrieval.Engine, coll string, f *heldFeed) int
	}{
		{"a new feed", func(*testing.T, *retrieval.Engine, string, *heldFeed) int { return 1 }},
		{"a feed tracked again after it came due", func(t *testing.T, e *retrieval.Engine, coll string, f *heldFeed) int {
			f.mu.Lock()
			f.hold = 2 // the first Track gets /a/1 at once; the second is held at /a/2
			f.mu.Unlock()
			if _, err := e.Track(context.Background(), coll, f.URL+"/feed.xml", 0, "alice", ""); err != nil {
				t.Fatal(err)
			}
			c := retrievaltest.Conn(t)
			if _, err := c.Exec(context.Background(), `UPDATE feeds SET next_poll = now() - interval '1 minute' WHERE collection = $1`, coll); err != nil {
				t.Fatal(err)
			}
			return 2
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is not claimed by a poll of due feeds while Track polls it", func(t *testing.T) {
			f := newHeldFeed(t, 1, 1)
			e, coll := retrievaltest.Engine(t)
			ctx := context.Background()
			n := tt.before(t, e, coll, f)
			f.mu.Lock()
			f.n = n
			f.mu.Unlock()

			done := make(chan error, 1)
			go func() {
				_, err := e.Track(ctx, coll, f.URL+"/feed.xml", 0, "alice", "")
				done <- err
			}()
			select {
			case <-f.started: // Track stored the feed and is fetching its new item
			case err := <-done:
				t.Fatalf("Track returned (%v) before fetching its item", err)
			}
			polls, err := e.PollDue(ctx, coll, false)
			f.let()
			if err != nil || len(polls) != 0 {
				t.Errorf("PollDue while Track polls = %d polls, %v; want none: the feed is not due", len(polls), err)
			}
			if err := <-done; err != nil {
				t.Fatalf("Track: %v", err)
			}
			feeds, err := e.Feeds(ctx, coll)
			if err != nil || len(feeds) != 1 || time.Until(feeds[0].NextPoll) < retrieval.MinFeedEvery-time.Minute {
				t.Errorf("Feeds = %+v, %v; want the next poll about an interval away", feeds, err)
			}
		})
	}
}

// TestAnItemThatCouldNotBeLookedUpIsRetriedAtTheNextPoll loses the database connection
// just as a poll looks up its new item: the item is a failed one, and the feed's
// validators stay as they were, so the next poll gets the feed again (not a 304 that would
// hide the item for good) and adds it.
func TestAnItemThatCouldNotBeLookedUpIsRetriedAtTheNextPoll(t *testing.T) {
	proxy, dsn := retrievaltest.NewProxy(t)
	e, coll := retrievaltest.EngineOn(t, retrievaltest.StoreAt(t, dsn))
	f := newHeldFeed(t, 0, 0)
	ctx := context.Background()
	if _, err := e.Track(ctx, coll, f.URL+"/feed.xml", 0, "alice", ""); err != nil {
		t.Fatal(err)
	}

	// The next feed request lists /a/1 and ends the pool's connections, as a database
	// restart does; new connections get through.
	var once sync.Once
	f.mu.Lock()
	f.n = 1
	f.onFeed = func() { once.Do(func() { proxy.Cut(); proxy.Restore() }) }
	f.mu.Unlock()
	polls, err := e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 {
		t.Fatalf("PollDue = %+v, %v; want one poll", polls, err)
	}
	if p := polls[0]; p.Err != nil || len(p.Items) != 1 || p.Items[0].Status != retrieval.StatusFailed {
		t.Fatalf("poll = %+v; want /a/1 failed (its lookup met the lost connection), the poll recorded", p)
	}

	polls, err = e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 || len(polls[0].Items) != 1 || polls[0].Items[0].Status != retrieval.StatusAdded {
		t.Fatalf("next PollDue = %+v, %v; want /a/1 added", polls, err)
	}
	if got := f.validators(); len(got) != 3 || got[2] != `"v0"` {
		t.Errorf("feed requests sent If-None-Match %q; want the last one to send the validator from before the failed item (\"v0\")", got)
	}
}

func TestAPollOfAFeedUntrackedMidwayEndsQuietly(t *testing.T) {
	tests := []struct {
		name string
		// arrange makes the next poll untrack the feed at url midway.
		arrange func(e *retrieval.Engine, coll, url string, f *heldFeed)
		items   int // the items the poll reports
	}{
		{"untracked while its first new item is fetched: that article stays, the other is not fetched",
			func(e *retrieval.Engine, coll, url string, f *heldFeed) {
				var once sync.Once
				f.onPage = func(int) { once.Do(func() { _ = e.Untrack(context.Background(), coll, url) }) }
			}, 1},
		{"untracked while the feed is fetched, and the fetch fails: nothing to record",
			func(e *retrieval.Engine, coll, url string, f *heldFeed) {
				f.feedFails = true
				f.onFeed = func() { _ = e.Untrack(context.Background(), coll, url) }
			}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newHeldFeed(t, 0, 0)
			e, coll := retrievaltest.Engine(t)
			ctx := context.Background()
			tracked, err := e.Track(ctx, coll, f.URL+"/feed.xml", 0, "alice", "")
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			f.n = 2
			tt.arrange(e, coll, tracked.Feed.URL, f)
			f.mu.Unlock()

			p, err := e.PollFeedByID(ctx, tracked.Feed.ID)
			if err != nil || p == nil {
				t.Fatalf("PollFeedByID = %+v, %v", p, err)
			}
			if !p.Untracked || p.RecordErr != nil || len(p.Items) != tt.items {
				t.Fatalf("poll = %+v; want it marked untracked, nothing to retry, %d items", p, tt.items)
			}
			for _, it := range p.Items {
				if it.Status != retrieval.StatusAdded {
					t.Errorf("item %s is %s, want added", it.URL, it.Status)
				}
				if r, err := e.AddURL(ctx, coll, it.URL, "bob"); err != nil || r.Status != retrieval.StatusUnchanged {
					t.Errorf("AddURL(%s) = %+v, %v; want the article kept (unchanged)", it.URL, r, err)
				}
			}
			if feeds, err := e.Feeds(ctx, coll); err != nil || len(feeds) != 0 {
				t.Errorf("Feeds = %+v, %v; want none (the poll must not bring the feed back)", feeds, err)
			}
		})
	}
}

func TestPollAllLeavesOutAFeedWhoseBackgroundPollRuns(t *testing.T) {
	dsn := retrievaltest.FreshDatabase(t)
	e, coll := retrievaltest.EngineAt(t, dsn)
	ctx := context.Background()
	busy, idle := newHeldFeed(t, 0, 0), newHeldFeed(t, 0, 0)
	p, err := e.Track(ctx, coll, busy.URL+"/feed.xml", 0, "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Track(ctx, coll, idle.URL+"/feed.xml", 0, "alice", ""); err != nil {
		t.Fatal(err)
	}
	// The busy feed's poll job is running (in a worker elsewhere), as River records it.
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `INSERT INTO river_job (kind, args, state, attempt, attempted_at, max_attempts, queue, priority)
		VALUES ($1, jsonb_build_object('feed_id', $2::bigint), 'running', 1, now(), 3, 'feeds', 1)`,
		retrieval.FeedPollJobKind, p.Feed.ID); err != nil {
		t.Fatal(err)
	}

	polls, err := e.PollDue(ctx, coll, true)
	if err != nil || len(polls) != 1 || polls[0].Feed.URL == p.Feed.URL {
		t.Fatalf("PollDue(all) = %+v, %v; want the idle feed alone", polls, err)
	}
	if n := len(busy.validators()); n != 1 {
		t.Errorf("the busy feed was fetched %d times, want once (by Track)", n)
	}
}
