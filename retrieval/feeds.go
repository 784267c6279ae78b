package retrieval

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/feed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/jackc/pgx/v5"
)

// Feed polling limits. Track, PollDue and (later) the River jobs all go through them.
const (
	// DefaultFeedEvery is a feed's interval when none is given: fresh enough for news, and
	// 48 requests a day to a site, most of them answered 304.
	DefaultFeedEvery = 30 * time.Minute
	// MinFeedEvery is the shortest interval accepted; shorter would be impolite to sites
	// and buys little, since articles are rarely read within minutes.
	MinFeedEvery = 5 * time.Minute
	// MaxFeedFailures is how many polls in a row may fail before a feed is paused. More
	// rides out a longer outage; fewer stops hammering a dead feed sooner.
	MaxFeedFailures = 8
	// maxFeedBackoff caps the wait after failures (the interval doubles per failure).
	maxFeedBackoff = 24 * time.Hour
	// feedJitter is the share of the interval added or removed at random, so that feeds
	// tracked together do not all come due in the same second.
	feedJitter = 0.1
	// feedItemsDeadline bounds the time one poll spends fetching and embedding its new
	// items (up to 50, each up to a 20 s fetch plus embedding). Longer drains a big backlog
	// in one poll; shorter keeps PollDue from being held up by one slow site, at the cost of
	// leaving the rest of its items, and refetching the feed, at the next poll.
	feedItemsDeadline = 2 * time.Minute
)

// Feed item statuses besides the Add statuses (added, updated, unchanged, duplicate).
const (
	// StatusFailed is an item whose page could not be fetched or read; the poll goes on,
	// and the next one tries the item again.
	StatusFailed = "failed"
	// StatusSkipped is an item whose page its site's robots.txt keeps crawlers from
	// (fetch.ErrDisallowed): not fetched, and not tried again while the feed lists it
	// unchanged.
	StatusSkipped = "skipped"
)

// FeedItem is what a poll did with one new item of a feed.
type FeedItem struct {
	URL       string
	Title     string
	Published time.Time // zero when neither the feed nor the page gives a date
	Status    string    // an Add status, StatusFailed or StatusSkipped
	Error     string    // why, when Status is StatusFailed, StatusSkipped or duplicate
	Notes     []string  // what footnote changed in the stored article (AddedArticle.Notes)
}

// FeedPoll is one poll of one feed.
type FeedPoll struct {
	Feed        Feed
	Items       []FeedItem // the items not in the collection before, newest first
	NotModified bool       // the feed answered 304
	Err         error      // the poll failed (the feed's failures went up)
	Paused      bool       // this failure paused the feed
	// Unfinished is set when the poll's time for items (feedItemsDeadline) ran out: the
	// items not in Items are left to the next poll.
	Unfinished bool
	// RecordErr is set when the poll's outcome could not be stored (the database failed, or
	// ctx ended first); Err holds it too. A feed's own failures are recorded, and wait for
	// the feed's backoff; a poll with RecordErr is worth retrying soon.
	RecordErr error
	// Untracked is set when the feed was untracked while it was polled: the articles the
	// poll added stay (without their feed), nothing is recorded on the feed, and nobody
	// should announce them. RecordErr stays nil: there is nothing to retry.
	Untracked bool
}

// maxClaimedFeeds bounds how many due feeds one claim takes (ClaimDueFeeds, PollDue). More
// are taken by the next claim, a minute later in the background; a larger batch makes one
// transaction (and one insert of jobs) longer.
const maxClaimedFeeds = 1000

// Track follows the feed at rawURL in coll (or the feed an HTML page there advertises),
// polling every `every` (0 keeps a followed feed's interval and gives a new one
// DefaultFeedEvery; less than MinFeedEvery is refused), and
// polls it once at once. A feed that cannot be fetched or read is not tracked: the error
// wraps ErrInvalidInput, ErrInvalidURL, ErrBlockedAddr, ErrFetch, ErrTooLarge or
// feed.ErrMalformed. Tracking a followed feed again sets its interval (when one is given)
// and resumes it.
// channel is where the bot announces the feed's new articles ("" for nowhere, or to keep
// the one set before); the returned poll's Feed.Channel is the one in force.
func (e *Engine) Track(ctx context.Context, coll, rawURL string, every time.Duration, addedBy, channel string) (*FeedPoll, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	if every != 0 && every < MinFeedEvery {
		return nil, fmt.Errorf("%w: a feed is polled at most every %s, not every %s", ErrInvalidInput, MinFeedEvery, every)
	}
	// The URL is fetched as given: canonicalising drops a trailing slash, which changes
	// what a relative <link href> resolves against and, on some servers, the resource. The
	// canonical form is only the key of the feed's row.
	rawURL = strings.TrimSpace(rawURL)
	canon, err := extract.Canonical(rawURL)
	if err != nil {
		return nil, err
	}
	res, err := e.pollFeed(ctx, rawURL, fetch.Conditional{})
	if err != nil {
		return nil, err
	}
	fetchURL := res.URL
	if c, err := extract.Canonical(res.URL); err == nil {
		canon = c
	}
	f, err := e.store.upsertFeed(ctx, coll, canon, fetchURL, res.Title, every, addedBy, channel)
	if err != nil {
		return nil, err
	}
	return e.afterPoll(ctx, f, res), nil
}

