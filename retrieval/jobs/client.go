package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/footnote-bot/footnote/retrieval"
)

// Engine is what the jobs need from retrieval; *retrieval.Engine satisfies it.
type Engine interface {
	ClaimDueFeeds(ctx context.Context, enqueue func(ctx context.Context, tx pgx.Tx, feeds []retrieval.Feed) error) ([]retrieval.Feed, error)
	PollFeedByID(ctx context.Context, id int64) (*retrieval.FeedPoll, error)
	AnnounceFeed(ctx context.Context, coll string, id int64, post retrieval.AnnounceFunc) (announced int, retry bool, err error)
	RemoveDue(ctx context.Context, now time.Time) ([]string, error)
	ForgetQuestions(ctx context.Context, before time.Time) (int, error)
	PlanReindex(ctx context.Context, collection string) (retrieval.ReindexPlan, error)
	Reindex(ctx context.Context, collection string, progress func(done, total int)) (retrieval.ReindexStats, error)
	// The leases of working processes (lease.go) and the reindex's own lock.
	HoldLock(ctx context.Context, key retrieval.LockKey) (*retrieval.HeldLock, error)
	OrphanedJobs(ctx context.Context, l retrieval.JobLeases) ([]retrieval.OrphanedJob, error)
	RequeueOrphanedJob(ctx context.Context, l retrieval.JobLeases, j retrieval.OrphanedJob, why string) (string, error)
}

// Announcer posts the articles a feed poll added to the feed's announcement channel and
// returns how many it announced; on an error, retry says whether
// the same may work later (Discord down or busy) or not (footnote may not post there, the
// channel is gone). The bot (*bot.Bot) is one, over the gateway in `footnote serve` and
// over REST alone in `footnote worker`.
type Announcer interface {
	AnnounceFeedPoll(ctx context.Context, p retrieval.FeedPoll) (announced int, retry bool, err error)
}

// ReindexReporter shows one attempt of a reindex job to whoever asked for it: the bot's
// *bot.ReindexReport, one message in the channel /reindex was run in, edited as the job
// goes. Start is given the plan (Engine.PlanReindex) before any work; Update is the
// engine's progress callback and must return at once; Finish's err is nil when the
// reindex is done, else a *retrieval.AttemptError saying why the attempt ended and what
// comes next. MessageID is the message the report is shown in ("" for none yet): the job
// keeps it in its output, so that its next attempt edits the same message. A reporter logs
// its own failures.
type ReindexReporter interface {
	Start(ctx context.Context, plan retrieval.ReindexPlan)
	Update(done, total int)
	Finish(ctx context.Context, stats retrieval.ReindexStats, err error)
	MessageID() string
}

// Reconciler finds the servers that removed footnote while it could not see them and
// schedules their collections' deletion, as a removal seen live would (and cancels it for
// servers footnote is back in). The bot is one (cmd/footnote adapts bot.ReconcileGuilds).
// sweep_departures calls it before each sweep, in whichever process River gives the job:
// where the servers cannot be known (no gateway READY yet, no token to list them with), it
// must change nothing and return nil. An error is logged, and the sweep goes on.
type Reconciler interface {
	ReconcileGuilds(ctx context.Context) error
}

// Recrawler re-fetches the articles whose recrawl is due. recrawl_due calls it
// periodically; it returns an error only for what is worth retrying soon.
type Recrawler interface {
	RecrawlDue(ctx context.Context) error
}

// Work is what a client does besides inserting jobs.
type Work int

const (
	// WorkNothing only inserts (`footnote serve --no-worker` enqueues /reindex for the
	// workers of other processes).
	WorkNothing Work = iota
	// WorkAll works every queue, and schedules the periodic jobs while it is River's
	// leader (`footnote serve`, `footnote worker`).
	WorkAll
	// WorkReindex works the reindex queue alone and never leads (`footnote reindex` working
	// its own job when no worker runs); the periodic jobs stay with the other processes.
	WorkReindex
)

// Config configures a Client.
type Config struct {
	Engine Engine // required
	// Announcer announces the articles of each background feed poll; nil announces nothing.
	Announcer Announcer
	// Reporter returns the reporter of a reindex job's attempt, given the job's arguments
	// (their MessageID is the message of an earlier attempt when the job recorded one);
	// nil (or a nil result) leaves the progress in the job's output only, where `footnote
	// reindex` reads it.
	Reporter func(ReindexArgs) ReindexReporter
	// Recrawler is what recrawl_due calls; nil neither schedules nor works recrawl_due.
	Recrawler Recrawler
	// Reconciler runs before each departures sweep this process works; nil sweeps without
	// (a process with no Discord token cannot know footnote's servers).
	Reconciler Reconciler
	Work       Work
	// QuestionRetention is how long the questions members asked (and the feedback on
	// their answers) are kept: each departures sweep deletes older ones. 0 keeps them.
	QuestionRetention time.Duration
	// FeedConcurrency is how many feeds this process polls at once (DefaultFeedConcurrency
	// when 0).
	FeedConcurrency int
	Log             *slog.Logger // nil discards

	// onlyQueues, when set (tests), replaces the queues WorkAll works, so that a test can
	// leave the jobs of the others queued to look at them.
	onlyQueues []string
}

