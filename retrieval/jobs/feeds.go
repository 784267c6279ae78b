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

// announce posts the poll's new articles in the feed's channel; a failure is logged, and
// the articles stay added (a retry would find them known and announce nothing).
func (w *pollFeedWorker) announce(ctx context.Context, p retrieval.FeedPoll) {
	if w.announcer == nil || p.Feed.Channel == "" {
		return
	}
	n, err := w.announcer.AnnounceFeedPoll(ctx, p)
	if err != nil {
		w.log.Warn("announce feed articles", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel, "feed", p.Feed.URL, "err", err)
	}
	if n > 0 {
		w.log.Info("feed articles announced", "collection", p.Feed.Collection, "channel_id", p.Feed.Channel, "articles", n)
	}
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
