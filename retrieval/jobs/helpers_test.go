package jobs

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
	"github.com/jackc/pgx/v5"
)

// newDB returns a database of the test's own, migrated, with an engine on it and a
// collection: background jobs span every collection of a database, so they must not see
// other tests' feeds.
func newDB(t *testing.T) (dsn string, e *retrieval.Engine, coll string) {
	t.Helper()
	dsn = retrievaltest.FreshDatabase(t)
	e, coll = retrievaltest.EngineAt(t, dsn)
	return dsn, e, coll
}

// start opens a client on dsn, starts it, and stops and closes it when the test ends.
func start(t *testing.T, dsn string, cfg Config) *Client {
	t.Helper()
	ctx := context.Background()
	c, err := Open(ctx, dsn, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := c.Start(ctx); err != nil {
		c.Close()
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(context.Background(), 5*time.Second); err != nil {
			t.Errorf("Stop: %v", err)
		}
		c.Close()
	})
	return c
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitForUpTo(t, 30*time.Second, what, cond)
}

// waitForUpTo is waitFor with a time limit of its own, for waits that chain several of the
// jobs' timers.
func waitForUpTo(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitJob waits up to 30 s for job id to reach one of phases and returns it.
func waitJob(t *testing.T, e *retrieval.Engine, id int64, phases ...string) retrieval.Job {
	t.Helper()
	return waitJobUpTo(t, 30*time.Second, e, id, phases...)
}

// waitJobUpTo is waitJob with a time limit of its own.
func waitJobUpTo(t *testing.T, limit time.Duration, e *retrieval.Engine, id int64, phases ...string) retrieval.Job {
	t.Helper()
	var j retrieval.Job
	waitForUpTo(t, limit, fmt.Sprintf("job %d to be %v", id, phases), func() bool {
		var err error
		j, err = e.Job(context.Background(), id)
		if err != nil {
			t.Fatalf("Job(%d): %v", id, err)
		}
		for _, p := range phases {
			if j.Phase == p {
				return true
			}
		}
		return false
	})
	return j
}

// idle waits until no job of kinds is queued, running or retrying.
func idle(t *testing.T, e *retrieval.Engine, kinds ...string) {
	t.Helper()
	waitFor(t, "the jobs to finish", func() bool {
		counts, err := e.JobCounts(context.Background())
		if err != nil {
			t.Fatalf("JobCounts: %v", err)
		}
		for _, c := range counts {
			for _, k := range kinds {
				if c.Kind == k && c.Queued+c.Running+c.Retrying > 0 {
					return false
				}
			}
		}
		return true
	})
}

// feeds is an httptest site serving feeds at /N/feed.xml, each listing the articles
// /N/a/1../N/a/items[N], and counting the requests of each path.
type feeds struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	items map[string]int
}

func newFeeds(t *testing.T) *feeds {
	s := &feeds{hits: map[string]int{}, items: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *feeds) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.URL.Path]++
	s.mu.Unlock()
	feed, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if rest == "feed.xml" {
		s.mu.Lock()
		n := s.items[feed]
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>Feed %s</title>`, feed)
		for i := n; i >= 1; i-- {
			fmt.Fprintf(w, `<item><title>Story %s-%d</title><link>/%s/a/%d</link><guid>%s-%d</guid></item>`, feed, i, feed, i, feed, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, `<html><head><title>Story %s</title></head><body><article><h1>Story %s</h1>`, r.URL.Path, r.URL.Path)
	for p := range 3 {
		fmt.Fprintf(w, "<p>The harbour council met about %s, part %d, with residents who asked about noise and parking near the quay and the ferry timetable.</p>", r.URL.Path, p)
	}
	fmt.Fprint(w, `</article></body></html>`)
}

// url is feed name's address.
func (s *feeds) url(name string) string { return s.URL + "/" + name + "/feed.xml" }

// count is how many times feed name was fetched.
func (s *feeds) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits["/"+name+"/feed.xml"]
}

// setItems makes feed name list n articles.
func (s *feeds) setItems(name string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[name] = n
}

// makeDue sets the next poll of the feeds at urls (canonical, as Feeds lists them) in the
// past, as time passing would.
func makeDue(t *testing.T, dsn string, urls ...string) {
	t.Helper()
	exec(t, dsn, `UPDATE feeds SET next_poll = now() - interval '1 minute' WHERE url = ANY($1)`, urls)
}

// exec runs one statement on the database at dsn (tests arrange rows directly).
func exec(t *testing.T, dsn, sql string, args ...any) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// track follows feed name of site in coll, with an announcement channel, and returns the
// feed as the engine keeps it.
func track(t *testing.T, e *retrieval.Engine, coll string, site *feeds, name, channel string) retrieval.Feed {
	t.Helper()
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.url(name), 0, "alice", channel)
	if err != nil {
		t.Fatalf("track %s: %v", name, err)
	}
	// /track announces what its first poll added, as the bot does.
	if _, _, err := e.AnnounceFeed(ctx, coll, p.Feed.ID, func(_ context.Context, p retrieval.FeedPoll) (int, bool, error) {
		return len(p.Items), false, nil
	}); err != nil {
		t.Fatalf("announce %s: %v", name, err)
	}
	return p.Feed
}