// minRiverConns is the least River's pool gets. Its listener holds one connection for
// good; the queues' fetches, the completer, the leader election and a reindex's progress
// writes share the rest. Fewer makes them wait for one another; more costs Postgres
// connections in every process (pgxpool's own default is the number of cores, at least 4).
const minRiverConns = 6

// Client enqueues footnote's jobs and, unless it only inserts, works them.
type Client struct {
	river   *river.Client[pgx.Tx]
	pool    *pgxpool.Pool
	engine  Engine
	lease   *lease // nil when the client only inserts
	log     *slog.Logger
	work    Work
	started bool
	// stopWatch ends the orphan watcher and the lease follower (followLease), and watching
	// is closed when both have returned.
	stopWatch context.CancelFunc
	watching  chan struct{}
	// queues are the queues the client works, and unleased those followLease removed
	// from River because the lease was lost (only followLease touches it while started).
	queues   map[string]river.QueueConfig
	unleased map[string]bool
	// notFetching is set from the moment followLease has stopped every queue fetching to
	// the moment it starts one again.
	notFetching atomic.Bool
}

// Open connects to the database at dsn (migrated, River's tables included) with a pool of
// River's own, so that its listener and fetches never wait behind answers for a
// connection, and builds a client that has not started. A client that works jobs takes
// its lease now (lease.go), under the id River will record in its jobs, and keeps it
// until Close. It fails on a bad configuration or an unreachable database.
func Open(ctx context.Context, dsn string, cfg Config) (*Client, error) {
	if cfg.Engine == nil {
		return nil, errors.New("jobs: nil Engine")
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.FeedConcurrency <= 0 {
		cfg.FeedConcurrency = DefaultFeedConcurrency
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("jobs: parse DATABASE_URL: %w", err)
	}
	pc.MaxConns = max(pc.MaxConns, minRiverConns)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("jobs: open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("jobs: connect to database: %w", err)
	}
	var l *lease
	if cfg.Work != WorkNothing {
		if l, err = takeLease(ctx, cfg.Engine, cfg.Log); err != nil {
			pool.Close()
			return nil, fmt.Errorf("jobs: %w", err)
		}
	}
	rcfg := riverConfig(cfg, l)
	rc, err := river.NewClient(riverpgxv5.New(pool), rcfg)
	if err != nil {
		if l != nil {
			l.close()
		}
		pool.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Client{river: rc, pool: pool, engine: cfg.Engine, lease: l, log: cfg.Log, work: cfg.Work,
		queues: rcfg.Queues, unleased: map[string]bool{}}, nil
}

// riverConfig is the River configuration for cfg: every worker is registered whatever the
// client works (River checks an inserted job's kind against them). A working client runs
// its jobs under l, and is named by it.
func riverConfig(cfg Config, l *lease) *river.Config {
	workers := river.NewWorkers()
	river.AddWorker(workers, &pollFeedWorker{engine: cfg.Engine, announcer: cfg.Announcer, log: cfg.Log})
	river.AddWorker(workers, &pollDueWorker{engine: cfg.Engine, log: cfg.Log})
	river.AddWorker(workers, &sweepWorker{engine: cfg.Engine, reconciler: cfg.Reconciler, keepQuestions: cfg.QuestionRetention, log: cfg.Log})
	river.AddWorker(workers, &reindexWorker{engine: cfg.Engine, reporter: cfg.Reporter, log: cfg.Log})
	if cfg.Recrawler != nil {
		river.AddWorker(workers, &recrawlWorker{recrawler: cfg.Recrawler})
	}
	if cfg.Announcer != nil {
		// Only a process with a Discord token can announce: elsewhere the jobs wait for one
		// (FetchOnlyKnownKinds).
		river.AddWorker(workers, &announceWorker{engine: cfg.Engine, announcer: cfg.Announcer, log: cfg.Log})
	}
	rc := &river.Config{
		Logger:               cfg.Log,
		Workers:              workers,
		RescueStuckJobsAfter: rescueStuckAfter,
		// An unknown kind (a recrawl_due with no Recrawler here) waits for a process that
		// has its worker instead of failing.
		FetchOnlyKnownKinds: true,
		// No nightly REINDEX of River's indexes: footnote's runtime role owns no table, so
		// it may rebuild no index (migration 015), and would log that failure every night.
		// At footnote's job volume autovacuum keeps them in shape.
		ReindexerIndexNames: []string{},
	}
	if l != nil {
		rc.ID = l.id()
		rc.Middleware = []rivertype.Middleware{l}
	}
	switch cfg.Work {
	case WorkAll:
		rc.Queues = map[string]river.QueueConfig{
			QueueFeeds:       {MaxWorkers: cfg.FeedConcurrency},
			QueueReindex:     {MaxWorkers: reindexConcurrency},
			QueueMaintenance: {MaxWorkers: maintenanceConcurrency},
		}
		rc.PeriodicJobs = periodicJobs(cfg.Recrawler != nil)
		if cfg.onlyQueues != nil {
			for q := range rc.Queues {
				if !slices.Contains(cfg.onlyQueues, q) {
					delete(rc.Queues, q)
				}
			}
		}
	case WorkReindex:
		rc.Queues = map[string]river.QueueConfig{QueueReindex: {MaxWorkers: reindexConcurrency}}
		rc.LeaderElectionDisabled = true
	}
	return rc
}

// periodicJobs are the jobs River's leader inserts on a schedule, each at once when a
// leader is elected too (so a restart never skips one).
func periodicJobs(recrawl bool) []*river.PeriodicJob {
	every := func(id string, d time.Duration, args river.JobArgs) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(d), func() (river.JobArgs, *river.InsertOpts) { return args, nil },
			&river.PeriodicJobOpts{ID: id, RunOnStart: true})
	}
	jobs := []*river.PeriodicJob{
		every(KindPollDue, pollDueEvery, PollDueArgs{}),
		every(KindSweepDepartures, sweepEvery, SweepDeparturesArgs{}),
	}
	if recrawl {
		jobs = append(jobs, every(KindRecrawlDue, recrawlEvery, RecrawlDueArgs{}))
	}
	return jobs
}

