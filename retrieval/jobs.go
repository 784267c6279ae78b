package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Background jobs as the database holds them (River's river_job table), read for people:
// `footnote jobs`, /feeds and `footnote feeds`, and a terminal following a reindex. The jobs
// themselves (their kinds, workers and enqueueing) are in retrieval/jobs; these views only
// read, so that what is shown comes from the database, never from one process's memory.

// Job phases, as people are told them. River's states map onto them: available, scheduled
// and pending are queued; retryable is retrying; completed is done; discarded (its last
// attempt failed) and cancelled are failed.
const (
	JobQueued   = "queued"
	JobRunning  = "running"
	JobRetrying = "retrying"
	JobDone     = "done"
	JobFailed   = "failed"
)

// FeedPollJobKind is the kind of the background job that polls one feed, whose args are
// {"feed_id": ID}. retrieval/jobs defines the job; Feeds reads each feed's from here.
const FeedPollJobKind = "poll_feed"

// Job is one background job.
type Job struct {
	ID          int64
	Kind        string
	Phase       string // JobQueued, JobRunning, JobRetrying, JobDone or JobFailed
	State       string // River's own state
	Attempt     int    // attempts so far, the running one included
	MaxAttempts int
	Args        json.RawMessage
	Output      json.RawMessage // what the job recorded as it went (River's output); nil for none
	LastError   string          // the newest attempt's error; "" when none failed
	LastErrorAt time.Time
	CreatedAt   time.Time
	ScheduledAt time.Time // when it is to run, or run again
	FinalizedAt time.Time // zero until it is done or failed
}

// JobCounts are the jobs of one kind by phase, with the newest failure's error.
type JobCounts struct {
	Kind                                    string
	Queued, Running, Retrying, Failed, Done int
	// LastError is the last attempt's error of the newest failed job, LastErrorAt when it
	// failed; RetryError is the newest error of a job that is retrying.
	LastError   string
	LastErrorAt time.Time
	RetryError  string
}

// JobCounts returns the jobs of every kind in the database, across collections (River
// keeps done jobs a day and failed ones a week), by kind. It fails only on the database.
func (e *Engine) JobCounts(ctx context.Context) ([]JobCounts, error) {
	return e.store.jobCounts(ctx)
}

// Job returns the background job with id; ErrNotFound once River has cleaned it away.
func (e *Engine) Job(ctx context.Context, id int64) (Job, error) {
	return e.store.job(ctx, id)
}

// JobLeases is how the processes that work background jobs show they are alive, so that
// the jobs of one that has gone are taken back at once instead of after River's rescue
// time: each such process holds the advisory lock {Space, its River client id} (HoldLock)
// for as long as it works jobs, and has an id that starts with Prefix, so that the jobs of
// a process that holds no lease (an older footnote) are never taken for orphans.
type JobLeases struct {
	Space  int32
	Prefix string
}

// OrphanedJob is a running job whose attempt's process holds no lease.
type OrphanedJob struct {
	ID          int64
	Kind        string
	Attempt     int
	AttemptedAt time.Time
	ClientID    string // River's id of the process that made the attempt
}

// OrphanedJobs returns the running jobs whose process holds no lease in l: killed, crashed,
// or cut off from the database. It fails only on the database.
func (e *Engine) OrphanedJobs(ctx context.Context, l JobLeases) ([]OrphanedJob, error) {
	return e.store.orphanedJobs(ctx, l)
}

// RequeueOrphanedJob hands j back to the queue, with why as its attempt's error, when it is
// still running that attempt without a lease; a job on its last attempt fails instead. It
// returns JobQueued or JobFailed, or "" when the job had moved on (finished, or taken back
// already), and fails only on the database.
func (e *Engine) RequeueOrphanedJob(ctx context.Context, l JobLeases, j OrphanedJob, why string) (string, error) {
	return e.store.requeueOrphanedJob(ctx, l, j, why)
}

// JobPhase maps River's state onto the phase people are told.
func JobPhase(state string) string {
	switch state {
	case "running":
		return JobRunning
	case "retryable":
		return JobRetrying
	case "completed":
		return JobDone
	case "discarded", "cancelled":
		return JobFailed
	}
	return JobQueued
}

// AttemptError is why one attempt of a background job ended before the job was done, as
// the job's reporter is told it: the cause, and what happens next. Next is JobQueued when
// the job was handed back to carry on where it stopped (footnote stopping, with Err
// wrapping context.Canceled, or the attempt's time slice used up), JobRetrying when the
// attempt failed and is tried again after a backoff, and JobFailed when it failed for good.
type AttemptError struct {
	Err                  error
	Attempt, MaxAttempts int
	Next                 string
}

// Error says what happened and what comes next, for logs and the job's row.
func (e *AttemptError) Error() string {
	switch e.Next {
	case JobRetrying:
		return fmt.Sprintf("attempt %d of %d failed: %v. It is tried again shortly, from where it stopped", e.Attempt, e.MaxAttempts, e.Err)
	case JobFailed:
		return fmt.Sprintf("failed after %d attempts: %v", e.Attempt, e.Err)
	}
	return fmt.Sprintf("%v. It resumes where it stopped", e.Err)
}

// Unwrap returns the cause.
func (e *AttemptError) Unwrap() error { return e.Err }
