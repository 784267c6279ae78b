package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/footnote-bot/footnote/retrieval"
)

const (
	// outputEvery throttles how often a reindex writes its progress into its job's row
	// (one UPDATE each): `footnote reindex` reads it from there at about this pace.
	outputEvery = time.Second
	// finishGrace bounds the last report of an attempt (the final message edit), which
	// may come after the job's context has ended.
	finishGrace = 10 * time.Second
)

// ReindexOutput is what a reindex job records in its row (River's output) as it goes: the
// passages done and to do, and the stats when it is done. `footnote reindex` reads it.
type ReindexOutput struct {
	Done  int                     `json:"done"`
	Total int                     `json:"total"`
	Stats *retrieval.ReindexStats `json:"stats,omitempty"`
}

// ParseReindexOutput reads a reindex job's output (retrieval.Job.Output); none is zero.
func ParseReindexOutput(raw json.RawMessage) (ReindexOutput, error) {
	var out ReindexOutput
	if len(raw) == 0 || string(raw) == "null" {
		return out, nil
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("read reindex progress: %w", err)
	}
	return out, nil
}

// reindexWorker runs Engine.Reindex for one collection, reporting progress in the job's
// output and to the reporter Config.Reporter gives.
type reindexWorker struct {
	river.WorkerDefaults[ReindexArgs]
	engine   Engine
	reporter func(ReindexArgs) ReindexReporter // may be nil
	log      *slog.Logger
}

// Timeout is none from River: the worker ends each attempt itself after reindexSlice.
func (w *reindexWorker) Timeout(*river.Job[ReindexArgs]) time.Duration { return -1 }

// Work reindexes for at most reindexSlice, then hands the job back to carry on (the
// engine's reindex resumes where it stopped). A failure is retried by River with backoff,
// up to reindexAttempts; a stop past the shutdown grace hands the job back at once.
func (w *reindexWorker) Work(ctx context.Context, job *river.Job[ReindexArgs]) error {
	rep := w.newReporter(ctx, job)
	rep.Start(ctx)
	slice, cancel := context.WithTimeout(ctx, reindexSlice)
	defer cancel()
	stats, err := w.engine.Reindex(slice, job.Args.Collection, func(done, total int) { rep.Update(ctx, done, total) })
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), finishGrace)
	defer fcancel()
	switch {
	case err == nil:
		rep.Finish(fctx, stats, nil)
		w.log.Info("reindexed", "collection", job.Args.Collection, "space", stats.Space, "embedded", stats.Embedded, "took", stats.Took)
		return nil
	case ctx.Err() != nil:
		rep.Finish(fctx, stats, errors.New("interrupted: footnote is stopping. The reindex resumes where it stopped when a worker runs again"))
		return river.JobSnooze(0)
	case slice.Err() != nil:
		rep.Finish(fctx, stats, fmt.Errorf("this part took %s; the reindex carries on where it stopped, reported anew", reindexSlice))
		return river.JobSnooze(0)
	case job.Attempt >= job.MaxAttempts:
		rep.Finish(fctx, stats, fmt.Errorf("failed after %d attempts: %w", job.Attempt, err))
	default:
		rep.Finish(fctx, stats, fmt.Errorf("attempt %d of %d failed: %w. It is tried again shortly, from where it stopped", job.Attempt, job.MaxAttempts, err))
	}
	return fmt.Errorf("reindex %s: %w", job.Args.Collection, err)
}

// newReporter is the attempt's reporter: the job's output always, and Config.Reporter's
// when it gives one.
func (w *reindexWorker) newReporter(ctx context.Context, job *river.Job[ReindexArgs]) *jobReporter {
	r := &jobReporter{id: job.ID, log: w.log}
	r.client, _ = river.ClientFromContextSafely[pgx.Tx](ctx)
	if w.reporter != nil {
		r.next = w.reporter(job.Args)
	}
	return r
}

// jobReporter writes a reindex's progress into its job's output, at most every outputEvery
// and once at the end, and passes every report on to next.
type jobReporter struct {
	id     int64
	client *river.Client[pgx.Tx] // nil outside a worker: no output
	next   ReindexReporter       // nil: none
	log    *slog.Logger

	mu          sync.Mutex
	done, total int
	written     time.Time
}

func (r *jobReporter) Start(ctx context.Context) {
	r.write(ctx, ReindexOutput{})
	if r.next != nil {
		r.next.Start(ctx)
	}
}

func (r *jobReporter) Update(ctx context.Context, done, total int) {
	r.mu.Lock()
	r.done, r.total = done, total
	due := time.Since(r.written) >= outputEvery
	if due {
		r.written = time.Now()
	}
	r.mu.Unlock()
	if due {
		r.write(ctx, ReindexOutput{Done: done, Total: total})
	}
	if r.next != nil {
		r.next.Update(ctx, done, total)
	}
}

func (r *jobReporter) Finish(ctx context.Context, stats retrieval.ReindexStats, err error) {
	r.mu.Lock()
	out := ReindexOutput{Done: r.done, Total: r.total}
	r.mu.Unlock()
	if err == nil {
		out.Stats = &stats
	}
	r.write(ctx, out)
	if r.next != nil {
		r.next.Finish(ctx, stats, err)
	}
}

// write stores out as the job's output; a failure is logged (the reindex goes on).
func (r *jobReporter) write(ctx context.Context, out ReindexOutput) {
	if r.client == nil {
		return
	}
	if _, err := r.client.JobUpdate(ctx, r.id, &river.JobUpdateParams{Output: out}); err != nil && ctx.Err() == nil {
		r.log.Warn("record reindex progress", "job_id", r.id, "err", err)
	}
}
