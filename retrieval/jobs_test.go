package retrieval_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// insertJob adds a row to River's job table as River would leave it, and deletes it when
// the test ends. errs are the attempts' errors, oldest first.
func insertJob(t *testing.T, c *pgx.Conn, kind, state, args string, errs ...string) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := c.QueryRow(ctx, `
		INSERT INTO river_job (kind, state, args, queue, max_attempts, attempt, errors, finalized_at, metadata)
		VALUES ($1, $2::river_job_state, $3::jsonb, 'default', 5, cardinality($4::text[]),
			(SELECT array_agg(jsonb_build_object('at', now() - (cardinality($4::text[]) - i) * interval '1 minute', 'attempt', i, 'error', e))
			 FROM unnest($4::text[]) WITH ORDINALITY AS x(e, i)),
			CASE WHEN $2 IN ('completed', 'discarded', 'cancelled') THEN now() END,
			'{"output": {"done": 3}}')
		RETURNING id`, kind, state, args, append([]string{}, errs...)).Scan(&id)
	if err != nil {
		t.Fatalf("insert job: %v", err)
	}
	t.Cleanup(func() { _, _ = c.Exec(context.Background(), `DELETE FROM river_job WHERE id = $1`, id) })
	return id
}

func TestJobCountsAndAJobsState(t *testing.T) {
	e, _ := retrievaltest.Engine(t)
	c := retrievaltest.Conn(t)
	ctx := context.Background()
	kind := "test_" + retrievaltest.Collection(t) // no other test's jobs are of this kind
	for _, state := range []string{"available", "scheduled", "running", "running", "completed"} {
		insertJob(t, c, kind, state, `{}`)
	}
	insertJob(t, c, kind, "retryable", `{}`, "first try timed out")
	insertJob(t, c, kind, "discarded", `{}`, "old failure", "feed gone")
	failed := insertJob(t, c, kind, "discarded", `{}`, "older kind of failure")
	if _, err := c.Exec(ctx, `UPDATE river_job SET finalized_at = now() - interval '1 hour' WHERE id = $1`, failed); err != nil {
		t.Fatal(err)
	}

	t.Run("each kind is counted by phase, with its newest failure's last error", func(t *testing.T) {
		counts, err := e.JobCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got *retrieval.JobCounts
		for i := range counts {
			if counts[i].Kind == kind {
				got = &counts[i]
			}
		}
		if got == nil {
			t.Fatalf("no counts for %s in %+v", kind, counts)
		}
		want := retrieval.JobCounts{Kind: kind, Queued: 2, Running: 2, Retrying: 1, Failed: 2, Done: 1,
			LastError: "feed gone", LastErrorAt: got.LastErrorAt, RetryError: "first try timed out"}
		if *got != want || got.LastErrorAt.IsZero() {
			t.Errorf("counts = %+v\nwant %+v (with the failure's time)", *got, want)
		}
	})
	t.Run("a job is read with its phase, last error and output", func(t *testing.T) {
		j, err := e.Job(ctx, failed)
		if err != nil {
			t.Fatal(err)
		}
		if j.Kind != kind || j.Phase != retrieval.JobFailed || j.Attempt != 1 || j.LastError != "older kind of failure" ||
			j.LastErrorAt.IsZero() || j.FinalizedAt.IsZero() || string(j.Output) != `{"done": 3}` {
			t.Errorf("Job = %+v", j)
		}
	})
	t.Run("a job River has cleaned away is not found", func(t *testing.T) {
		if _, err := e.Job(ctx, -1); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("Job(-1) = %v, want ErrNotFound", err)
		}
	})
}

