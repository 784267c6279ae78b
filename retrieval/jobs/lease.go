package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footnote-bot/footnote/retrieval"
)

// A process that works jobs holds a lease for as long as it does: the advisory lock
// {leaseLockSpace, its River client id}, on a connection of its own (retrieval.HoldLock).
// River records that id in every job the process fetches (attempted_by). When the process
// dies, however it dies, Postgres ends its session and the lock with it, and any other
// working process sees, within orphanCheckEvery, that the job's process is gone; after
// orphanAfter it hands the job back to the queue (retrieval.RequeueOrphanedJob), to resume
// where it stopped. A process that loses its lease while alive (its connection cut) cancels
// its running jobs and stops fetching jobs (Client.followLease) until it holds the lease
// again.
//
// River's own rescue (rescueStuckAfter) stays, as the backstop for a live process whose job
// will not return, and for processes that hold no lease.

// Advisory lock spaces (retrieval.LockKey.Space): numbers footnote uses for nothing else.
const (
	leaseLockSpace   int32 = 0x666e0001 // a working process's lease, by River client id
	reindexLockSpace int32 = 0x666e0002 // a running reindex, by collection
)

// clientIDPrefix starts the River client id of every process that holds a lease; the jobs
// of other ids (an older footnote, which holds none) are left to River's rescue.
const clientIDPrefix = "leased_"

// leases is how the orphaned jobs are found.
var leases = retrieval.JobLeases{Space: leaseLockSpace, Prefix: clientIDPrefix}

const (
	// orphanAfter is how long a running job's process must be seen without its lease before
	// the job is handed back. It trades how soon a crashed process's jobs resume (this, plus
	// up to orphanCheckEvery, after the crash is first seen) against never running a job
	// twice at once: a live process that lost its lease notices within about twice the lock
	// check period (retrieval's lockCheckEvery, 2 s) and cancels its jobs, which return at
	// once; waiting longer than that means the job's next attempt starts after the last one
	// stopped.
	orphanAfter = 10 * time.Second
	// orphanCheckEvery is how often every working process looks for orphaned jobs: one query
	// over the running jobs and pg_locks. Shorter resumes crashed jobs a little sooner.
	orphanCheckEvery = 2 * time.Second
	// leaseRetryEvery is how often a process that lost its lease tries to take it again; a
	// job it fetches meanwhile is handed back to run this much later.
	leaseRetryEvery = 3 * time.Second
	// leaseIDTries bounds the ids a client tries for its lease: a taken one is another
	// client's whose id hashes the same (hashtext is 32 bits), which a new random id avoids.
	leaseIDTries = 3
)

// errLeaseLost is the cause of the cancellation of the jobs of a process that lost its lease.
var errLeaseLost = errors.New("this process lost its connection to the database, so another takes the job over")