// Start starts working jobs (nothing, for WorkNothing). The work goes on until Stop,
// whatever becomes of ctx: a signal must not cancel running jobs before their grace.
func (c *Client) Start(ctx context.Context) error {
	if c.work == WorkNothing {
		return nil
	}
	if err := c.river.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	c.started = true
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	c.stopWatch, c.watching = stop, make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { watchOrphans(wctx, c.engine, c.log) })
	wg.Go(func() { c.followLease(wctx) })
	go func() {
		wg.Wait()
		close(c.watching)
	}()
	c.log.Info("jobs started", "work", c.work.String(), "client_id", c.lease.id())
	return nil
}

// Stop stops fetching jobs at once and gives the running ones up to grace to finish; then
// it cancels them, and they hand their jobs back (River runs them again, in this process
// or another). It returns when every job has returned, or with ctx's error when ctx ends
// first. A client that never started, or has stopped, returns nil at once; a grace of 0
// cancels at once. Stop is not to be called from two goroutines at the same time.
func (c *Client) Stop(ctx context.Context, grace time.Duration) error {
	if !c.started {
		return nil
	}
	c.stopWatch()
	<-c.watching
	if err := c.stop(ctx, grace); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	c.started = false
	return nil
}

// followLease stops the client's queues fetching jobs while its lease is not held, and
// starts them again once it is, until ctx ends. A process without its lease would still
// fetch jobs, only to hand each back a few seconds later (lease.Work): every job it wins
// from a process that holds its lease is delayed, and it wins most races once it has won
// one, since its poll comes round just after the job it handed back is due again (the
// snooze, 3 s, is just short of three of River's 1-1.1 s fetch polls, and the polls of two
// processes drift apart by tens of milliseconds a round): a reindex taken back from it
// was measured waiting 50 such rounds, almost 3 minutes. Removing a queue from River
// stops its producer's fetches and waits for its running jobs, which the lease's loss has
// cancelled; adding it back starts a new producer. Nothing else in River stops: a
// leaseless process still leads, inserts the periodic jobs and completes what returns.
func (c *Client) followLease(ctx context.Context) {
	if c.lease == nil {
		return
	}
	for {
		var ok bool
		if c.lease.holds() {
			ok = c.leaseQueues(ctx)
		} else {
			ok = c.unleaseQueues(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		var again <-chan time.Time
		if !ok {
			again = time.After(leaseRetryEvery)
		}
		select {
		case <-ctx.Done():
			return
		case <-c.lease.changed:
		case <-again:
		}
	}
}

// unleaseQueues removes from River every queue not removed yet, and reports whether all
// are. Every queue stops fetching first, so that a job slow to return in one queue leaves
// no other queue fetching meanwhile: River's Remove stops the producer's fetches before it
// waits for its jobs, and given a context that has ended it returns at once, the producer
// stopped but still registered (its documented partial removal; River v0.51.2). Then each
// is removed for good, as its jobs return.
func (c *Client) unleaseQueues(ctx context.Context) bool {
	var todo []string
	for name := range c.queues {
		if !c.unleased[name] {
			todo = append(todo, name)
		}
	}
	if len(todo) == 0 {
		return true
	}
	slices.Sort(todo)
	ended, end := context.WithCancel(ctx)
	end()
	for _, name := range todo {
		_ = c.river.Queues().Remove(ended, name)
	}
	c.notFetching.Store(true)
	c.log.Warn("this process holds no lease: it fetches no jobs until it holds it again", "client_id", c.lease.id(), "queues", todo)
	ok := true
	for _, name := range todo {
		err := c.river.Queues().Remove(ctx, name)
		var notFound *river.QueueNotFoundError
		switch {
		case err == nil || errors.As(err, &notFound): // removed, by the first pass when it had no job running
			c.unleased[name] = true
		case ctx.Err() != nil: // stopping: River's Stop stops the producer
			return false
		default:
			c.log.Warn("stop fetching jobs", "queue", name, "err", err)
			ok = false
		}
	}
	return ok
}

// leaseQueues adds back to River every queue unleaseQueues removed, and reports whether
// all are back.
func (c *Client) leaseQueues(ctx context.Context) bool {
	var back []string
	ok := true
	for name, qc := range c.queues {
		if !c.unleased[name] {
			continue
		}
		err := c.river.Queues().Add(name, qc)
		var added *river.QueueAlreadyAddedError
		if err != nil && !errors.As(err, &added) {
			// A queue whose producer failed to start stays added, not fetching: removed,
			// it is added again on the next try.
			c.log.Warn("start fetching jobs again", "queue", name, "err", err)
			_ = c.river.Queues().Remove(ctx, name)
			ok = false
			continue
		}
		delete(c.unleased, name)
		c.notFetching.Store(false)
		back = append(back, name)
	}
	if len(back) > 0 {
		slices.Sort(back)
		c.log.Info("holding this process's lease again: fetching jobs", "client_id", c.lease.id(), "queues", back)
	}
	return ok
}

func (c *Client) stop(ctx context.Context, grace time.Duration) error {
	if grace > 0 {
		soft, cancel := context.WithTimeout(ctx, grace)
		defer cancel()
		err := c.river.Stop(soft)
		if err == nil || ctx.Err() != nil {
			return err
		}
		c.log.Warn("jobs still running after the shutdown grace; cancelling them", "grace", grace)
	}
	return c.river.StopAndCancel(ctx)
}

// Close releases the lease and the database pool; Stop first, else the running jobs are
// taken over by other processes (as if this one had died) while they still run here.
func (c *Client) Close() {
	if c.lease != nil {
		c.lease.close()
	}
	c.pool.Close()
}

func (w Work) String() string {
	switch w {
	case WorkAll:
		return "all"
	case WorkReindex:
		return "reindex"
	}
	return "nothing"
}

// ReindexJob is a reindex job as EnqueueReindex found or made it.
type ReindexJob struct {
	ID   int64
	Args ReindexArgs // the job's: another's when Duplicate
	// Phase is retrieval's (JobQueued, JobRunning, JobRetrying).
	Phase string
	// Duplicate is set when a reindex of the collection was queued or running already:
	// that one is returned, and no other was queued.
	Duplicate bool
}

// EnqueueReindex queues a reindex of args.Collection, unless one is queued or running
// already, in which case it returns that one. It fails only on the database.
func (c *Client) EnqueueReindex(ctx context.Context, args ReindexArgs) (ReindexJob, error) {
	res, err := c.river.Insert(ctx, args, nil)
	if err != nil {
		return ReindexJob{}, fmt.Errorf("queue reindex of %s: %w", args.Collection, err)
	}
	j := ReindexJob{ID: res.Job.ID, Args: args, Phase: retrieval.JobPhase(string(res.Job.State)), Duplicate: res.UniqueSkippedAsDuplicate}
	if j.Duplicate {
		if err := json.Unmarshal(res.Job.EncodedArgs, &j.Args); err != nil {
			return ReindexJob{}, fmt.Errorf("read queued reindex %d: %w", j.ID, err)
		}
	}
	return j, nil
}

// Insert queues a job of any of footnote's kinds (tests and tools; the kinds' own
// options apply) and returns its id and whether one like it was active already.
func (c *Client) Insert(ctx context.Context, args river.JobArgs) (id int64, duplicate bool, err error) {
	res, err := c.river.Insert(ctx, args, nil)
	if err != nil {
		return 0, false, fmt.Errorf("queue %s: %w", args.Kind(), err)
	}
	return res.Job.ID, res.UniqueSkippedAsDuplicate, nil
}
