package retrieval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Queries on River's river_job table (its schema is River's: see its migrations). They
// read, but for one write: requeueOrphanedJob does for a job whose process is gone what
// River's own rescuer does for a job stuck too long, on the same columns. A job's errors are
// a jsonb array, one {"at","attempt","error","trace"} per failed attempt, the newest last.

// jobCols are the columns scanJob reads, in its order.
const jobCols = `j.id, j.kind, j.state::text, j.attempt, j.max_attempts, j.args, j.metadata -> 'output',
	coalesce(j.errors[array_upper(j.errors, 1)] ->> 'error', ''),
	(j.errors[array_upper(j.errors, 1)] ->> 'at')::timestamptz,
	j.created_at, j.scheduled_at, j.finalized_at`

func scanJob(row pgx.Row, extra ...any) (Job, error) {
	var j Job
	var errAt, finalized *time.Time
	err := row.Scan(append(extra, &j.ID, &j.Kind, &j.State, &j.Attempt, &j.MaxAttempts, &j.Args, &j.Output,
		&j.LastError, &errAt, &j.CreatedAt, &j.ScheduledAt, &finalized)...)
	if errAt != nil {
		j.LastErrorAt = *errAt
	}
	if finalized != nil {
		j.FinalizedAt = *finalized
	}
	j.Phase = JobPhase(j.State)
	return j, err
}

