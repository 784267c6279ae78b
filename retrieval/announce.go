package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Feed announcements: the articles a feed item added are announced in the feed's channel
// from an outbox (migration 022). The article and its announcement row are written in one
// transaction (addURL with a feedEntry), so that an article is announced even when the
// process dies before posting it or Discord fails for hours: whoever announces the feed
// next (its next poll, an announce_feed job, /track) claims the rows, posts them and
// deletes those posted.

const (
	// announceClaim is how long a claim on a feed's waiting announcements lasts: longer than
	// an announcement takes (three messages, with discordgo's retries), so that two
	// announcers never post the same rows; a process that died while posting holds them this
	// long.
	announceClaim = 3 * time.Minute
	// MaxAnnounceAge is how long an article waits to be announced before it is given up:
	// news a day old is no longer news in a channel, and /articles lists it.
	MaxAnnounceAge = 24 * time.Hour
)

// feedEntry is the feed item an article is added from: its feed, and the title and date
// the feed gave it (announced before the page's own).
type feedEntry struct {
	feedID    int64
	title     string
	published time.Time
}

// AnnounceFunc posts the added articles of p (Items, in order) in p.Feed.Channel and says
// how many of them went out; on an error, retry says whether the rest may go later (as
// jobs.Announcer: the bot's AnnounceFeedPoll).
type AnnounceFunc func(ctx context.Context, p FeedPoll) (announced int, retry bool, err error)

// AnnounceFeed posts, through post, the articles of the feed id in coll that wait to be
// announced, and forgets those posted. It returns how many were posted and, on a failure,
// whether the rest may go later: those stay for the next announcer (the caller queues an
// announce_feed job). A failure that will not pass (footnote may not post in the channel)
// drops the feed's waiting articles. A feed untracked, or without a channel now, drops
// them too and posts nothing.
func (e *Engine) AnnounceFeed(ctx context.Context, coll string, id int64, post AnnounceFunc) (announced int, retry bool, err error) {
	p, err := e.store.claimAnnouncements(ctx, coll, id, announceClaim, MaxAnnounceAge)
	if err != nil || p == nil || len(p.Items) == 0 {
		return 0, err != nil, err
	}
	n, retry, perr := post(ctx, *p)
	n = min(max(n, 0), len(p.Items))
	done := p.Items[:n]
	if perr == nil || !retry {
		done = p.Items // all out (beyond the posted lines, counted as "…and n more"), or given up
	}
	// The outcome is stored whatever became of ctx: a claim left behind would hold the rows
	// for announceClaim, and posted rows left would be posted twice.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ferr := e.store.finishAnnouncements(sctx, coll, id, done, p.Items[len(done):]); ferr != nil {
		if perr == nil {
			return n, true, fmt.Errorf("announced, but not recorded: %w", ferr)
		}
		perr = errors.Join(perr, ferr)
	}
	if perr != nil && !retry {
		e.log.Warn("feed announcement refused; its articles stay, unannounced", "collection", coll, "feed_id", id,
			"channel_id", p.Feed.Channel, "articles", len(p.Items)-n, "err", perr)
	}
	return n, retry, perr
}

// PendingAnnouncements is how many articles of the feed id in coll wait to be announced.
func (e *Engine) PendingAnnouncements(ctx context.Context, coll string, id int64) (int, error) {
	var n int
	_, err := e.store.query(ctx, in(coll), `SELECT count(*) FROM feed_announcements WHERE collection = $1 AND feed_id = $2`,
		[]any{coll, id}, into(&n))
	if err != nil {
		return 0, fmt.Errorf("count waiting announcements: %w", err)
	}
	return n, nil
}

