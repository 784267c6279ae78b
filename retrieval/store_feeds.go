package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Feed is a feed a collection follows, with its poll state.
type Feed struct {
	ID          int64
	Collection  string
	URL         string // the feed's canonical URL
	Title       string
	Every       time.Duration // the polling interval
	LastSuccess time.Time     // zero when it never answered
	LastError   string        // the last poll's error; "" after a success
	LastErrorAt time.Time
	Failures    int  // polls in a row that failed
	Paused      bool // paused after MaxFeedFailures failures; tracking it again resumes it
	NextPoll    time.Time
	CreatedAt   time.Time
	AddedBy     string
	Articles    int    // articles of the collection that came from this feed
	Channel     string // the Discord channel where new articles are announced; "" for none
	// Unannounced is how many of its articles wait to be announced (Discord failed, or the
	// process that added them stopped first: AnnounceFeed).
	Unannounced int
	// Poll is the feed's background poll job when one is queued, running or retrying
	// (Feeds sets it); nil otherwise.
	Poll *Job

	etag, lastModified string
	fetchURL           string // what to poll: URL as the server gave it; "" for URL
}

// pollURL is the URL to fetch when polling f.
func (f Feed) pollURL() string {
	if f.fetchURL != "" {
		return f.fetchURL
	}
	return f.URL
}

// feedCols are the columns scanFeed reads, in its order.
const feedCols = `f.id, f.collection, f.url, f.title, extract(epoch FROM f.every)::bigint,
	coalesce(f.last_success, 'epoch'), f.last_error, coalesce(f.last_error_at, 'epoch'),
	f.failures, f.paused, f.next_poll, f.created_at, f.added_by, f.etag, f.last_modified,
	(SELECT count(*) FROM articles a WHERE a.feed_id = f.id), f.channel_id, f.fetch_url,
	(SELECT count(*) FROM feed_announcements p WHERE p.feed_id = f.id)`

func scanFeed(row pgx.Row) (Feed, error) {
	var f Feed
	var secs int64
	err := row.Scan(&f.ID, &f.Collection, &f.URL, &f.Title, &secs, &f.LastSuccess, &f.LastError,
		&f.LastErrorAt, &f.Failures, &f.Paused, &f.NextPoll, &f.CreatedAt, &f.AddedBy,
		&f.etag, &f.lastModified, &f.Articles, &f.Channel, &f.fetchURL, &f.Unannounced)
	f.Every = time.Duration(secs) * time.Second
	if f.LastSuccess.Unix() == 0 {
		f.LastSuccess = time.Time{}
	}
	if f.LastErrorAt.Unix() == 0 {
		f.LastErrorAt = time.Time{}
	}
	return f, err
}

// upsertFeed follows url (canonical) in coll, polled at fetchURL, or, when it is followed
// already, sets its interval and its announcement channel (each only when one is given:
// every 0 keeps the interval, and a new feed gets DefaultFeedEvery) and resumes it if it
// was paused. Either way the next poll is an interval away (jittered as every poll's is):
// the caller is polling the feed now, and the background poll_due must not take it again
// while it does (the poll's own outcome then sets the next poll).
func (s *Store) upsertFeed(ctx context.Context, coll, url, fetchURL, title string, every time.Duration, addedBy, channel string) (Feed, error) {
	keepEvery := every == 0
	every = cmp.Or(every, DefaultFeedEvery)
	var f Feed
	_, err := s.query(ctx, in(coll), `
		WITH f AS (
			INSERT INTO feeds (collection, url, title, every, added_by, channel_id, fetch_url, next_poll)
			VALUES ($1, $2, $3, make_interval(secs => $4), $5, $6, $7,
				now() + greatest(make_interval(secs => $9), make_interval(secs => $4) * $10))
			ON CONFLICT (collection, url) DO UPDATE
			SET every = CASE WHEN $8 THEN feeds.every ELSE EXCLUDED.every END, title = EXCLUDED.title, paused = false, failures = 0,
				fetch_url = EXCLUDED.fetch_url,
				channel_id = CASE WHEN EXCLUDED.channel_id = '' THEN feeds.channel_id ELSE EXCLUDED.channel_id END,
				next_poll = now() + greatest(make_interval(secs => $9),
					(CASE WHEN $8 THEN feeds.every ELSE EXCLUDED.every END) * $10)
			RETURNING *)
		SELECT `+feedCols+` FROM f`, []any{coll, url, title, every.Seconds(), addedBy, channel, fetchURL, keepEvery,
		MinFeedEvery.Seconds(), jitterFactor()},
		oneRow(func(r pgx.Row) (err error) { f, err = scanFeed(r); return err }))
	if err != nil {
		return Feed{}, fmt.Errorf("track feed %s: %w", url, err)
	}
	return f, nil
}

