package jobs

import (
	"context"
	"fmt"
	"log/slog"
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

// announce posts the articles waiting to be announced in the poll's feed's channel: the
// poll's new ones, and any an earlier announcer left (a process that died, a Discord
// outage that outlasted a job). The articles stay added whatever becomes of it; when
// Discord fails in a way that may pass, an announce_feed job tries again with River's
// backoff (and the feed's next poll would, too).
func (w *pollFeedWorker) announce(ctx context.Context, p retrieval.FeedPoll) {
	if w.announcer == nil || p.Feed.Channel == "" {
		return
	}
	n, retry, err := w.engine.AnnounceFeed(ctx, p.Feed.Collection, p.Feed.ID, w.announcer.AnnounceFeedPoll)
	if n > 0 {
		w.log.Info("feed articles announced", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel, "articles", n)
	}
	if err == nil || !retry { // a refusal is logged by AnnounceFeed
		return
	}
	if qerr := queueAnnounce(ctx, AnnounceArgs{Collection: p.Feed.Collection, FeedID: p.Feed.ID}); qerr != nil {
		w.log.Warn("announce feed articles; could not queue a retry (the feed's next poll will try)", "collection", p.Feed.Collection,
			"channel_id", p.Feed.Channel, "feed", p.Feed.URL, "err", err, "queue_err", qerr)
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

// announceWorker posts the articles of a feed that wait to be announced, in the feed's
// channel (retrieval.Engine.AnnounceFeed: an untracked feed, or one without a channel now,
// posts nothing). A failure that may pass fails the attempt, and River tries again
// (attempt⁴ seconds later), from the articles not posted yet; one that will not (footnote
// may not post there) ends the job.
type announceWorker struct {
	river.WorkerDefaults[AnnounceArgs]
	engine    Engine
	announcer Announcer
	log       *slog.Logger
}

func (w *announceWorker) Timeout(*river.Job[AnnounceArgs]) time.Duration { return announceTimeout }

func (w *announceWorker) Work(ctx context.Context, job *river.Job[AnnounceArgs]) error {
	a := job.Args
	n, retry, err := w.engine.AnnounceFeed(ctx, a.Collection, a.FeedID, w.announcer.AnnounceFeedPoll)
	if n > 0 {
		w.log.Info("feed articles announced", "collection", a.Collection, "feed_id", a.FeedID, "articles", n, "attempt", job.Attempt)
	}
	switch {
	case err == nil:
		return nil
	case !retry:
		return river.JobCancel(err)
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