// announceEntry writes the announcement row of the article at url, just added from e, in
// the transaction that added it, when e's feed (still in coll) has a channel.
func (t storeTx) announceEntry(ctx context.Context, coll, url string, e *feedEntry) error {
	_, err := t.tx.Exec(ctx, `
		INSERT INTO feed_announcements (feed_id, url, collection, title, published_at)
		SELECT f.id, $3, f.collection, $4, $5 FROM feeds f
		WHERE f.id = $2 AND f.collection = $1 AND f.channel_id <> ''
		ON CONFLICT (feed_id, url) DO NOTHING`,
		coll, e.feedID, url, e.title, nullTime(e.published))
	if err != nil {
		return fmt.Errorf("queue announcement of %s: %w", url, err)
	}
	return nil
}

// claimAnnouncements claims for claim the articles of the feed id in coll that wait to be
// announced and no one else has claimed, in the order they were added, with the feed. It
// first drops those older than maxAge, those whose article is gone, and every one when the
// feed has no channel. It returns nil when the feed is gone.
func (s *Store) claimAnnouncements(ctx context.Context, coll string, id int64, claim, maxAge time.Duration) (*FeedPoll, error) {
	var p *FeedPoll
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		f, err := scanFeed(t.tx.QueryRow(ctx, `SELECT `+feedCols+` FROM feeds f WHERE f.collection = $1 AND f.id = $2`, coll, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // untracked: its rows went with it
		}
		if err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, `
			DELETE FROM feed_announcements p
			WHERE p.collection = $1 AND p.feed_id = $2
				AND ($3 = '' OR p.added_at < now() - $4::interval
					OR NOT EXISTS (SELECT 1 FROM articles a WHERE a.collection = p.collection AND a.url = p.url))`,
			coll, id, f.Channel, maxAge); err != nil {
			return err
		}
		rows, err := t.tx.Query(ctx, `
			WITH c AS (
				SELECT p.feed_id, p.url FROM feed_announcements p
				WHERE p.collection = $1 AND p.feed_id = $2 AND (p.claimed_until IS NULL OR p.claimed_until < now())
				FOR UPDATE SKIP LOCKED)
			UPDATE feed_announcements p SET claimed_until = now() + $3::interval
			FROM c, articles a
			WHERE p.feed_id = c.feed_id AND p.url = c.url AND a.collection = p.collection AND a.url = p.url
			RETURNING p.seq, p.url, coalesce(nullif(p.title, ''), a.title), coalesce(p.published_at, a.published_at, 'epoch')`,
			coll, id, claim)
		if err != nil {
			return err
		}
		type row struct {
			seq  int64
			item FeedItem
		}
		got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
			var x row
			err := r.Scan(&x.seq, &x.item.URL, &x.item.Title, &x.item.Published)
			x.item.Published = unlessEpoch(x.item.Published)
			x.item.Status = StatusAdded
			return x, err
		})
		if err != nil {
			return err
		}
		slices.SortFunc(got, func(a, b row) int { return cmp.Compare(a.seq, b.seq) })
		p = &FeedPoll{Feed: f}
		for _, x := range got {
			p.Items = append(p.Items, x.item)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim announcements of feed %d: %w", id, err)
	}
	return p, nil
}

// finishAnnouncements forgets the announcements of done (posted, or given up) and releases
// the claim on rest (claimed, not posted), for the next announcer.
func (s *Store) finishAnnouncements(ctx context.Context, coll string, id int64, done, rest []FeedItem) error {
	urls := func(items []FeedItem) []string {
		out := make([]string, len(items))
		for i, it := range items {
			out[i] = it.URL
		}
		return out
	}
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		if _, err := t.tx.Exec(ctx, `DELETE FROM feed_announcements WHERE collection = $1 AND feed_id = $2 AND url = ANY($3)`,
			coll, id, urls(done)); err != nil {
			return err
		}
		_, err := t.tx.Exec(ctx, `UPDATE feed_announcements SET claimed_until = NULL
			WHERE collection = $1 AND feed_id = $2 AND url = ANY($3)`, coll, id, urls(rest))
		return err
	})
	if err != nil {
		return fmt.Errorf("record announcements of feed %d: %w", id, err)
	}
	return nil
}
