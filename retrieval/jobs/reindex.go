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
// attempt's plan, the passages done and to do, and the stats when it is done. `footnote
// reindex` reads it; the next attempt reads MessageID.
type ReindexOutput struct {
	// Plan is what the attempt set out to do (Engine.PlanReindex), nil before it planned.
	Plan  *retrieval.ReindexPlan  `json:"plan,omitempty"`
	Done  int                     `json:"done"`
	Total int                     `json:"total"`
	Stats *retrieval.ReindexStats `json:"stats,omitempty"`
	// MessageID is the reporter's progress message, for the next attempt to edit.
	MessageID string `json:"message_id,omitempty"`
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

// Timeout is reindexTimeout: the worker ends each attempt itself after reindexSlice.
func (w *reindexWorker) Timeout(*river.Job[ReindexArgs]) time.Duration { return reindexTimeout }

// errReindexLockLost is the cause of the cancellation of a reindex whose collection lock
// was lost.
var errReindexLockLost = errors.New("this process lost its hold on the collection's reindex")

// Work takes the collection's reindex lock (or, when another process holds it, waits
// reindexBusyWait and tries again, using no attempt), plans the reindex and reports the
// plan, then reindexes for at most reindexSlice and hands the job back to carry on (the
// engine's reindex resumes where it stopped). A failure is retried by River with backoff, up
// to reindexAttempts; a stop past the shutdown grace, or the loss of the lock or of the
// process's lease, hands the job back at once. Every end of an attempt but the reindex's
// own is reported as a *retrieval.AttemptError.
func (w *reindexWorker) Work(ctx context.Context, job *river.Job[ReindexArgs]) error {
	lock, err := w.engine.HoldLock(ctx, retrieval.LockKey{Space: reindexLockSpace, Name: job.Args.Collection})
	if errors.Is(err, retrieval.ErrLocked) {
		w.log.Info("a reindex of the collection is running in another process; waiting for it to end",
			"collection", job.Args.Collection, "job_id", job.ID)
		return river.JobSnooze(reindexBusyWait)
	}
	if err != nil {
		return handBack(ctx, fmt.Errorf("reindex %s: %w", job.Args.Collection, err))
	}
	defer lock.Release()
	ctx, release := cancelOnLoss(ctx, lock, errReindexLockLost)
	defer release()
	rep := w.newReporter(ctx, job)
	slice, cancel := context.WithTimeout(ctx, reindexSlice)
	defer cancel()
	var stats retrieval.ReindexStats
	plan, err := w.engine.PlanReindex(slice, job.Args.Collection)
	if err == nil {
		rep.Start(ctx, plan)
		stats, err = w.engine.Reindex(slice, job.Args.Collection, func(done, total int) { rep.Update(ctx, done, total) })
	} else {
		err = fmt.Errorf("plan: %w", err)
	}
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), finishGrace)
	defer fcancel()
	if err == nil {
		rep.Finish(fctx, stats, nil)
		w.log.Info("reindexed", "collection", job.Args.Collection, "space", stats.Space, "embedded", stats.Embedded, "took", stats.Took)
		return nil
	}
	end := &retrieval.AttemptError{Err: err, Attempt: job.Attempt, MaxAttempts: job.MaxAttempts, Next: retrieval.JobRetrying}
	switch {
	case ctx.Err() != nil:
		end.Next, end.Err = retrieval.JobQueued, interruption(ctx)
	case slice.Err() != nil:
		end.Next, end.Err = retrieval.JobQueued, fmt.Errorf("this part took %s, the most one attempt runs", reindexSlice)
	case job.Attempt >= job.MaxAttempts:
		end.Next = retrieval.JobFailed
	}
	rep.Finish(fctx, stats, end)
	if end.Next == retrieval.JobQueued {
		return river.JobSnooze(0)
	}
	return fmt.Errorf("reindex %s: %w", job.Args.Collection, err)
}

// interruption says why ctx, a job's, was cancelled: footnote stopping, or one of the
// holds that guard the job lost.
func interruption(ctx context.Context) error {
	if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) || errors.Is(cause, errReindexLockLost) {
		return fmt.Errorf("interrupted: %w", cause)
	}
	return fmt.Errorf("interrupted, footnote is stopping (%w)", context.Canceled)
}

// newReporter is the attempt's reporter: the job's output always, and Config.Reporter's
// when it gives one. A job queued without a message, whose earlier attempt posted one,
// has that message's id put into the arguments the reporter is made from.
func (w *reindexWorker) newReporter(ctx context.Context, job *river.Job[ReindexArgs]) *jobReporter {
	r := &jobReporter{id: job.ID, log: w.log}
	r.client, _ = river.ClientFromContextSafely[pgx.Tx](ctx)
	if w.reporter != nil {
		args := job.Args
		if args.MessageID == "" {
			if out, err := ParseReindexOutput(job.Output()); err == nil {
				args.MessageID = out.MessageID
			}
		}
		r.next = w.reporter(args)
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
	plan        *retrieval.ReindexPlan
	done, total int
	written     time.Time
}

func (r *jobReporter) Start(ctx context.Context, plan retrieval.ReindexPlan) {
	if r.next != nil {
		r.next.Start(ctx, plan)
	}
	r.mu.Lock()
	r.plan, r.total = &plan, plan.Total()
	out := r.output()
	r.mu.Unlock()
	r.write(ctx, out)
}

func (r *jobReporter) Update(ctx context.Context, done, total int) {
	if r.next != nil {
		r.next.Update(done, total)
	}
	r.mu.Lock()
	r.done, r.total = done, total
	due := time.Since(r.written) >= outputEvery
	if due {
		r.written = time.Now()
	}
	out := r.output()
	r.mu.Unlock()
	if due {
		r.write(ctx, out)
	}
}

func (r *jobReporter) Finish(ctx context.Context, stats retrieval.ReindexStats, err error) {
	if r.next != nil {
		r.next.Finish(ctx, stats, err)
	}
	r.mu.Lock()
	out := r.output()
	r.mu.Unlock()
	if err == nil {
		out.Stats = &stats
	}
	if ctx.Err() != nil {
		// The attempt was cancelled (a stop, or this process lost its lease and the job was
		// taken back): its completion is not this attempt's to record.
		r.write(ctx, out)
		return
	}
	r.record(ctx, out) // written with the job's completion, atomically
}

// output is what is to be recorded now; called with mu held.
func (r *jobReporter) output() ReindexOutput {
	out := ReindexOutput{Plan: r.plan, Done: r.done, Total: r.total}
	if r.next != nil {
		out.MessageID = r.next.MessageID()
	}
	return out
}

// record makes out the job's output when the attempt ends: River stores it in the same
// update that completes, snoozes or fails the job (river.RecordOutput), so that no reader
// sees the job done without its stats, nor the stats of a job still running. A failure is
// logged.
func (r *jobReporter) record(ctx context.Context, out ReindexOutput) {
	if r.client == nil {
		return
	}
	if err := river.RecordOutput(ctx, out); err != nil {
		r.log.Warn("record reindex outcome", "job_id", r.id, "err", err)
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
