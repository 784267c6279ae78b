package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/jobs"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// freshCLI is footnote run against a database of the test's own: the background jobs span
// every collection of their database, so they must not meet other tests' feeds and jobs.
// It works as the runtime role and migrates as the owner; dsn is the owner's, which sees
// every collection's rows (to arrange and check them).
func freshCLI(t *testing.T) (c cli, dsn string) {
	t.Helper()
	dsn = retrievaltest.FreshDatabase(t)
	return cli{env: map[string]string{"DATABASE_URL": retrievaltest.RuntimeDSN(dsn), "DATABASE_OWNER_URL": dsn,
		"FOOTNOTE_ALLOW_PRIVATE": "true"}}, dsn
}

// sql runs one statement on the database at dsn (tests arrange rows directly).
func sql(t *testing.T, dsn, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// lockedBuffer is a buffer a running command writes to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// background runs footnote with args until the returned stop is called; stop cancels its
// context (as SIGTERM does) and returns run's error, failing the test if it takes more
// than the shutdown deadline.
func (c cli) background(t *testing.T, args ...string) (stop func() error, stderr *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr = &lockedBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, strings.NewReader(""), &lockedBuffer{}, stderr, c.getenv) }()
	stopped := false
	stop = func() error {
		t.Helper()
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(stopDeadline + 5*time.Second):
			t.Fatalf("footnote %s did not stop; stderr:\n%s", strings.Join(args, " "), stderr)
			return nil
		}
	}
	t.Cleanup(func() { _ = stop() })
	return stop, stderr
}

