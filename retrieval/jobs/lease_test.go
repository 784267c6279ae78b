package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
)

// row is a job's row as River keeps it, for the tests that look past the engine's view.
type row struct {
	State       string
	Attempt     int
	AttemptedBy []string
	Errors      []string
	Snoozes     int
}

func readRow(t *testing.T, dsn string, id int64) row {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var r row
	var errs []json.RawMessage
	err = c.QueryRow(ctx, `SELECT state::text, attempt, coalesce(attempted_by, '{}'), coalesce(errors, '{}'),
		coalesce((metadata ->> 'snoozes')::int, 0) FROM river_job WHERE id = $1`, id).Scan(&r.State, &r.Attempt, &r.AttemptedBy, &errs, &r.Snoozes)
	if err != nil {
		t.Fatalf("read job %d: %v", id, err)
	}
	for _, e := range errs {
		var ae struct{ Error string }
		_ = json.Unmarshal(e, &ae)
		r.Errors = append(r.Errors, ae.Error)
	}
	return r
}

// running makes job id look as River leaves a job that client is running: attempted,
// running, its attempt counted.
func running(t *testing.T, dsn string, id int64, client string, attempt int) {
	t.Helper()
	exec(t, dsn, `UPDATE river_job SET state = 'running', attempt = $2, attempted_at = now(), attempted_by = ARRAY[$3]
		WHERE id = $1`, id, attempt, client)
}

func TestTheJobOfAProcessThatHoldsNoLeaseIsTakenBack(t *testing.T) {
	dsn, e, _ := newDB(t)
	ctx := context.Background()
	ins, err := Open(ctx, dsn, Config{Engine: e}) // inserts only
	if err != nil {
		t.Fatal(err)
	}
	defer ins.Close()
	live, err := e.HoldLock(ctx, retrieval.LockKey{Space: leaseLockSpace, Name: clientIDPrefix + "alive"})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()
	// Polls of feeds that nothing works here (the watcher's client works the reindex queue
	// only), each left running by a process of its own. The gone one comes last: the
	// watcher takes the jobs it finds in id order, so once it has taken that one back, it
	// has judged the others on the same look.
	tests := []struct {
		name, client string
		attempt      int
		want         string // River's state once the gone process's job is taken back
	}{
		{"a job of a live process keeps running", clientIDPrefix + "alive", 1, "running"},
		{"a job of a process that takes no lease (an older footnote) is left to River's rescue", "vm_2026_01_01T00_00_00_000000", 1, "running"},
		{"a job on its last attempt whose process is gone fails", clientIDPrefix + "gone_last", pollFeedAttempts, "discarded"},
		{"a job whose process is gone is queued again, with why", clientIDPrefix + "gone", 1, "available"},
	}
	ids := make([]int64, len(tests))
	for i, tt := range tests {
		if ids[i], _, err = ins.Insert(ctx, PollFeedArgs{FeedID: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
		running(t, dsn, ids[i], tt.client, tt.attempt)
	}
	begin := time.Now()
	start(t, dsn, Config{Engine: e, Work: WorkReindex})
	last := ids[len(ids)-1]
	waitFor(t, "the gone process's job to be taken back", func() bool { return readRow(t, dsn, last).State != "running" })
	took := time.Since(begin)

	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := readRow(t, dsn, ids[i])
			if r.State != tt.want || r.Attempt != tt.attempt {
				t.Errorf("job %+v; want %s, attempt %d", r, tt.want, tt.attempt)
			}
			if gone := tt.want != "running"; gone != (len(r.Errors) == 1 && r.Errors[0] == orphanWhy) {
				t.Errorf("errors %q", r.Errors)
			}
		})
	}
	t.Run("it is taken back orphanAfter after it is first seen", func(t *testing.T) {
		if took < orphanAfter || took > orphanAfter+2*orphanCheckEvery+5*time.Second {
			t.Errorf("taken back after %s, want %s and up to a check or two more", took, orphanAfter)
		}
	})
}

// stubbornEngine's first reindex runs until released, whatever its context says (a job
// that does not return when cancelled); the others return at once. It records how many
// reindexes ran at once at most, in any client.
type stubbornEngine struct {
	cutOffEngine
	started, release chan struct{}
	calls, now, most atomic.Int32
	mu               sync.Mutex
	causes           []error // the first reindex's context's cause, when it ended
}

func (s *stubbornEngine) Reindex(ctx context.Context, coll string, progress func(done, total int)) (retrieval.ReindexStats, error) {
	n := s.now.Add(1)
	defer s.now.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	if s.calls.Add(1) > 1 {
		return retrieval.ReindexStats{Passages: 1}, nil
	}
	close(s.started)
	<-s.release
	s.mu.Lock()
	s.causes = append(s.causes, context.Cause(ctx))
	s.mu.Unlock()
	return retrieval.ReindexStats{Passages: 1}, nil
}

