package jobs

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestInsertIsUniqueWhereDuplicatesWasteWork(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	c, err := Open(ctx, dsn, Config{Engine: e}) // inserts only: nothing runs the jobs
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	t.Run("a second poll of a feed is not queued while the first is", func(t *testing.T) {
		first, dup, err := c.Insert(ctx, PollFeedArgs{FeedID: 7})
		if err != nil || dup {
			t.Fatalf("first = %d, %v, %v", first, dup, err)
		}
		again, dup, err := c.Insert(ctx, PollFeedArgs{FeedID: 7})
		if err != nil || !dup || again != first {
			t.Errorf("again = %d, duplicate %v, %v; want job %d found", again, dup, err, first)
		}
		if _, dup, err := c.Insert(ctx, PollFeedArgs{FeedID: 8}); err != nil || dup {
			t.Errorf("another feed's poll: duplicate %v, %v; want it queued", dup, err)
		}
	})
	t.Run("a second reindex of a collection finds the first, with who asked", func(t *testing.T) {
		first, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll, ChannelID: "c1", RequestedBy: "alice"})
		if err != nil || first.Duplicate || first.Phase != retrieval.JobQueued {
			t.Fatalf("first = %+v, %v", first, err)
		}
		again, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll, ChannelID: "c2", RequestedBy: "bob"})
		want := ReindexJob{ID: first.ID, Args: ReindexArgs{Collection: coll, ChannelID: "c1", RequestedBy: "alice"}, Phase: retrieval.JobQueued, Duplicate: true}
		if err != nil || again != want {
			t.Errorf("again = %+v, %v; want %+v", again, err, want)
		}
		if other, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll + "x"}); err != nil || other.Duplicate {
			t.Errorf("another collection's reindex = %+v, %v; want it queued", other, err)
		}
	})
	t.Run("periodic jobs are queued one of a kind at a time", func(t *testing.T) {
		if _, dup, err := c.Insert(ctx, PollDueArgs{}); err != nil || dup {
			t.Fatalf("first poll_due: duplicate %v, %v", dup, err)
		}
		if _, dup, err := c.Insert(ctx, PollDueArgs{}); err != nil || !dup {
			t.Errorf("second poll_due: duplicate %v, %v; want a duplicate", dup, err)
		}
	})
	t.Run("recrawl_due is refused where no Recrawler is wired", func(t *testing.T) {
		if _, _, err := c.Insert(ctx, RecrawlDueArgs{}); err == nil {
			t.Error("recrawl_due queued with no worker for it")
		}
	})
}

func TestPollDueQueuesOnlyDueUnpausedFeedsOfEveryCollection(t *testing.T) {
	dsn, e, coll := newDB(t)
	other := retrievaltest.Collection(t)
	site := newFeeds(t)
	ctx := context.Background()
	due := track(t, e, coll, site, "due", "")
	later := track(t, e, coll, site, "later", "")
	paused := track(t, e, coll, site, "paused", "")
	elsewhere := track(t, e, other, site, "elsewhere", "")
	t.Cleanup(func() { _ = retrievaltest.RemoveServer(ctx, e, other) })
	makeDue(t, dsn, due.URL, paused.URL, elsewhere.URL)
	exec(t, dsn, `UPDATE feeds SET paused = true WHERE id = $1`, paused.ID)

	// Only the maintenance queue is worked: the polls stay queued, to be looked at.
	c := start(t, dsn, Config{Engine: e, Work: WorkAll, onlyQueues: []string{QueueMaintenance}})
	id, _, err := c.Insert(ctx, PollDueArgs{})
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, e, id, retrieval.JobDone)

	for _, tc := range []struct {
		coll   string
		feed   retrieval.Feed
		queued bool
	}{{coll, due, true}, {coll, later, false}, {coll, paused, false}, {other, elsewhere, true}} {
		feeds, err := e.Feeds(ctx, tc.coll)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range feeds {
			if f.ID != tc.feed.ID {
				continue
			}
			if got := f.Poll != nil && f.Poll.Phase == retrieval.JobQueued; got != tc.queued {
				t.Errorf("%s: poll queued = %v (%+v), want %v", f.URL, got, f.Poll, tc.queued)
			}
			if tc.queued && !f.NextPoll.After(time.Now()) {
				t.Errorf("%s: next poll %v, want it moved on by the claim", f.URL, f.NextPoll)
			}
		}
	}
}