func TestFeedsShowTheirPollJob(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	c := retrievaltest.Conn(t)
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	if feeds, _ := e.Feeds(ctx, coll); len(feeds) != 1 || feeds[0].Poll != nil {
		t.Fatalf("Feeds = %+v, want one feed without a poll job", feeds)
	}
	args := `{"feed_id": ` + strconv.FormatInt(p.Feed.ID, 10) + `}`
	insertJob(t, c, retrieval.FeedPollJobKind, "completed", args)
	insertJob(t, c, retrieval.FeedPollJobKind, "retryable", args, "database went away")
	feeds, err := e.Feeds(ctx, coll)
	if err != nil || len(feeds) != 1 || feeds[0].Poll == nil {
		t.Fatalf("Feeds = %+v, %v; want the retrying poll", feeds, err)
	}
	if j := feeds[0].Poll; j.Phase != retrieval.JobRetrying || j.LastError != "database went away" {
		t.Errorf("poll job = %+v, want retrying with its error", j)
	}
}

func TestPollDueClaimsEachFeedOnce(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	c := retrievaltest.Conn(t)
	ctx := context.Background()
	if _, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", ""); err != nil {
		t.Fatal(err)
	}
	due := func(t *testing.T) {
		t.Helper()
		if _, err := c.Exec(ctx, `UPDATE feeds SET next_poll = now() - interval '1 minute' WHERE collection = $1`, coll); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("two polls at once poll a due feed once between them", func(t *testing.T) {
		due(t)
		before := site.count("/feed.xml")
		var wg sync.WaitGroup
		polled := make([]int, 4)
		for i := range polled {
			wg.Go(func() {
				polls, err := e.PollDue(ctx, coll, false)
				if err != nil {
					t.Error(err)
				}
				polled[i] = len(polls)
			})
		}
		wg.Wait()
		if n := site.count("/feed.xml") - before; n != 1 || polled[0]+polled[1]+polled[2]+polled[3] != 1 {
			t.Errorf("the feed was fetched %d times by polls that took %v feeds; want once", n, polled)
		}
	})
	t.Run("a claim whose enqueue fails leaves the feed due", func(t *testing.T) {
		due(t)
		boom := errors.New("queue down")
		if _, err := e.ClaimDueFeeds(ctx, func(context.Context, pgx.Tx, []retrieval.Feed) error { return boom }); !errors.Is(err, boom) {
			t.Fatalf("ClaimDueFeeds = %v, want the enqueue's error", err)
		}
		if feeds, _ := e.Feeds(ctx, coll); len(feeds) != 1 || feeds[0].NextPoll.After(time.Now()) {
			t.Errorf("Feeds = %+v, want the feed still due", feeds)
		}
	})
}

func TestPollFeedByID(t *testing.T) {
	site := newFeedSite(t, 1)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a followed feed is polled as PollDue polls it", func(t *testing.T) {
		site.mu.Lock()
		site.n = 2
		site.mu.Unlock()
		got, err := e.PollFeedByID(ctx, p.Feed.ID)
		if err != nil || got == nil || got.Err != nil || len(got.Items) != 1 || got.Items[0].Status != retrieval.StatusAdded {
			t.Fatalf("PollFeedByID = %+v, %v; want /a/2 added", got, err)
		}
	})
	t.Run("a paused feed is not polled", func(t *testing.T) {
		c := retrievaltest.Conn(t)
		if _, err := c.Exec(ctx, `UPDATE feeds SET paused = true WHERE id = $1`, p.Feed.ID); err != nil {
			t.Fatal(err)
		}
		before := site.count("/feed.xml")
		if got, err := e.PollFeedByID(ctx, p.Feed.ID); got != nil || err != nil || site.count("/feed.xml") != before {
			t.Errorf("PollFeedByID = %+v, %v; want nothing fetched", got, err)
		}
	})
	t.Run("an untracked feed is not polled, and that is no error", func(t *testing.T) {
		if err := e.Untrack(ctx, coll, p.Feed.URL); err != nil {
			t.Fatal(err)
		}
		before := site.count("/feed.xml")
		if got, err := e.PollFeedByID(ctx, p.Feed.ID); got != nil || err != nil || site.count("/feed.xml") != before {
			t.Errorf("PollFeedByID = %+v, %v; want nothing fetched", got, err)
		}
	})
}
