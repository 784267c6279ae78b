package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/footnote-bot/footnote/retrieval"
)

// pollFeedWorker polls one feed through the engine (PollFeedByID: the path `footnote
// poll` takes too) and announces what it added.
type pollFeedWorker struct {
	river.WorkerDefaults[PollFeedArgs]
	engine    Engine
	announcer Announcer // nil: none
	log       *slog.Logger
}

func (w *pollFeedWorker) Timeout(*river.Job[PollFeedArgs]) time.Duration { return pollFeedTimeout }

// Work polls the feed. A feed that failed is not a failed job: the failure is recorded on
// the feed, which waits its backoff (and is paused after retrieval.MaxFeedFailures); the
// job fails, and River retries it, only when the outcome could not be stored. A feed
// untracked while it was polled ends the job quietly: its articles stay, unannounced.
func (w *pollFeedWorker) Work(ctx context.Context, job *river.Job[PollFeedArgs]) error {
	p, err := w.engine.PollFeedByID(ctx, job.Args.FeedID)
	if err != nil {
		return handBack(ctx, fmt.Errorf("poll feed %d: %w", job.Args.FeedID, err))
	}
	if p == nil { // untracked or paused since it was queued
		return nil
	}
	if p.Untracked { // untracked while it was polled: nothing to record, nobody to tell
		w.log.Info("feed untracked while it was polled; its new articles stay, unannounced",
			"collection", p.Feed.Collection, "feed", p.Feed.URL, "items", len(p.Items))
		return nil
	}
	if p.Err != nil && p.RecordErr == nil {
		w.log.Info("feed poll failed", "collection", p.Feed.Collection, "feed", p.Feed.URL, "failures", p.Feed.Failures, "err", p.Err)
	}
	w.log.Debug("feed polled", "collection", p.Feed.Collection, "feed", p.Feed.URL, "items", len(p.Items), "not_modified", p.NotModified)
	w.announce(ctx, *p)
	if p.RecordErr != nil {
		return handBack(ctx, fmt.Errorf("record poll of feed %d: %w", job.Args.FeedID, p.RecordErr))
	}
	return nil
}

// announce posts the poll's new articles in the feed's channel. The articles stay added
// whatever becomes of it; when Discord fails in a way that may pass, the rest are handed
// to an announce_feed job, which River retries with its backoff (a second poll would find
// them known and announce nothing).
func (w *pollFeedWorker) announce(ctx context.Context, p retrieval.FeedPoll) {
	if w.announcer == nil || p.Feed.Channel == "" {
		return
	}
	n, retry, err := w.announcer.AnnounceFeedPoll(ctx, p, 0)
	if n > 0 {
		w.log.Info("feed articles announced", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel, "articles", n)
	}
	if err == nil {
		return
	}
	if !retry {
		w.log.Warn("announce feed articles", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel, "feed", p.Feed.URL, "err", err)
		return
	}
	if qerr := queueAnnounce(ctx, announceArgs(p, n)); qerr != nil {
		w.log.Warn("announce feed articles; could not queue a retry", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel,
			"feed", p.Feed.URL, "err", err, "queue_err", qerr)
		return
	}
	w.log.Info("announce feed articles: will try again", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel, "feed", p.Feed.URL, "err", err)
}

// queueAnnounce inserts an announce_feed job through the River client of ctx (a worker's).
func queueAnnounce(ctx context.Context, a AnnounceArgs) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return err
	}
	// The poll's own context may be near its end; the insert is one statement.
	ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err = client.Insert(ictx, a, nil)
	return err
}

// announceWorker posts what a background poll could not: the articles from From on, in
// the feed's channel, if the feed is still tracked there. A failure that may pass fails
// the attempt (River tries again, attempt⁴ seconds later); one that will not (footnote
// may not post there) ends the job; an attempt that got some out hands the rest to a new
// job, so that a retry does not post those again.
type announceWorker struct {
	river.WorkerDefaults[AnnounceArgs]
	engine    Engine
	announcer Announcer
	log       *slog.Logger
}

func (w *announceWorker) Timeout(*river.Job[AnnounceArgs]) time.Duration { return announceTimeout }

func (w *announceWorker) Work(ctx context.Context, job *river.Job[AnnounceArgs]) error {
	a := job.Args
	feeds, err := w.engine.Feeds(ctx, a.Collection)
	if err != nil {
		return handBack(ctx, fmt.Errorf("announce feed %d: %w", a.FeedID, err))
	}
	if !slices.ContainsFunc(feeds, func(f retrieval.Feed) bool { return f.ID == a.FeedID && f.Channel == a.Channel }) {
		w.log.Info("feed untracked, or announced elsewhere, since its poll: its articles stay, unannounced",
			"collection", a.Collection, "feed", a.FeedURL, "channel_id", a.Channel)
		return nil
	}
	n, retry, err := w.announcer.AnnounceFeedPoll(ctx, a.poll(), a.From)
	if n > 0 {
		w.log.Info("feed articles announced", "collection", a.Collection, "channel_id", a.Channel, "articles", n, "attempt", job.Attempt)
	}
	switch {
	case err == nil:
		return nil
	case !retry:
		w.log.Warn("announce feed articles", "collection", a.Collection, "channel_id", a.Channel, "feed", a.FeedURL, "err", err)
		return river.JobCancel(err)
	case n > 0:
		rest := a
		rest.From += n
		if qerr := queueAnnounce(ctx, rest); qerr != nil {
			return fmt.Errorf("announce feed %d: %w (and the rest could not be queued: %w)", a.FeedID, err, qerr)
		}
		return nil
	}
	return handBack(ctx, fmt.Errorf("announce feed %d: %w", a.FeedID, err))
}

// pollDueWorker hands every due feed to a poll_feed job. The feeds are claimed (their next
// poll moved an interval on) in the transaction that inserts their jobs, so however many
// processes run it, a feed gets one poll per interval; poll_feed's uniqueness keeps a
// second one from queueing while the first is active.
type pollDueWorker struct {
	river.WorkerDefaults[PollDueArgs]
	engine Engine
	log    *slog.Logger
}

func (w *pollDueWorker) Work(ctx context.Context, _ *river.Job[PollDueArgs]) error {
	client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
	if err != nil {
		return fmt.Errorf("poll due feeds: %w", err)
	}
	queued, skipped := 0, 0
	feeds, err := w.engine.ClaimDueFeeds(ctx, func(ctx context.Context, tx pgx.Tx, feeds []retrieval.Feed) error {
		params := make([]river.InsertManyParams, len(feeds))
		for i, f := range feeds {
			params[i] = river.InsertManyParams{Args: PollFeedArgs{FeedID: f.ID}}
		}
		res, err := client.InsertManyTx(ctx, tx, params)
		if err != nil {
			return fmt.Errorf("queue feed polls: %w", err)
		}
		for _, r := range res {
			if r.UniqueSkippedAsDuplicate {
				skipped++
			} else {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		return handBack(ctx, err)
	}
	if len(feeds) > 0 {
		w.log.Info("due feeds queued for polling", "feeds", len(feeds), "queued", queued, "already_queued", skipped)
	}
	return nil
}