func TestTwoClientsNeverPollAFeedTwiceInOneInterval(t *testing.T) {
	dsn, e, coll := newDB(t)
	site := newFeeds(t)
	ctx := context.Background()
	names := []string{"f1", "f2", "f3", "f4", "f5", "f6"}
	var urls []string
	for _, n := range names {
		urls = append(urls, track(t, e, coll, site, n, "").URL)
	}
	makeDue(t, dsn, urls...)
	clients := []*Client{
		start(t, dsn, Config{Engine: e, Work: WorkAll}),
		start(t, dsn, Config{Engine: e, Work: WorkAll}),
	}
	// Both processes ask for due feeds again and again while the polls run (on top of the
	// poll_due their leader queues at start).
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for range 20 {
				if _, _, err := c.Insert(ctx, PollDueArgs{}); err != nil {
					t.Error(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	idle(t, e, KindPollDue, KindPollFeed)
	for _, n := range names {
		if got := site.count(n); got != 2 { // Track's own poll, then the job's
			t.Errorf("feed %s fetched %d times, want 2 (tracking, then one background poll)", n, got)
		}
	}
	t.Run("a later poll_due finds nothing due", func(t *testing.T) {
		id, _, err := clients[1].Insert(ctx, PollDueArgs{})
		if err != nil {
			t.Fatal(err)
		}
		waitJob(t, e, id, retrieval.JobDone)
		idle(t, e, KindPollFeed)
		for _, n := range names {
			if got := site.count(n); got != 2 {
				t.Errorf("feed %s fetched %d times, want still 2", n, got)
			}
		}
	})
}

// announcer records the polls it is asked to announce; its first calls fail as fails says
// (announcing n first, then an error, retried or not).
type announcer struct {
	mu    sync.Mutex
	polls []retrieval.FeedPoll
	fails []announceFailure
}

type announceFailure struct {
	n     int
	retry bool
}

func (a *announcer) AnnounceFeedPoll(_ context.Context, p retrieval.FeedPoll) (int, bool, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.polls = append(a.polls, p)
	if len(a.fails) > 0 {
		f := a.fails[0]
		a.fails = a.fails[1:]
		return f.n, f.retry, errors.New("announce in chan-1: HTTP 503 Service Unavailable")
	}
	return len(p.Items), false, nil
}

func (a *announcer) seen() []retrieval.FeedPoll {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]retrieval.FeedPoll(nil), a.polls...)
}

// sizes is how many articles each call was given.
func (a *announcer) sizes() []int {
	var out []int
	for _, p := range a.seen() {
		out = append(out, len(p.Items))
	}
	return out
}

// When Discord fails a background poll's announcement in a way that may pass, the
// articles not yet announced wait in the database and an announce_feed job, which River
// retries with its backoff, posts them; each try starts where the last one stopped. A
// refusal that will not pass (footnote may not post there) queues nothing and drops them.
func TestAnAnnouncementDiscordFailedIsRetriedFromWhereItStopped(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	site := newFeeds(t)
	site.setItems("news", 1)
	f := track(t, e, coll, site, "news", "chan-1")
	site.setItems("news", 12)
	makeDue(t, dsn, f.URL)
	// The poll's announcement gets 5 out, then fails; the job's first attempt fails with
	// nothing out; its second gets the rest out.
	a := &announcer{fails: []announceFailure{{n: 5, retry: true}, {n: 0, retry: true}}}
	c := start(t, dsn, Config{Engine: e, Work: WorkAll, Announcer: a}) // its leader queues poll_due at start
	waitForUpTo(t, 30*time.Second, "three announcement attempts", func() bool { return len(a.seen()) == 3 })
	idle(t, e, KindPollDue, KindPollFeed, KindAnnounce)
	if got := a.sizes(); !slices.Equal(got, []int{11, 6, 6}) {
		t.Errorf("announcements given %v articles; want 11 (the poll's), then the 6 not out twice (the job's attempts)", got)
	}
	polls := a.seen()
	last := polls[len(polls)-1]
	if last.Feed.ID != f.ID || last.Feed.Channel != "chan-1" || last.Feed.Collection != coll || len(last.Items) != 6 ||
		last.Items[0].Title != polls[0].Items[5].Title || last.Items[0].URL != polls[0].Items[5].URL || last.Items[0].Status != retrieval.StatusAdded {
		t.Errorf("the job announced %+v; want the poll's articles from the 6th on, as the poll added them (%+v)", last, polls[0])
	}
	if counts := jobCount(t, e, KindAnnounce); counts.Done != 1 {
		t.Errorf("announce_feed jobs %+v; want one, done", counts)
	}
	if n, err := e.PendingAnnouncements(ctx, coll, f.ID); err != nil || n != 0 {
		t.Errorf("%d articles still wait to be announced (%v); want none", n, err)
	}

	t.Run("a refusal is not retried", func(t *testing.T) {
		a.mu.Lock()
		a.fails = []announceFailure{{n: 0, retry: false}}
		a.mu.Unlock()
		site.setItems("news", 13)
		makeDue(t, dsn, f.URL)
		if _, _, err := c.Insert(ctx, PollDueArgs{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the next poll's announcement", func() bool { return len(a.seen()) == 4 })
		idle(t, e, KindPollDue, KindPollFeed, KindAnnounce)
		if counts := jobCount(t, e, KindAnnounce); counts.Done != 1 || counts.Queued+counts.Retrying+counts.Failed != 0 {
			t.Errorf("announce_feed jobs %+v; want still the one done before", counts)
		}
		if n, err := e.PendingAnnouncements(ctx, coll, f.ID); err != nil || n != 0 {
			t.Errorf("%d articles wait after a refusal (%v); want none", n, err)
		}
	})
}

// A process that dies after a poll stored its articles and before it announced them
// loses no announcement: the articles wait in the database, and the feed's next poll, in
// whichever process, announces them with its own.
func TestAnAnnouncementSurvivesAProcessThatDiedBeforePostingIt(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	site := newFeeds(t)
	site.setItems("news", 1)
	f := track(t, e, coll, site, "news", "chan-1")
	site.setItems("news", 3)
	// The poll job's first step, with no announcement after it: the process died.
	p, err := e.PollFeedByID(ctx, f.ID)
	if err != nil || p == nil || len(p.Items) != 2 {
		t.Fatalf("poll = %+v, %v; want 2 new articles", p, err)
	}
	if n, err := e.PendingAnnouncements(ctx, coll, f.ID); err != nil || n != 2 {
		t.Fatalf("%d articles wait to be announced (%v); want the 2 the poll stored", n, err)
	}
	site.setItems("news", 4)
	makeDue(t, dsn, f.URL)
	a := &announcer{}
	start(t, dsn, Config{Engine: e, Work: WorkAll, Announcer: a}) // its leader queues poll_due at start
	waitFor(t, "the next poll's announcement", func() bool { return len(a.seen()) == 1 })
	idle(t, e, KindPollDue, KindPollFeed, KindAnnounce)
	got := a.seen()[0]
	var titles []string
	for _, it := range got.Items {
		titles = append(titles, it.Title)
	}
	if want := []string{"Story news-3", "Story news-2", "Story news-4"}; !slices.Equal(titles, want) {
		t.Errorf("the next poll announced %q; want %q (the lost ones first, in the feed's order, then its own)", titles, want)
	}
	if n, err := e.PendingAnnouncements(ctx, coll, f.ID); err != nil || n != 0 {
		t.Errorf("%d articles still wait (%v); want none", n, err)
	}
}

// jobCount returns the counts of the jobs of kind.
func jobCount(t *testing.T, e *retrieval.Engine, kind string) retrieval.JobCounts {
	t.Helper()
	counts, err := e.JobCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		if c.Kind == kind {
			return c
		}
	}
	return retrieval.JobCounts{Kind: kind}
}

func TestABackgroundPollAnnouncesItsNewArticles(t *testing.T) {
	dsn, e, coll := newDB(t)
	site := newFeeds(t)
	site.setItems("news", 1)
	announced := track(t, e, coll, site, "news", "chan-1")
	quiet := track(t, e, coll, site, "quiet", "")
	site.setItems("news", 2)
	site.setItems("quiet", 1)
	makeDue(t, dsn, announced.URL, quiet.URL)
	a := &announcer{}
	start(t, dsn, Config{Engine: e, Work: WorkAll, Announcer: a}) // its leader queues poll_due at start
	waitFor(t, "both feeds polled", func() bool { return site.count("news") == 2 && site.count("quiet") == 2 })
	idle(t, e, KindPollDue, KindPollFeed)
	polls := a.seen()
	if len(polls) != 1 || polls[0].Feed.Channel != "chan-1" || len(polls[0].Items) != 1 ||
		polls[0].Items[0].Status != retrieval.StatusAdded || polls[0].Items[0].Title != "Story news-2" {
		t.Errorf("announced %+v; want news's one new article alone (quiet has no channel)", polls)
	}
}

// blockingEngine is an engine whose reindex runs until it is released or its context
// ends, and whose sweep counts its calls.
type blockingEngine struct {
	Engine
	started  chan struct{}
	release  chan struct{}
	sweeps   atomic.Int32
	reindexF func(ctx context.Context) (retrieval.ReindexStats, error)
}

func (b *blockingEngine) Reindex(ctx context.Context, _ string, progress func(done, total int)) (retrieval.ReindexStats, error) {
	if b.reindexF != nil {
		return b.reindexF(ctx)
	}
	progress(0, 10)
	close(b.started)
	select {
	case <-b.release:
		progress(10, 10)
		return retrieval.ReindexStats{Passages: 10, Embedded: 10}, nil
	case <-ctx.Done():
		return retrieval.ReindexStats{}, ctx.Err()
	}
}

func (b *blockingEngine) RemoveDue(context.Context, time.Time) ([]string, error) {
	b.sweeps.Add(1)
	return nil, nil
}

func TestStopGivesRunningJobsTheirGraceThenHandsThemBack(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	rep := newReporter()
	run := func(t *testing.T) (*blockingEngine, *Client, int64) {
		eng := &blockingEngine{Engine: e, started: make(chan struct{}), release: make(chan struct{})}
		c, err := Open(ctx, dsn, Config{Engine: eng, Work: WorkAll, Reporter: rep.attempt})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll})
		if err != nil {
			t.Fatal(err)
		}
		<-eng.started
		return eng, c, j.ID
	}

	t.Run("a job that finishes within the grace completes", func(t *testing.T) {
		eng, c, id := run(t)
		stopped := make(chan error)
		go func() { stopped <- c.Stop(ctx, time.Minute) }()
		// Stop waits for the job: it returns only after the release.
		time.Sleep(50 * time.Millisecond)
		close(eng.release)
		if err := <-stopped; err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if j, _ := e.Job(ctx, id); j.Phase != retrieval.JobDone {
			t.Errorf("job %+v, want done", j)
		}
	})
	t.Run("a job still running after the grace is cancelled and handed back unspent", func(t *testing.T) {
		_, c, id := run(t)
		const grace = 300 * time.Millisecond
		begin := time.Now()
		if err := c.Stop(ctx, grace); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if took := time.Since(begin); took < grace || took > grace+5*time.Second {
			t.Errorf("Stop took %v, want the grace (%v) and a little", took, grace)
		}
		j, err := e.Job(ctx, id)
		if err != nil || j.Phase != retrieval.JobQueued || j.Attempt != 0 {
			t.Errorf("job %+v, %v; want queued again with no attempt spent", j, err)
		}
		ev := rep.seen()
		if last := ev[len(ev)-1]; last != "queued: interrupted, footnote is stopping (context canceled). It resumes where it stopped" {
			t.Errorf("the reporter was last told %q, want that the job resumes", last)
		}
	})
}