// cutOffEngine refuses the lease of the client it was told to (refuse), as a database out
// of that process's reach would, while the client's River pool still works.
type cutOffEngine struct {
	Engine
	mu      sync.Mutex
	refused string
}

func (s *cutOffEngine) HoldLock(ctx context.Context, key retrieval.LockKey) (*retrieval.HeldLock, error) {
	s.mu.Lock()
	refused := key.Space == leaseLockSpace && key.Name == s.refused
	s.mu.Unlock()
	if refused {
		return nil, errors.New("connect: connection refused (the test cut this process off)")
	}
	return s.Engine.HoldLock(ctx, key)
}

// refuse makes the engine refuse c's lease from now on.
func (s *cutOffEngine) refuse(c *Client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused = c.lease.id()
}

// cutLease ends the session that holds c's lease, as a cut connection or an administrator
// would end it.
func cutLease(t *testing.T, dsn string, c *Client) {
	t.Helper()
	exec(t, dsn, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = $1::integer::oid AND objid = hashtext($2)::oid AND objsubid = 2`,
		leaseLockSpace, c.lease.id())
}

// waitClosed waits up to 30 s for ch to be closed.
func waitClosed(t *testing.T, what string, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestTwoProcessesNeverRunOneReindexAtOnce(t *testing.T) {
	tests := []struct {
		name string
		// rescue queues the job again while the first process still runs it.
		rescue func(t *testing.T, dsn string, eng *stubbornEngine, first *Client, id int64)
		// lost is set when the first process loses its lease for good: its reindex is
		// cancelled (and carries on, stubborn), and it must fetch the job no more.
		lost bool
	}{
		{"not when River's rescue queues a copy of a reindex that overran", func(t *testing.T, dsn string, _ *stubbornEngine, _ *Client, id int64) {
			exec(t, dsn, `UPDATE river_job SET state = 'available', scheduled_at = now() WHERE id = $1`, id)
		}, false},
		{"not when the first process's lease is lost and another takes the job back", func(t *testing.T, dsn string, eng *stubbornEngine, first *Client, _ int64) {
			// Its connection cut for good, while its River pool still works.
			eng.refuse(first)
			cutLease(t, dsn, first)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn, e, coll := newDB(t)
			ctx := context.Background()
			eng := &stubbornEngine{cutOffEngine: cutOffEngine{Engine: e}, started: make(chan struct{}), release: make(chan struct{})}
			a := start(t, dsn, Config{Engine: eng, Work: WorkReindex})
			var once sync.Once
			release := func() { once.Do(func() { close(eng.release) }) }
			t.Cleanup(release) // before a stops, which waits for the reindex
			j, err := a.EnqueueReindex(ctx, ReindexArgs{Collection: coll})
			if err != nil {
				t.Fatal(err)
			}
			waitClosed(t, "the first reindex to start", eng.started)
			b := start(t, dsn, Config{Engine: eng, Work: WorkReindex})
			begin := time.Now()
			tt.rescue(t, dsn, eng, a, j.ID)
			waitFor(t, "the second process to try the job and wait (or run it)", func() bool {
				r := readRow(t, dsn, j.ID)
				return slices.Contains(r.AttemptedBy, b.lease.id()) && r.Snoozes > 0 || eng.calls.Load() > 1
			})
			if n := eng.most.Load(); n != 1 {
				t.Fatalf("%d reindexes of the collection ran at once", n)
			}
			release()
			// A lost lease's job comes back through a chain of timers (the lock check,
			// orphanAfter, the orphan check, reindexBusyWait): done 15-17 s after the cut,
			// in 10 runs with -race on a busy machine. When the leaseless process still
			// fetched jobs, it snoozed this one whenever it won it from the second process,
			// and won most rounds once it had won one: 14 s to 3 minutes
			// (Client.followLease). A minute says that came back.
			var done retrieval.Job
			deadline := time.Now().Add(time.Minute)
			for {
				var err error
				if done, err = e.Job(ctx, j.ID); err != nil {
					t.Fatal(err)
				}
				if done.Phase == retrieval.JobDone || done.Phase == retrieval.JobFailed {
					break
				}
				if time.Now().After(deadline) {
					r := readRow(t, dsn, j.ID)
					t.Fatalf("job %d still %s after a minute: state %s, attempt %d, %d snoozes, attempted by %q (first %s, second %s), errors %q, %d reindex calls",
						j.ID, done.Phase, r.State, r.Attempt, r.Snoozes, r.AttemptedBy, a.lease.id(), b.lease.id(), r.Errors, eng.calls.Load())
				}
				time.Sleep(50 * time.Millisecond)
			}
			took := time.Since(begin)
			if done.Phase != retrieval.JobDone || eng.most.Load() != 1 {
				t.Errorf("job %s; at most %d reindexes at once, want done with one at a time", done.Phase, eng.most.Load())
			}
			r := readRow(t, dsn, j.ID)
			t.Logf("done %.1f s after the rescue: %d snoozes, attempted by first %d, second %d times", took.Seconds(), r.Snoozes,
				countOf(r.AttemptedBy, a.lease.id()), countOf(r.AttemptedBy, b.lease.id()))
			if !tt.lost {
				return
			}
			// The first process stops fetching within a lock check or two of the loss, long
			// before the job is taken back (orphanAfter), so it never fetches it again.
			if n := countOf(r.AttemptedBy, a.lease.id()); n != 1 {
				t.Errorf("the leaseless process fetched the job %d times, want once (its attempt before the loss); attempted by %q, %d snoozes",
					n, r.AttemptedBy, r.Snoozes)
			}
			eng.mu.Lock()
			causes := eng.causes
			eng.mu.Unlock()
			if len(causes) != 1 || !errors.Is(causes[0], errLeaseLost) {
				t.Errorf("the first reindex's context ended with %v, want %v", causes, errLeaseLost)
			}
		})
	}
}

// countOf is how many times s holds v.
func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestAProcessThatLosesItsLeaseCancelsItsJobsAndResumesThemOnceItHoldsItAgain(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	eng := &blockingEngine{Engine: e, started: make(chan struct{}), release: make(chan struct{})}
	calls := atomic.Int32{}
	eng.reindexF = func(ctx context.Context) (retrieval.ReindexStats, error) {
		if calls.Add(1) > 1 {
			return retrieval.ReindexStats{Passages: 1}, nil
		}
		close(eng.started)
		<-ctx.Done()
		return retrieval.ReindexStats{}, ctx.Err()
	}
	rep := newReporter()
	c := start(t, dsn, Config{Engine: eng, Work: WorkReindex, Reporter: rep.attempt})
	j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll, ChannelID: "chan-1"})
	if err != nil {
		t.Fatal(err)
	}
	waitClosed(t, "the reindex to start", eng.started)
	// The lease's session ends, as a cut connection or an administrator would end it.
	cutLease(t, dsn, c)
	select {
	case <-rep.finished:
	case <-time.After(30 * time.Second):
		t.Fatal("the reindex was not interrupted within 30 s of the lease's loss")
	}
	done := waitJob(t, e, j.ID, retrieval.JobDone, retrieval.JobFailed)

	t.Run("the running reindex is told why it was interrupted, and that it resumes", func(t *testing.T) {
		ev := rep.seen()
		want := "queued: interrupted: " + errLeaseLost.Error() + ". It resumes where it stopped"
		if !slices.Contains(ev, want) {
			t.Errorf("reporter saw %q, want %q", ev, want)
		}
	})
	t.Run("the job runs again once the lease is held again, with no attempt spent", func(t *testing.T) {
		r := readRow(t, dsn, j.ID)
		if done.Phase != retrieval.JobDone || calls.Load() != 2 || r.Attempt != 1 {
			t.Errorf("job %s after %d reindexes, %+v; want done by the second, on attempt 1", done.Phase, calls.Load(), r)
		}
		if !strings.HasPrefix(c.lease.id(), clientIDPrefix) || !slices.Equal(slices.Compact(r.AttemptedBy), []string{c.lease.id()}) {
			t.Errorf("attempted by %q, want this process (%s) alone", r.AttemptedBy, c.lease.id())
		}
	})
}

func TestAProcessWithoutItsLeaseFetchesNoJobs(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	eng := &cutOffEngine{Engine: e}
	a := start(t, dsn, Config{Engine: eng, Work: WorkReindex})
	eng.refuse(a)
	cutLease(t, dsn, a)
	waitFor(t, "the leaseless process to stop fetching", a.notFetching.Load)
	j, err := a.EnqueueReindex(ctx, ReindexArgs{Collection: coll}) // a River client inserts without a lease
	if err != nil {
		t.Fatal(err)
	}
	// The insert's notification and three fetch polls: a process that fetched would have
	// taken the job (and snoozed it, lease.Work) within the first.
	time.Sleep(3 * time.Second)
	t.Run("the leaseless process leaves a new job queued", func(t *testing.T) {
		if r := readRow(t, dsn, j.ID); r.State != "available" || len(r.AttemptedBy) != 0 || r.Snoozes != 0 {
			t.Errorf("job %+v, want available and never attempted", r)
		}
	})
	b := start(t, dsn, Config{Engine: e, Work: WorkReindex})
	begin := time.Now()
	done := waitJob(t, e, j.ID, retrieval.JobDone, retrieval.JobFailed)
	t.Run("a process that holds its lease runs it at once, alone", func(t *testing.T) {
		r := readRow(t, dsn, j.ID)
		if done.Phase != retrieval.JobDone || !slices.Equal(r.AttemptedBy, []string{b.lease.id()}) || r.Snoozes != 0 {
			t.Errorf("job %s, %+v; want done by the second process (%s) on its first try", done.Phase, r, b.lease.id())
		}
		if took := time.Since(begin); took > 10*time.Second {
			t.Errorf("done %s after the second process started", took)
		}
	})
}
