package retrieval_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// A feed item's article is stored with its announcement, which waits until an announcer
// posts it: one announcer at a time claims it, what went out is forgotten, what did not
// waits for the next; a refusal, an untracked feed or a removed channel drops it, and so
// does a day's wait.
func TestFeedAnnouncementsWaitUntilPosted(t *testing.T) {
	site := newFeedSite(t, 3)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "300000000000000009")
	if err != nil || len(p.Items) != 3 {
		t.Fatalf("Track = %+v, %v; want 3 new articles", p, err)
	}
	id := p.Feed.ID
	pending := func(want int) {
		t.Helper()
		if n, err := e.PendingAnnouncements(ctx, coll, id); err != nil || n != want {
			t.Errorf("%d articles wait to be announced (%v); want %d", n, err, want)
		}
	}
	pending(3)
	if f := feedOf(t, e, coll, id); f.Unannounced != 3 {
		t.Errorf("Feeds says %d wait to be announced; want 3", f.Unannounced)
	}

	// The first announcer gets one out and fails; a second, meanwhile, finds them claimed.
	var first, second []string
	n, retry, err := e.AnnounceFeed(ctx, coll, id, func(ctx context.Context, got retrieval.FeedPoll) (int, bool, error) {
		first = itemURLs(got.Items)
		if got.Feed.Channel != "300000000000000009" || got.Feed.ID != id {
			t.Errorf("announcing feed %+v", got.Feed)
		}
		m, _, err := e.AnnounceFeed(ctx, coll, id, func(_ context.Context, got retrieval.FeedPoll) (int, bool, error) {
			second = itemURLs(got.Items)
			return len(got.Items), false, nil
		})
		if err != nil || m != 0 {
			t.Errorf("a second announcer meanwhile = %d, %v; want nothing", m, err)
		}
		return 1, true, errors.New("HTTP 503")
	})
	if err == nil || n != 1 || !retry {
		t.Errorf("AnnounceFeed = %d, %v, %v; want 1 out, an error that may pass", n, retry, err)
	}
	if want := itemURLs(p.Items); !slices.Equal(first, want) || second != nil {
		t.Errorf("announced %v, then %v meanwhile; want %v (the poll's order), then nothing", first, second, want)
	}
	pending(2)
	var rest []string
	if n, _, err := e.AnnounceFeed(ctx, coll, id, func(_ context.Context, got retrieval.FeedPoll) (int, bool, error) {
		rest = itemURLs(got.Items)
		return len(got.Items), false, nil
	}); err != nil || n != 2 || !slices.Equal(rest, itemURLs(p.Items)[1:]) {
		t.Errorf("the next announcer = %d, %v, announcing %v; want the 2 not out", n, err, rest)
	}
	pending(0)

	t.Run("a refusal drops them", func(t *testing.T) {
		site.set(4)
		if q := e.PollFeed(ctx, feedOf(t, e, coll, id)); q.Err != nil || len(q.Items) != 1 {
			t.Fatalf("poll = %+v; want one new article", q)
		}
		pending(1)
		if _, retry, err := e.AnnounceFeed(ctx, coll, id, func(context.Context, retrieval.FeedPoll) (int, bool, error) {
			return 0, false, errors.New("HTTP 403 Missing Permissions")
		}); err == nil || retry {
			t.Errorf("AnnounceFeed = %v, %v; want an error not to retry", retry, err)
		}
		pending(0)
	})
	t.Run("a day's wait drops them", func(t *testing.T) {
		site.set(5)
		e.PollFeed(ctx, feedOf(t, e, coll, id))
		pending(1)
		retrievaltest.Conn(t).Exec(ctx, `UPDATE feed_announcements SET added_at = now() - interval '25 hours' WHERE feed_id = $1`, id)
		called := false
		if n, _, err := e.AnnounceFeed(ctx, coll, id, func(context.Context, retrieval.FeedPoll) (int, bool, error) {
			called = true
			return 0, false, nil
		}); err != nil || n != 0 || called {
			t.Errorf("AnnounceFeed = %d, %v (posted: %v); want nothing posted", n, err, called)
		}
		pending(0)
	})
	t.Run("untracking drops them", func(t *testing.T) {
		site.set(6)
		e.PollFeed(ctx, feedOf(t, e, coll, id))
		pending(1)
		if err := e.Untrack(ctx, coll, site.URL+"/feed.xml"); err != nil {
			t.Fatal(err)
		}
		pending(0)
	})
	t.Run("a feed without a channel stores none", func(t *testing.T) {
		other := newFeedSite(t, 2)
		q, err := e.Track(ctx, coll, other.URL+"/feed.xml", 0, "alice", "")
		if err != nil || len(q.Items) != 2 {
			t.Fatalf("Track = %+v, %v", q, err)
		}
		if n, err := e.PendingAnnouncements(ctx, coll, q.Feed.ID); err != nil || n != 0 {
			t.Errorf("%d wait (%v); want none", n, err)
		}
	})
}

func itemURLs(items []retrieval.FeedItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.URL)
	}
	return out
}

// feedOf is the feed id of coll, as Feeds lists it.
func feedOf(t *testing.T, e *retrieval.Engine, coll string, id int64) retrieval.Feed {
	t.Helper()
	feeds, err := e.Feeds(context.Background(), coll)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range feeds {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no feed %d in %s", id, coll)
	return retrieval.Feed{}
}

// set makes the feed list n articles.
func (s *feedSite) set(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n = n
}

// Announcements that waited a day are dropped by the background claim of due feeds too,
// where no announcer ever claims them (no process has a Discord token).
func TestTheBackgroundClaimDropsStaleAnnouncements(t *testing.T) {
	site := newFeedSite(t, 2)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	p, err := e.Track(ctx, coll, site.URL+"/feed.xml", 0, "alice", "300000000000000009")
	if err != nil {
		t.Fatal(err)
	}
	retrievaltest.Conn(t).Exec(ctx, `UPDATE feed_announcements SET added_at = now() - interval '25 hours' WHERE feed_id = $1`, p.Feed.ID)
	// (It claims whatever feeds of the test database are due, and queues nothing for them.)
	if _, err := e.ClaimDueFeeds(ctx, func(context.Context, pgx.Tx, []retrieval.Feed) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if n, err := e.PendingAnnouncements(ctx, coll, p.Feed.ID); err != nil || n != 0 {
		t.Errorf("%d announcements left (%v); want the stale ones dropped", n, err)
	}
}