// lease is a working client's lease, and the River middleware that runs jobs under it.
type lease struct {
	river.MiddlewareDefaults
	engine Engine
	key    retrieval.LockKey
	log    *slog.Logger

	mu   sync.Mutex
	held *retrieval.HeldLock // nil while lost
	// changed is signalled (never blocking: one pending signal stands for any number)
	// whenever held becomes nil or is held again.
	changed chan struct{}

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// takeLease takes a lease under a new client id, which it returns with the lease.
func takeLease(ctx context.Context, engine Engine, log *slog.Logger) (*lease, error) {
	var err error
	for range leaseIDTries {
		key := retrieval.LockKey{Space: leaseLockSpace, Name: newClientID()}
		var held *retrieval.HeldLock
		if held, err = engine.HoldLock(ctx, key); err == nil {
			l := &lease{engine: engine, key: key, log: log, held: held, changed: make(chan struct{}, 1),
				stop: make(chan struct{}), done: make(chan struct{})}
			go l.keep()
			return l, nil
		}
		if !errors.Is(err, retrieval.ErrLocked) {
			break
		}
	}
	return nil, fmt.Errorf("take this process's lease: %w", err)
}

// newClientID is a River client id for this process: the prefix, the host, the process id
// and a random part (River wants it unique, and at most 100 characters).
func newClientID() string {
	host, _ := os.Hostname()
	host = strings.NewReplacer(".", "_", "-", "_").Replace(host)
	if len(host) > 40 {
		host = host[:40]
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s%s_%d_%s", clientIDPrefix, host, os.Getpid(), hex.EncodeToString(b))
}

// id is the River client id the lease is named by.
func (l *lease) id() string { return l.key.Name }

// holds says whether the lease is held now.
func (l *lease) holds() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held != nil
}

// set records held (nil when lost) and signals changed.
func (l *lease) set(held *retrieval.HeldLock) {
	l.mu.Lock()
	l.held = held
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// keep takes the lease again whenever it is lost, until close.
func (l *lease) keep() {
	defer close(l.done)
	for {
		l.mu.Lock()
		held := l.held
		l.mu.Unlock()
		select {
		case <-l.stop:
			return
		case <-held.Lost():
		}
		l.log.Warn("lost this process's lease on the database; its running jobs are cancelled, and taken over by another process",
			"client_id", l.id())
		l.set(nil)
		held.Release()
		for held = nil; held == nil; {
			select {
			case <-l.stop:
				return
			case <-time.After(leaseRetryEvery):
			}
			ctx, cancel := context.WithTimeout(context.Background(), leaseRetryEvery)
			var err error
			held, err = l.engine.HoldLock(ctx, l.key)
			cancel()
			if err != nil {
				l.log.Debug("take the lease again", "client_id", l.id(), "err", err)
			}
		}
		l.log.Info("holding this process's lease again; working jobs", "client_id", l.id())
		l.set(held)
	}
}

// close stops keeping the lease and releases it: other processes may take this one's
// running jobs from now on, so it comes after the client has stopped. It may be called
// more than once.
func (l *lease) close() {
	l.closeOnce.Do(func() {
		close(l.stop)
		<-l.done
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.held != nil {
			l.held.Release()
			l.held = nil
		}
	})
}

// Work runs a job while the lease is held: a job fetched while it is not (in the moment
// between the loss and the client's queues stopping, Client.followLease) is handed back to
// run after leaseRetryEvery, and a running job's context is cancelled (errLeaseLost its
// cause) when the lease is lost.
func (l *lease) Work(ctx context.Context, _ *rivertype.JobRow, doInner func(context.Context) error) error {
	l.mu.Lock()
	held := l.held
	l.mu.Unlock()
	if held == nil {
		return river.JobSnooze(leaseRetryEvery)
	}
	ctx, cancel := cancelOnLoss(ctx, held, errLeaseLost)
	defer cancel()
	return doInner(ctx)
}

// cancelOnLoss returns ctx cancelled, with cause, when held is lost; cancel releases it.
func cancelOnLoss(ctx context.Context, held *retrieval.HeldLock, cause error) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(ctx)
	stop := context.AfterFunc(held.Context(), func() {
		if errors.Is(context.Cause(held.Context()), retrieval.ErrLockLost) {
			cancel(cause)
		}
	})
	return ctx, func() { stop(); cancel(nil) }
}

// orphanWhy is the error an orphaned job's attempt is recorded with.
const orphanWhy = "the process running this attempt stopped (killed, crashed, or cut off from the database); another took the job back to resume it"

// watchOrphans hands back, every orphanCheckEvery until ctx ends, the running jobs whose
// process has been seen without its lease for orphanAfter: on every check from the first
// sighting to one orphanAfter later (counted in checks, which a slow check only delays). It
// runs in every working process (the requeue is conditional, so two of them taking the
// same job back do it once), with no leader needed: `footnote reindex` alone takes back
// the reindex of the process it replaces.
func watchOrphans(ctx context.Context, engine Engine, log *slog.Logger) {
	type attempt struct {
		id int64
		at time.Time
	}
	checks := int(orphanAfter/orphanCheckEvery) + 1 // the first sighting and one every check since
	seen := map[attempt]int{}                       // each orphaned attempt's sightings in a row
	tick := time.NewTicker(orphanCheckEvery)
	defer tick.Stop()
	for {
		orphans, err := engine.OrphanedJobs(ctx, leases)
		if err != nil && ctx.Err() == nil {
			log.Warn("look for the jobs of stopped processes", "err", err)
		}
		still := map[attempt]int{}
		for _, j := range orphans {
			a := attempt{j.ID, j.AttemptedAt}
			n := seen[a] + 1
			if n == 1 {
				log.Info("a running job's process holds no lease; taking the job back unless it returns", "job_id", j.ID,
					"kind", j.Kind, "client_id", j.ClientID, "after", orphanAfter)
			}
			if n < checks {
				still[a] = n
				continue
			}
			phase, err := engine.RequeueOrphanedJob(ctx, leases, j, orphanWhy)
			switch {
			case err != nil:
				log.Warn("take back the job of a stopped process", "job_id", j.ID, "kind", j.Kind, "err", err)
				still[a] = n
			case phase != "":
				log.Warn("took back the job of a stopped process", "job_id", j.ID, "kind", j.Kind, "attempt", j.Attempt,
					"client_id", j.ClientID, "now", phase)
			}
		}
		seen = still
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
