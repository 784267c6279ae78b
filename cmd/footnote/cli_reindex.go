package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/jobs"
)

// followEvery is how often `footnote reindex` reads its job's state and progress: often
// enough for a bar redrawn every second, one read by primary key each time.
const followEvery = 250 * time.Millisecond

// cmdReindex queues a reindex of the collection as a background job (or finds the one
// queued or running already) and follows it on the terminal until it is done. While it
// follows, it works the reindex queue itself (never River's leader), so the job runs
// with no other worker about; a `footnote worker` or `serve` may take it first, and then
// its progress is followed from the database all the same.
func (m *Main) cmdReindex(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("reindex", true)
	if pos, err := m.parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return m.usageError("reindex")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.openJobs(ctx, jobs.WorkReindex, nil); err != nil {
		return err
	}
	j, err := m.Jobs.EnqueueReindex(ctx, jobs.ReindexArgs{Collection: *coll, RequestedBy: "cli"})
	if err != nil {
		return err
	}
	if j.Duplicate {
		fmt.Fprintf(m.Stderr, "a reindex of %s is already %s (job %d); following it\n", *coll, j.Phase, j.ID)
	} else {
		fmt.Fprintf(m.Stderr, "reindex of %s queued (job %d)\n", *coll, j.ID)
	}
	if err := m.Jobs.Start(ctx); err != nil {
		return err
	}
	st, err := m.followReindex(ctx, *coll, j.ID)
	if err != nil {
		return err // Close hands a job still running here back to the queue
	}
	sctx, cancel := context.WithTimeout(context.Background(), stopDeadline)
	defer cancel()
	if err := m.Jobs.Stop(sctx, shutdownGrace); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "reindexed %s into %s: %s, %s, %d embedded, %d re-tokenised, %d old vectors deleted, in %s\n",
		*coll, st.Space, counted(st.Articles, "article"), counted(st.Passages, "passage"), st.Embedded, st.Relexed,
		st.Deleted, st.Took.Round(time.Millisecond))
	return nil
}

// errReindexInterrupted is a followed reindex stopped by SIGINT or SIGTERM.
var errReindexInterrupted = errors.New("interrupted")

// followReindex shows job id's progress on stderr until it is done, and returns its
// stats: each attempt's plan as the job records it (so a remote model's cost is known
// before it is spent), then the progress line the bot's channel message shows too. A
// failed attempt is reported as it is seen; the job failing for good, or waiting for a
// retry that only a running worker's scheduler can start, ends the following with an error
// saying so. Interrupted, the job is handed back to the queue (Close stops this process's
// worker), to resume where it stopped.
func (m *Main) followReindex(ctx context.Context, coll string, id int64) (retrieval.ReindexStats, error) {
	bar := &passageProgress{w: m.Stderr, start: newProgress}
	defer func() { bar.stop() }()
	tick := time.NewTicker(followEvery)
	defer tick.Stop()
	seenErr := ""
	var seenPlan *retrieval.ReindexPlan
	for {
		j, err := m.Engine.Job(ctx, id)
		if err != nil && ctx.Err() == nil {
			return retrieval.ReindexStats{}, fmt.Errorf("follow reindex job %d: %w", id, err)
		}
		out, _ := jobs.ParseReindexOutput(j.Output)
		if j.LastError != "" && j.LastError != seenErr {
			seenErr = j.LastError
			bar.stop()
			bar = &passageProgress{w: m.Stderr, start: newProgress}
			fmt.Fprintf(m.Stderr, "attempt %d of %d failed: %s\n", j.Attempt, j.MaxAttempts, oneLineText(j.LastError, 500))
		}
		if out.Plan != nil && (seenPlan == nil || *out.Plan != *seenPlan) {
			// A new attempt (a retry, or the next part of a long reindex) plans anew, and
			// counts its progress from 0.
			seenPlan = out.Plan
			bar.stop()
			bar = &passageProgress{w: m.Stderr, start: newProgress}
			fmt.Fprintln(m.Stderr, bot.ReindexPlanText(*out.Plan))
		}
		if out.Total > 0 {
			bar.batch(out.Done, out.Total)
		}
		switch j.Phase {
		case retrieval.JobDone:
			if out.Stats == nil {
				return retrieval.ReindexStats{}, fmt.Errorf("reindex job %d is done but recorded no stats", id)
			}
			return *out.Stats, nil
		case retrieval.JobFailed:
			return retrieval.ReindexStats{}, fmt.Errorf("reindex of %s failed after %d attempts (`footnote jobs` shows it)", coll, j.Attempt)
		case retrieval.JobRetrying:
			return retrieval.ReindexStats{}, fmt.Errorf("reindex of %s is to be retried at %s, from where it stopped, by a running "+
				"`footnote worker` or `footnote serve` (or run `footnote reindex` again then)", coll, stamp(j.ScheduledAt))
		}
		select {
		case <-ctx.Done():
			fmt.Fprintf(m.Stderr, "stopped following: job %d goes back to the queue and resumes where it stopped in the next worker "+
				"(`footnote worker`, `footnote serve`, or `footnote reindex` again)\n", id)
			return retrieval.ReindexStats{}, errReindexInterrupted
		case <-tick.C:
		}
	}
}