// listFeeds returns the feeds of coll, by URL.
func (s *Store) listFeeds(ctx context.Context, coll string) ([]Feed, error) {
	var out []Feed
	_, err := s.query(ctx, readIn(coll), `SELECT `+feedCols+` FROM feeds f WHERE f.collection = $1 ORDER BY f.url`,
		[]any{coll}, func(rows pgx.Rows) (err error) {
			out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Feed, error) { return scanFeed(row) })
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

// claimDueFeeds takes, in one transaction, the unpaused feeds of coll ("" for every
// collection) whose next poll has come (every unpaused one with all), at most limit of them,
// most overdue first, and moves each one's next poll an interval on, so that nobody takes
// them again before the poll itself sets it. fn (may be nil) runs in that transaction with
// the feeds taken; when it fails the claim is undone. Feeds another transaction is taking
// are skipped, not waited for, and so are feeds whose background poll job is running: that
// poll sets their next poll when it ends (`footnote poll --all` must not fetch and add the
// same items beside it). It returns the feeds taken, by collection and URL.
func (s *Store) claimDueFeeds(ctx context.Context, coll string, all bool, limit int, fn func(pgx.Tx, []Feed) error) ([]Feed, error) {
	var out []Feed
	// Across collections when coll is "": the background poll takes the due feeds of every
	// collection; each poll then records its outcome in its feed's own collection.
	err := s.inCollectionOrAll(ctx, coll, func(t storeTx) error {
		tx := t.tx
		rows, err := tx.Query(ctx, `
			WITH due AS (
				SELECT id FROM feeds
				WHERE NOT paused AND ($1 = '' OR collection = $1) AND ($2 OR next_poll <= now())
					AND NOT EXISTS (SELECT 1 FROM river_job j WHERE j.kind = $4 AND j.state = 'running'
						AND (j.args ->> 'feed_id')::bigint = feeds.id)
				ORDER BY next_poll LIMIT $3
				FOR UPDATE SKIP LOCKED)
			UPDATE feeds f SET next_poll = now() + f.every FROM due WHERE f.id = due.id
			RETURNING `+feedCols, coll, all, limit, FeedPollJobKind)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Feed, error) { return scanFeed(row) })
		if err != nil {
			return err
		}
		slices.SortFunc(out, func(a, b Feed) int { return cmp.Or(cmp.Compare(a.Collection, b.Collection), cmp.Compare(a.URL, b.URL)) })
		if coll == "" {
			// The background claim (every minute) also drops announcements that waited past
			// MaxAnnounceAge where no announcer claims them (no process has a Discord token):
			// AnnounceFeed drops them too, but only where it runs.
			if _, err := tx.Exec(ctx, `DELETE FROM feed_announcements WHERE added_at < now() - $1::interval`, MaxAnnounceAge); err != nil {
				return err
			}
		}
		if fn == nil || len(out) == 0 {
			return nil
		}
		return fn(tx, out)
	})
	if err != nil {
		return nil, fmt.Errorf("claim due feeds: %w", err)
	}
	return out, nil
}