// Feeds returns the feeds coll follows, by URL, each with its background poll job when one
// is queued, running or retrying (Feed.Poll).
func (e *Engine) Feeds(ctx context.Context, coll string) ([]Feed, error) {
	feeds, err := e.store.listFeeds(ctx, coll)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(feeds))
	for i, f := range feeds {
		ids[i] = f.ID
	}
	jobs, err := e.store.feedPollJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, f := range feeds {
		if j, ok := jobs[f.ID]; ok {
			feeds[i].Poll = &j
		}
	}
	return feeds, nil
}

// Untrack stops following the feed at rawURL (its canonical URL, as Feeds lists it) in
// coll. Its articles stay. ErrNotFound when coll does not follow it.
func (e *Engine) Untrack(ctx context.Context, coll, rawURL string) error {
	canon, err := extract.Canonical(strings.TrimSpace(rawURL))
	if err != nil {
		return err
	}
	ok, err := e.store.deleteFeed(ctx, coll, canon)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s is not tracked", ErrNotFound, canon)
	}
	return nil
}

// PollDue polls, once, every feed of coll that is due (every unpaused feed when all is
// set; still with conditional requests), and returns each poll. A feed's failure is in its
// FeedPoll, not the error, which is for the database.
//
// Each feed is claimed before it is polled (its next poll moved an interval on, in the
// same statement that finds it due), so a background poll and this one never both take it.
func (e *Engine) PollDue(ctx context.Context, coll string, all bool) ([]FeedPoll, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	feeds, err := e.store.claimDueFeeds(ctx, coll, all, maxClaimedFeeds, nil)
	if err != nil {
		return nil, err
	}
	out := make([]FeedPoll, 0, len(feeds))
	for _, f := range feeds {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out = append(out, e.PollFeed(fetch.Unattended(ctx), f)) // polls take their turn at each site
	}
	return out, nil
}

// ClaimDueFeeds takes the unpaused feeds of every collection whose next poll has come (at
// most maxClaimedFeeds, most overdue first), moves each one's next poll an interval on,
// and calls enqueue with them inside the same transaction, so that the feeds are handed to
// their polls exactly once however many processes claim at the same time: a feed being
// claimed elsewhere is skipped, and one claimed is not due again before its interval. When
// enqueue fails nothing is claimed. It returns the feeds claimed; an error means none were.
func (e *Engine) ClaimDueFeeds(ctx context.Context, enqueue func(ctx context.Context, tx pgx.Tx, feeds []Feed) error) ([]Feed, error) {
	return e.store.claimDueFeeds(ctx, "", false, maxClaimedFeeds, func(tx pgx.Tx, feeds []Feed) error {
		return enqueue(ctx, tx, feeds)
	})
}

// PollFeedByID polls the feed with id as PollDue polls each feed it claims (PollFeed): it
// is the background poll's way in. It returns nil, and no error, when the feed is no
// longer followed or is paused; an error only when the feed could not be read. A failed
// poll is in the FeedPoll (Err, and RecordErr when its outcome could not be stored).
func (e *Engine) PollFeedByID(ctx context.Context, id int64) (*FeedPoll, error) {
	f, found, err := e.store.feedByID(ctx, id)
	if err != nil || !found || f.Paused {
		return nil, err
	}
	// Nobody waits on a scheduled poll: its fetches take their turn at the site.
	p := e.PollFeed(fetch.Unattended(ctx), f)
	return &p, nil
}

// PollFeed polls one feed with its validators, adds its new items and records the outcome.
func (e *Engine) PollFeed(ctx context.Context, f Feed) FeedPoll {
	res, err := e.pollFeed(ctx, f.pollURL(), fetch.Conditional{ETag: f.etag, LastModified: f.lastModified})
	if err != nil {
		n, paused, serr := e.store.feedFailed(ctx, f.Collection, f.ID, oneLine(err.Error()), time.Now().Add(jitter(failureWait(f.Every, f.Failures))), MaxFeedFailures)
		if errors.Is(serr, errFeedGone) {
			return FeedPoll{Feed: f, Err: err, Untracked: true}
		}
		if serr != nil {
			err = errors.Join(err, serr)
		}
		f.Failures, f.Paused, f.LastError = n, paused, oneLine(err.Error())
		if paused {
			e.log.Warn("feed paused after failures", "collection", f.Collection, "feed", f.URL, "failures", n, "err", err)
		}
		return FeedPoll{Feed: f, Err: err, Paused: paused, RecordErr: serr}
	}
	return *e.afterPoll(ctx, f, res)
}

