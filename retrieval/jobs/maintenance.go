package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// sweepWorker deletes the collections of servers that removed footnote longer ago than
// their grace period, after its reconciler (when there is one) has scheduled those of
// servers that removed footnote unseen.
type sweepWorker struct {
	river.WorkerDefaults[SweepDeparturesArgs]
	engine     Engine
	reconciler Reconciler // nil: none
	// keepQuestions is Config.QuestionRetention: each sweep forgets the questions asked
	// before it (0: none).
	keepQuestions time.Duration
	log           *slog.Logger
}

func (w *sweepWorker) Timeout(*river.Job[SweepDeparturesArgs]) time.Duration {
	return maintenanceTimeout
}

// Work reconciles, then deletes what is due, then forgets the questions past their
// retention. A failed reconcile is logged and tried again
// at the next sweep: it only schedules deletions (after the grace period), so an hour late
// costs nothing. The collections deleted before a failure stay deleted; the retry does the
// rest.
func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepDeparturesArgs]) error {
	if w.reconciler != nil {
		if err := w.reconciler.ReconcileGuilds(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("find the servers that removed footnote", "err", err)
		}
	}
	removed, err := w.engine.RemoveDue(ctx, time.Now())
	for _, coll := range removed {
		w.log.Info("deleted the articles of a server that removed footnote", "guild_id", coll)
	}
	if err != nil {
		return handBack(ctx, fmt.Errorf("delete the articles of servers that removed footnote: %w", err))
	}
	if w.keepQuestions > 0 {
		n, err := w.engine.ForgetQuestions(ctx, time.Now().Add(-w.keepQuestions))
		if n > 0 {
			w.log.Info("forgot the questions asked longer ago than the retention", "questions", n, "retention", w.keepQuestions)
		}
		if err != nil {
			return handBack(ctx, fmt.Errorf("forget old questions: %w", err))
		}
	}
	return nil
}

// recrawlWorker re-fetches the articles whose recrawl is due, through Config.Recrawler.
type recrawlWorker struct {
	river.WorkerDefaults[RecrawlDueArgs]
	recrawler Recrawler
}

func (w *recrawlWorker) Timeout(*river.Job[RecrawlDueArgs]) time.Duration { return maintenanceTimeout }

func (w *recrawlWorker) Work(ctx context.Context, _ *river.Job[RecrawlDueArgs]) error {
	if err := w.recrawler.RecrawlDue(ctx); err != nil {
		return handBack(ctx, fmt.Errorf("recrawl due articles: %w", err))
	}
	return nil
}

// handBack turns the error of a job whose context was cancelled (the client is stopping,
// past its grace) into a snooze of no time: the job goes back to the queue at once without
// using an attempt, for this process after a restart or another one now. Other errors,
// a timeout's included, are returned for River to retry with backoff.
func handBack(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return river.JobSnooze(0)
	}
	return err
}