// countingFeed serves an empty RSS feed and counts its fetches.
func countingFeed(t *testing.T) (url string, fetches *atomic.Int32) {
	t.Helper()
	fetches = &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		_, _ = w.Write([]byte(`<rss version="2.0"><channel><title>Quiet Feed</title></channel></rss>`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/feed.xml", fetches
}

// waitUntil polls cond until it holds, failing the test after 30 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitFor(t, 30*time.Second, what, cond)
}

func TestWorkerAndServePollFeedsInTheBackgroundAndStopCleanly(t *testing.T) {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"footnote worker", []string{"worker"}, nil},
		{"footnote serve", []string{"serve", "--http", "127.0.0.1:0"}, map[string]string{"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub)}},
	} {
		t.Run(tc.name+" polls a due feed, then stops on a signal", func(t *testing.T) {
			c, dsn := freshCLI(t)
			for k, v := range tc.env {
				c.env[k] = v
			}
			url, fetches := countingFeed(t)
			c.must(t, "", "track", url)
			sql(t, dsn, `UPDATE feeds SET next_poll = now() - interval '1 minute'`)
			stop, stderr := c.background(t, tc.args...)
			waitUntil(t, "the background poll", func() bool { return fetches.Load() == 2 })
			begin := time.Now()
			if err := stop(); err != nil {
				t.Fatalf("%s returned %v on a signal; stderr:\n%s", tc.name, err, stderr)
			}
			if took := time.Since(begin); took > 5*time.Second {
				t.Errorf("stopping took %v with nothing running", took)
			}
			if !strings.Contains(stderr.String(), "jobs started") || !strings.Contains(stderr.String(), "stopped") {
				t.Errorf("stderr lacks the start and the stop:\n%s", stderr)
			}
			out, _ := c.must(t, "", "jobs", "--json")
			for _, l := range jsonLines(t, out) {
				if l["kind"] == jobs.KindPollFeed && l["done"] != float64(1) {
					t.Errorf("poll_feed %v, want one done", l)
				}
			}
		})
	}
}

func TestServeWorksTheJobsUnlessToldNotTo(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		noWorker bool
		want     jobs.Work
	}{
		{"by default serve works every queue", nil, false, jobs.WorkAll},
		{"--no-worker leaves the jobs to footnote worker", nil, true, jobs.WorkNothing},
		{"FOOTNOTE_SERVE_WORKER=false does the same", map[string]string{"FOOTNOTE_SERVE_WORKER": "false"}, false, jobs.WorkNothing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := configFromEnv(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if got := (&Main{Config: cfg}).serveWork(tc.noWorker); got != tc.want {
				t.Errorf("serveWork = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJobsListsEveryKindWithItsFailures(t *testing.T) {
	c, dsn := freshCLI(t)
	c.must(t, "", "migrate")
	e, _ := retrievaltest.EngineAt(t, dsn)
	ctx := context.Background()
	q, err := jobs.Open(ctx, dsn, jobs.Config{Engine: e}) // inserts only
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for _, args := range []jobs.PollFeedArgs{{FeedID: 1}, {FeedID: 2}, {FeedID: 3}} {
		if _, _, err := q.Insert(ctx, args); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := q.EnqueueReindex(ctx, jobs.ReindexArgs{Collection: "default"}); err != nil {
		t.Fatal(err)
	}
	// As River leaves them: one poll running, one given up after its last attempt.
	sql(t, dsn, `UPDATE river_job SET state = 'running', attempt = 1, attempted_at = now() WHERE args @> '{"feed_id": 2}'`)
	sql(t, dsn, `UPDATE river_job SET state = 'discarded', attempt = 3, finalized_at = now(),
		errors = ARRAY['{"at": "2026-03-02T10:00:00Z", "attempt": 3, "error": "record poll of feed 3:\nconnection reset"}'::jsonb]
		WHERE args @> '{"feed_id": 3}'`)

	t.Run("the table has a row per kind and the failure's error", func(t *testing.T) {
		out, _ := c.must(t, "", "jobs")
		want := regexp.MustCompile(`^kind +queued +running +retrying +failed +done
announce_feed +0 +0 +0 +0 +0
poll_due +0 +0 +0 +0 +0
poll_feed +1 +1 +0 +1 +0
  last failure \(\S+Z\): record poll of feed 3: connection reset
recrawl_due +0 +0 +0 +0 +0
reindex +1 +0 +0 +0 +0
sweep_departures +0 +0 +0 +0 +0
\(done: the last 24h; failed: the last 7 days, as River keeps them\)
$`)
		if !want.MatchString(out) {
			t.Errorf("stdout =\n%s", out)
		}
	})
	t.Run("--json prints a line per kind", func(t *testing.T) {
		out, _ := c.must(t, "", "jobs", "--json")
		lines := jsonLines(t, out)
		if len(lines) != len(jobs.Kinds()) {
			t.Fatalf("%d lines, want %d:\n%s", len(lines), len(jobs.Kinds()), out)
		}
		for _, l := range lines {
			checkKeys(t, "jobs line", l, []string{"kind", "queued", "running", "retrying", "failed", "done", "last_error", "last_error_at", "retry_error"})
			if l["kind"] == jobs.KindPollFeed && (l["queued"] != float64(1) || l["failed"] != float64(1) ||
				l["last_error"] != "record poll of feed 3:\nconnection reset" || l["last_error_at"] == "") {
				t.Errorf("poll_feed line %v", l)
			}
		}
	})
}

func TestReindexRunsAsAJobAndIsFollowed(t *testing.T) {
	c, dsn := freshCLI(t)
	c.must(t, "", "import", writeFile(t, t.TempDir(), "articles.jsonl", corpus))
	line := regexp.MustCompile(`^reindexed default into \S+: 5 articles, 5 passages, 0 embedded, 0 re-tokenised, 0 old vectors deleted, in \S+\n$`)

	t.Run("with no worker running, the command works its own job", func(t *testing.T) {
		out, stderr := c.must(t, "", "reindex")
		if !line.MatchString(out) || !regexp.MustCompile(`reindex of default queued \(job \d+\)`).MatchString(stderr) {
			t.Errorf("stdout %q, stderr %q", out, stderr)
		}
	})
	t.Run("a reindex already queued is followed, not queued twice", func(t *testing.T) {
		e, _ := retrievaltest.EngineAt(t, dsn)
		q, err := jobs.Open(context.Background(), dsn, jobs.Config{Engine: e})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		j, err := q.EnqueueReindex(context.Background(), jobs.ReindexArgs{Collection: "default", RequestedBy: "someone"})
		if err != nil {
			t.Fatal(err)
		}
		out, stderr := c.must(t, "", "reindex")
		if !line.MatchString(out) || !strings.Contains(stderr, "a reindex of default is already queued (job "+strconv.FormatInt(j.ID, 10)+"); following it") {
			t.Errorf("stdout %q, stderr %q", out, stderr)
		}
	})
}

func TestFeedsShowTheirPollJobFromTheDatabase(t *testing.T) {
	c, dsn := freshCLI(t)
	url, _ := countingFeed(t)
	c.must(t, "", "track", url)
	e, _ := retrievaltest.EngineAt(t, dsn)
	ctx := context.Background()
	feeds, err := e.Feeds(ctx, "default")
	if err != nil || len(feeds) != 1 {
		t.Fatalf("Feeds = %v, %v", feeds, err)
	}
	q, err := jobs.Open(ctx, dsn, jobs.Config{Engine: e}) // inserts only: the poll stays queued
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	id, _, err := q.Insert(ctx, jobs.PollFeedArgs{FeedID: feeds[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := c.must(t, "", "feeds")
	if !strings.HasSuffix(out, "  poll job "+strconv.FormatInt(id, 10)+": queued\n") {
		t.Errorf("stdout =\n%s", out)
	}
	out, _ = c.must(t, "", "feeds", "--json")
	poll, _ := jsonLines(t, out)[0]["poll"].(map[string]any)
	if poll["state"] != "queued" || poll["id"] != float64(id) || poll["attempt"] != float64(0) {
		t.Errorf("--json poll = %v", poll)
	}
	sql(t, dsn, `UPDATE river_job SET state = 'retryable', attempt = 1, scheduled_at = now() + interval '1 minute',
		errors = ARRAY['{"at": "2026-03-02T10:00:00Z", "attempt": 1, "error": "record poll: database restarting"}'::jsonb]`)
	out, _ = c.must(t, "", "feeds")
	if !regexp.MustCompile(`  poll job \d+: retrying at \S+Z \(attempt 2 of 3\) after: record poll: database restarting\n$`).MatchString(out) {
		t.Errorf("stdout =\n%s", out)
	}
}

func TestWorkerAnnouncesOverRESTWithADiscordToken(t *testing.T) {
	c, dsn := freshCLI(t)
	var items atomic.Int32
	var site *httptest.Server
	site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed.xml" {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<rss version="2.0"><channel><title>Quay Post</title>`)
			for i := range items.Load() {
				fmt.Fprintf(w, `<item><title>Ferry %d returns</title><link>%s/a/%d</link></item>`, i+1, site.URL, i+1)
			}
			fmt.Fprint(w, `</channel></rss>`)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		para := fmt.Sprintf(`<p>The ferry %s returns to the quay in May, the harbour council said on Tuesday, after two years of repairs to its engines and its hull.</p>`, r.URL.Path)
		fmt.Fprintf(w, `<html><head><title>Ferry</title></head><body><article>%s</article></body></html>`, strings.Repeat(para, 4))
	}))
	t.Cleanup(site.Close)
	posted := make(chan string, 10)
	discord := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Content string `json:"content"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/channels/300000000000000077/messages") {
			posted <- body.Content
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": "400000000000000001", "channel_id": "300000000000000077"}`)
	}))
	t.Cleanup(discord.Close)

	c.must(t, "", "track", site.URL+"/feed.xml")
	sql(t, dsn, `UPDATE feeds SET channel_id = '300000000000000077', next_poll = now() - interval '1 minute'`)
	items.Store(1)
	c.env["DISCORD_TOKEN"] = "test-token"
	c.env["DISCORD_API_BASE"] = discord.URL
	stop, stderr := c.background(t, "worker")
	select {
	case got := <-posted:
		if !strings.Contains(got, "Ferry 1 returns") || !strings.Contains(got, site.URL+"/a/1") {
			t.Errorf("announcement %q", got)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no announcement; stderr:\n%s", stderr)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestWorkerRecrawlsTheArticlesThatAreDue(t *testing.T) {
	c, dsn := freshCLI(t)
	c.env["FOOTNOTE_ALLOW_PRIVATE"] = "true"
	site := newStorySite(t)
	story := site.URL + "/story"
	c.must(t, "", "add", story)
	site.set(http.StatusOK, "on 18 June")
	sql(t, dsn, `UPDATE articles SET recrawl_at = now() - interval '1 minute'`)
	stop, stderr := c.background(t, "worker")
	waitUntil(t, "the background recrawl", func() bool {
		out, _ := c.must(t, "", "ask", "--json", "When does the harbour ferry return to service?")
		return strings.Contains(out, "18 June") && strings.Contains(out, `"updated"`)
	})
	if err := stop(); err != nil {
		t.Fatalf("worker returned %v on a signal; stderr:\n%s", err, stderr)
	}
	if !strings.Contains(stderr.String(), "recrawled articles") {
		t.Errorf("stderr lacks the recrawl's log line:\n%s", stderr)
	}
}