// afterPoll adds the new items of a successful poll and records it.
func (e *Engine) afterPoll(ctx context.Context, f Feed, res *feed.Result) *FeedPoll {
	p := &FeedPoll{Feed: f, NotModified: res.NotModified}
	// Items are fetched under their own deadline; the database work after them is not.
	// Their pages are a crawl: each keeps to its site's robots.txt (fetch.Crawling).
	itemCtx, cancel := context.WithTimeout(fetch.Crawling(ctx), e.feedItemsDeadline)
	defer cancel()
	failed := false
	for _, it := range res.Items {
		if itemCtx.Err() != nil {
			p.Unfinished = true
			break
		}
		canon, err := extract.Canonical(it.URL)
		if err != nil {
			continue
		}
		known, err := e.store.hasArticle(ctx, f.Collection, canon)
		if err == nil && known {
			continue
		}
		title, _ := clipChars(it.Title, MaxTitleChars) // the stored article's title is cut alike
		item := FeedItem{URL: canon, Title: title, Published: it.Published}
		if err != nil { // not known to be new, nor known: a failed item, retried at the next poll
			item.Status, item.Error = StatusFailed, oneLine(err.Error())
			failed = true
			p.Items = append(p.Items, item)
			continue
		}
		added, err := e.addURL(itemCtx, f.Collection, canon, f.AddedBy, &feedEntry{feedID: f.ID, title: title, published: it.Published})
		if added == nil && itemCtx.Err() != nil { // cut off by the deadline: not a failed item
			p.Unfinished = true
			break
		}
		switch {
		case added != nil:
			item.Status = added.Status
			if item.Title == "" {
				item.Title = added.Article.Title
			}
			if item.Published.IsZero() {
				item.Published = added.Article.Published
			}
			item.Notes = added.Notes
			if err != nil {
				item.Error = oneLine(err.Error())
			}
			err := e.store.setArticleFeed(ctx, f.Collection, added.Article.URL, f.ID)
			if errors.Is(err, errFeedGone) {
				p.Untracked = true
			} else if err != nil {
				e.log.Warn("mark feed article", "feed", f.URL, "err", err)
			}
		case errors.Is(err, fetch.ErrDisallowed):
			// The site asks crawlers to leave the page alone: asked again at every poll, it
			// would say the same, and the feed would never be answered 304.
			item.Status, item.Error = StatusSkipped, oneLine(err.Error())
		default:
			item.Status, item.Error = StatusFailed, oneLine(err.Error())
			failed = true
		}
		p.Items = append(p.Items, item)
		if p.Untracked {
			break // no one follows the feed any more: its other items are not wanted
		}
	}
	// After a failed item, or with items left for lack of time, the old validators are
	// kept, so the next poll gets the feed again, not a 304, and retries the items.
	if failed || p.Unfinished {
		res.ETag, res.LastModified = f.etag, f.lastModified
	}
	if res.NotModified && res.ETag == "" {
		res.ETag = f.etag
	}
	if res.NotModified && res.LastModified == "" {
		res.LastModified = f.lastModified
	}
	wait := max(f.Every, min(res.TTL, feed.MaxTTL))
	err := e.store.feedSucceeded(ctx, f.Collection, f.ID, res.Title, res.ETag, res.LastModified, time.Now().Add(jitter(wait)))
	switch {
	case errors.Is(err, errFeedGone):
		p.Untracked = true
	case err != nil:
		p.Err, p.RecordErr = err, err
	}
	p.Feed.Articles += len(p.Items)
	if res.Title != "" {
		p.Feed.Title = res.Title
	}
	return p
}

// pollFeed fetches and parses the feed at rawURL (feed.Poll), with the feed's title cut to
// MaxTitleChars like an article's.
func (e *Engine) pollFeed(ctx context.Context, rawURL string, cond fetch.Conditional) (*feed.Result, error) {
	res, err := feed.Poll(ctx, e.cfg.Fetcher, rawURL, cond)
	if err != nil {
		return nil, err
	}
	res.Title, _ = clipChars(res.Title, MaxTitleChars)
	return res, nil
}

// failureWait is the wait after a feed's failures-th failure in a row (counted before this
// one): the interval doubled per failure, capped at maxFeedBackoff, but never shorter than
// the interval itself, which may exceed the cap for feeds polled less than daily.
func failureWait(every time.Duration, failures int) time.Duration {
	return max(every, min(every<<min(failures+1, 16), maxFeedBackoff))
}

// jitter returns d moved by up to feedJitter of itself, either way, but never below
// MinFeedEvery.
func jitter(d time.Duration) time.Duration {
	return max(MinFeedEvery, time.Duration(jitterFactor()*float64(d)))
}

// jitterFactor is what jitter multiplies by: a random factor within feedJitter of 1, for
// the queries that jitter an interval the database holds.
func jitterFactor() float64 { return 1 + (rand.Float64()*2-1)*feedJitter }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