// feedByID returns the feed with id; found is false when no collection follows it any more.
func (s *Store) feedByID(ctx context.Context, id int64) (f Feed, found bool, err error) {
	// Across collections: a poll job carries only its feed's id, and learns the feed's
	// collection here; the poll then works in that collection.
	_, err = s.query(ctx, allCollections, `SELECT `+feedCols+` FROM feeds f WHERE f.id = $1`, []any{id},
		oneRow(func(r pgx.Row) (err error) { f, err = scanFeed(r); return err }))
	if errors.Is(err, pgx.ErrNoRows) {
		return Feed{}, false, nil
	}
	if err != nil {
		return Feed{}, false, fmt.Errorf("read feed %d: %w", id, err)
	}
	return f, true, nil
}

// deleteFeed stops following url in coll; its articles stay (feed_id becomes NULL).
func (s *Store) deleteFeed(ctx context.Context, coll, url string) (bool, error) {
	tag, err := s.exec(ctx, in(coll), `DELETE FROM feeds WHERE collection = $1 AND url = $2`, coll, url)
	if err != nil {
		return false, fmt.Errorf("untrack %s: %w", url, err)
	}
	return tag.RowsAffected() > 0, nil
}

// errFeedGone is what the writes of a poll's outcome fail with when the feed was untracked
// while it was polled: there is nothing left to record it on.
var errFeedGone = errors.New("the feed is no longer tracked")

// feedSucceeded records a poll of coll's feed id that got an answer (a feed or a 304). It
// fails with errFeedGone when the feed was untracked since.
func (s *Store) feedSucceeded(ctx context.Context, coll string, id int64, title, etag, lastModified string, next time.Time) error {
	tag, err := s.exec(ctx, in(coll), `UPDATE feeds SET title = CASE WHEN $2 = '' THEN title ELSE $2 END,
		etag = $3, last_modified = $4, last_success = now(), last_error = '', failures = 0,
		next_poll = $5 WHERE id = $1`, id, title, etag, lastModified, next)
	if err != nil {
		return fmt.Errorf("record poll: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("record poll: %w", errFeedGone)
	}
	return nil
}

// feedFailed records a failed poll of coll's feed id; the feed is paused when this failure
// is its pauseAt-th in a row. It returns the feed's failures and whether it is now paused;
// it fails with errFeedGone when the feed was untracked since.
func (s *Store) feedFailed(ctx context.Context, coll string, id int64, msg string, next time.Time, pauseAt int) (int, bool, error) {
	var n int
	var paused bool
	_, err := s.query(ctx, in(coll), `UPDATE feeds SET last_error = $2, last_error_at = now(),
		failures = failures + 1, paused = failures + 1 >= $4, next_poll = $3
		WHERE id = $1 RETURNING failures, paused`, []any{id, msg, next, pauseAt}, into(&n, &paused))
	if errors.Is(err, pgx.ErrNoRows) {
		err = errFeedGone
	}
	if err != nil {
		return 0, false, fmt.Errorf("record poll failure: %w", err)
	}
	return n, paused, nil
}

// hasArticle tells whether coll holds the article at the canonical url. It fails only on a
// database error.
func (s *Store) hasArticle(ctx context.Context, coll, url string) (bool, error) {
	var ok bool
	_, err := s.query(ctx, in(coll), `SELECT EXISTS (SELECT 1 FROM articles WHERE collection = $1 AND url = $2)`,
		[]any{coll, url}, into(&ok))
	if err != nil {
		return false, fmt.Errorf("look up article %s: %w", url, err)
	}
	return ok, nil
}

// setArticleFeed marks the article at url as coming from the feed id, unless it came from
// another feed first. It fails with errFeedGone when the feed was untracked since (its row
// is gone, and articles.feed_id refers to it).
func (s *Store) setArticleFeed(ctx context.Context, coll, url string, id int64) error {
	_, err := s.exec(ctx, in(coll), `UPDATE articles SET feed_id = $3 WHERE collection = $1 AND url = $2 AND feed_id IS NULL`, coll, url, id)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == sqlstateForeignKey {
		err = errFeedGone
	}
	if err != nil {
		return fmt.Errorf("mark article of feed: %w", err)
	}
	return nil
}