// job returns the job with id; ErrNotFound when there is none.
func (s *Store) job(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.pool.QueryRow(ctx, `SELECT `+jobCols+` FROM river_job j WHERE j.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Job{}, fmt.Errorf("%w: job %d", ErrNotFound, id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("read job %d: %w", id, err)
	}
	return j, nil
}

// jobCounts counts the jobs of each kind by phase, with the newest error of a failed job
// and of a retrying one. It reads the whole table, which River keeps small (done jobs are
// deleted after a day, failed ones after a week): this is for an operator, not a hot path,
// and a read replica may serve it (River writes through its own pool, so it may be up to
// maxReplicaLag behind the jobs' state).
func (s *Store) jobCounts(ctx context.Context) ([]JobCounts, error) {
	var out []JobCounts
	err := s.onReplica(ctx, "", func(p *pgxpool.Pool) error {
		var err error
		out, err = countJobs(ctx, p)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return out, nil
}

// countJobs is jobCounts's query on pool p.
func countJobs(ctx context.Context, p *pgxpool.Pool) ([]JobCounts, error) {
	rows, err := p.Query(ctx, `
		WITH c AS (
			SELECT kind,
				count(*) FILTER (WHERE state IN ('available', 'scheduled', 'pending')) AS queued,
				count(*) FILTER (WHERE state = 'running') AS running,
				count(*) FILTER (WHERE state = 'retryable') AS retrying,
				count(*) FILTER (WHERE state IN ('discarded', 'cancelled')) AS failed,
				count(*) FILTER (WHERE state = 'completed') AS done
			FROM river_job GROUP BY kind)
		SELECT c.kind, c.queued, c.running, c.retrying, c.failed, c.done,
			coalesce(f.err, ''), f.at, coalesce(r.err, '')
		FROM c
		LEFT JOIN LATERAL (
			SELECT j.errors[array_upper(j.errors, 1)] ->> 'error' AS err, j.finalized_at AS at
			FROM river_job j WHERE j.kind = c.kind AND j.state IN ('discarded', 'cancelled')
			ORDER BY j.finalized_at DESC NULLS LAST, j.id DESC LIMIT 1) f ON true
		LEFT JOIN LATERAL (
			SELECT j.errors[array_upper(j.errors, 1)] ->> 'error' AS err
			FROM river_job j WHERE j.kind = c.kind AND j.state = 'retryable'
			ORDER BY j.id DESC LIMIT 1) r ON true
		ORDER BY c.kind`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (JobCounts, error) {
		var c JobCounts
		var at *time.Time
		err := row.Scan(&c.Kind, &c.Queued, &c.Running, &c.Retrying, &c.Failed, &c.Done, &c.LastError, &at, &c.RetryError)
		if at != nil {
			c.LastErrorAt = *at
		}
		return c, err
	})
}

// feedPollJobs returns, by feed id, the newest poll job of each of feeds that is queued,
// running or retrying (River's index on kind finds them; there are at most as many as feeds).
func (s *Store) feedPollJobs(ctx context.Context, feeds []int64) (map[int64]Job, error) {
	out := make(map[int64]Job)
	if len(feeds) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT ON (feed_id) feed_id, `+jobCols+`
		FROM (SELECT (args ->> 'feed_id')::bigint AS feed_id, * FROM river_job
		      WHERE kind = $1 AND state IN ('available', 'scheduled', 'pending', 'running', 'retryable')) j
		WHERE feed_id = ANY($2)
		ORDER BY feed_id, j.id DESC`, FeedPollJobKind, feeds)
	if err != nil {
		return nil, fmt.Errorf("read feed poll jobs: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		j, err := scanJob(rows, &id)
		if err != nil {
			return nil, fmt.Errorf("read feed poll jobs: %w", err)
		}
		out[id] = j
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read feed poll jobs: %w", err)
	}
	return out, nil
}

// leaseGone is the condition that job j's newest attempt was made by a process that holds
// leases (its id, the last of attempted_by, starts with $1) and whose lease, the advisory
// lock ($2, hashtext(its id)) in this database, no session holds: that process is gone.
// Postgres releases a session's locks when it ends, so this is true from the moment a
// killed process's connection closes. pg_locks lists every session's locks to any role.
const leaseGone = `starts_with(j.attempted_by[array_upper(j.attempted_by, 1)], $1)
	AND NOT EXISTS (
		SELECT 1 FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND l.classid = $2::integer::oid
		  AND l.objid = hashtext(j.attempted_by[array_upper(j.attempted_by, 1)])::oid)`

// orphanedJobs returns the running jobs whose attempt's process holds no lease (leaseGone).
// River's index on state finds the running jobs, which are few.
func (s *Store) orphanedJobs(ctx context.Context, l JobLeases) ([]OrphanedJob, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT j.id, j.kind, j.attempt, j.attempted_at, j.attempted_by[array_upper(j.attempted_by, 1)]
		FROM river_job j
		WHERE j.state = 'running' AND `+leaseGone+`
		ORDER BY j.id`, l.Prefix, l.Space)
	if err != nil {
		return nil, fmt.Errorf("find orphaned jobs: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrphanedJob, error) {
		var j OrphanedJob
		err := row.Scan(&j.ID, &j.Kind, &j.Attempt, &j.AttemptedAt, &j.ClientID)
		return j, err
	})
	if err != nil {
		return nil, fmt.Errorf("find orphaned jobs: %w", err)
	}
	return out, nil
}

// requeueOrphanedJob hands job j back to the queue, as River's rescuer does a stuck job: when
// it is still running the attempt found orphaned (same attempted_at) and its process still
// holds no lease, it becomes available at once with why recorded as the attempt's error, or
// discarded (failed) when that was its last attempt. It returns the job's new phase, or ""
// when the job had moved on.
func (s *Store) requeueOrphanedJob(ctx context.Context, l JobLeases, j OrphanedJob, why string) (string, error) {
	var state string
	err := s.pool.QueryRow(ctx, `
		UPDATE river_job j SET
			state = (CASE WHEN j.attempt < j.max_attempts THEN 'available' ELSE 'discarded' END)::river_job_state,
			scheduled_at = CASE WHEN j.attempt < j.max_attempts THEN now() ELSE j.scheduled_at END,
			finalized_at = CASE WHEN j.attempt < j.max_attempts THEN NULL ELSE now() END,
			errors = array_append(j.errors, jsonb_build_object('at', now(), 'attempt', j.attempt, 'error', $5::text, 'trace', ''))
		WHERE j.id = $3 AND j.state = 'running' AND j.attempted_at = $4 AND `+leaseGone+`
		RETURNING j.state::text`, l.Prefix, l.Space, j.ID, j.AttemptedAt, why).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("requeue orphaned job %d: %w", j.ID, err)
	}
	return JobPhase(state), nil
}
