// Package jobs runs footnote's background work as River jobs in footnote's own Postgres:
// feed polls, the sweep of departed servers' articles, reindexes and (once wired) the
// recrawl of ageing articles. Any number of processes (`footnote serve`, `footnote
// worker`) work the same queues; River hands each job to one of them, retries failures
// with backoff, and schedules the periodic jobs from whichever process is its leader. A
// process that dies mid-job (killed, crashed, cut off) loses its lease, and any other
// working process hands its jobs back to the queue about 10 s later (lease.go); a reindex
// also holds its collection's lock, so that two copies of it never run at once.
//
// The kinds, their queues and their insert options are here; the work itself is the
// engine's (retrieval), reached through the small Engine interface.
package jobs

import (
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footnote-bot/footnote/retrieval"
)

// Job kinds, as River stores them (and `footnote jobs` lists them).
const (
	KindPollFeed        = retrieval.FeedPollJobKind // one feed's poll (retrieval reads its state for /feeds)
	KindPollDue         = "poll_due"                // hands every due feed to a poll_feed job
	KindSweepDepartures = "sweep_departures"        // deletes the articles of servers that left long enough ago
	KindReindex         = "reindex"                 // one collection's reindex
	KindRecrawlDue      = "recrawl_due"             // re-fetches the articles whose recrawl is due (Recrawler)
	KindAnnounce        = "announce_feed"           // posts a poll's new articles again after Discord failed (Announcer)
)

// Kinds lists every job kind, for `footnote jobs` to show the ones without jobs too.
func Kinds() []string {
	return []string{KindAnnounce, KindPollDue, KindPollFeed, KindRecrawlDue, KindReindex, KindSweepDepartures}
}

// Queues. Each has its own workers, so that a long reindex never holds up feed polls.
const (
	QueueFeeds       = "feeds"       // poll_feed, announce_feed
	QueueReindex     = "reindex"     // reindex
	QueueMaintenance = "maintenance" // poll_due, sweep_departures, recrawl_due
)

const (
	// DefaultFeedConcurrency is how many feeds one process polls at once. Each poll spends
	// most of its time waiting on other sites (up to 50 page fetches), so more than the
	// cores is fine; more also means more embedding at once and more database connections.
	DefaultFeedConcurrency = 4
	// reindexConcurrency is how many reindexes one process runs at once: one, since a
	// reindex keeps the embedder and the database busy; other processes take the next.
	reindexConcurrency = 1
	// maintenanceConcurrency is how many periodic jobs one process runs at once; they are
	// short, and at most one of each kind is queued at a time.
	maintenanceConcurrency = 2

	// pollDueEvery is how often the leader hands due feeds to polls. A feed is polled at
	// most this late; a shorter period costs one indexed query per period.
	pollDueEvery = time.Minute
	// sweepEvery is how often departed servers' collections past their grace period are
	// deleted. Each sweep is one indexed query when nothing is due; a longer period only lets
	// a deletion come that much later than its date.
	sweepEvery = time.Hour
	// recrawlEvery is how often the articles due for a recrawl are looked for. Recrawls are
	// hours to weeks apart, so minutes late costs nothing; shorter costs a query per period.
	recrawlEvery = 10 * time.Minute

	// pollFeedTimeout bounds one feed poll: the feed's fetch, its items (the engine gives
	// them two minutes) and recording the outcome, with room to spare.
	pollFeedTimeout = 5 * time.Minute
	// maintenanceTimeout bounds a periodic job: a sweep deletes whole collections.
	maintenanceTimeout = 15 * time.Minute
	// reindexSlice is how long one attempt of a reindex runs before it hands itself back
	// to run on (River's JobSnooze, which uses no attempt): a reindex resumes where it
	// stopped, so a long one is a chain of attempts, each well inside reindexTimeout. Longer
	// re-plans less often (a count, and the plan shown again); shorter lets River's rescue
	// (the backstop for a process that is alive but stuck) come sooner.
	reindexSlice = 45 * time.Minute
	// reindexTimeout is the reindex's River timeout: the slice, the last report
	// (finishGrace) and room to spare. River cancels an attempt past it, and rescues one
	// still running past it and rescueStuckAfter; the copy it starts then waits on the
	// collection's reindex lock (reindexBusyWait) for as long as the first one runs.
	reindexTimeout = reindexSlice + 5*time.Minute
	// reindexBusyWait is how long a reindex whose collection another process is reindexing
	// waits before it tries again (a snooze: no attempt used). It is below River's scheduler
	// interval (5 s), so the job stays available to any process, with no leader needed;
	// shorter takes over sooner after the other ends, at one lock attempt per wait.
	reindexBusyWait = 3 * time.Second
	// rescueStuckAfter is how long a job may run before River's rescue retries it, never
	// before the job's own timeout (River waits for that too). The jobs of a process that
	// died are taken back long before, through its lease (orphanAfter, lease.go); this rescue
	// is the backstop for a live process whose job does not return when its timeout cancels
	// it, and for a process that holds no lease (an older footnote). It is above every
	// kind's timeout but the reindex's (poll_due 1 min, poll_feed 5, maintenance 15), so a
	// job that honours its cancellation is never run twice; shorter frees a stuck job's
	// unique slot (no poll_due is queued while one runs) sooner, at the risk of a second copy
	// beside a stuck one that wakes up (reindexes excepted: they hold their lock).
	rescueStuckAfter = 30 * time.Minute
)

// Attempts before a job is given up (discarded, shown as failed by `footnote jobs`);
// River waits attempt⁴ seconds, with jitter, between them.
const (
	// pollFeedAttempts: a feed's own failures are recorded on the feed and retried at its
	// next poll, with the feed's backoff; only the database failing retries the job.
	pollFeedAttempts    = 3
	maintenanceAttempts = 3
	// reindexAttempts: each attempt resumes where the last stopped, so a retry loses little.
	reindexAttempts = 5
	// announceAttempts: River's attempt⁴ seconds between them spread ten attempts over
	// about six and a half hours, long enough for a Discord outage; news older than that
	// is no longer worth a message.
	announceAttempts = 10
	// announceTimeout bounds one attempt: three messages, each with discordgo's own
	// retries of a rate limit or a 502.
	announceTimeout = 2 * time.Minute
)

// activeStates are the states in which a unique job blocks another like it: everything
// until it is done or has failed. (River requires the first four.)
var activeStates = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
	rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}

// PollFeedArgs polls one feed. Only one poll of a feed is queued or running at a time.
type PollFeedArgs struct {
	FeedID int64 `json:"feed_id" river:"unique"`
}

// Kind is KindPollFeed.
func (PollFeedArgs) Kind() string { return KindPollFeed }

// InsertOpts puts the poll in the feeds queue, unique per feed while it is active.
func (PollFeedArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFeeds, MaxAttempts: pollFeedAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}

// AnnounceArgs posts the articles of a feed that wait to be announced (after Discord
// failed a poll's announcement: a 5xx, a network failure, a rate limit past discordgo's
// retries). One is queued or running per feed at a time.
type AnnounceArgs struct {
	Collection string `json:"collection" river:"unique"`
	FeedID     int64  `json:"feed_id" river:"unique"`
}

// Kind is KindAnnounce.
func (AnnounceArgs) Kind() string { return KindAnnounce }

// InsertOpts puts the announcement in the feeds queue, unique per feed while it is active
// (the one queued posts whatever waits when it runs).
func (AnnounceArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueFeeds, MaxAttempts: announceAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}

// PollDueArgs hands every due feed, in every collection, to a poll_feed job.
type PollDueArgs struct{}

// Kind is KindPollDue.
func (PollDueArgs) Kind() string { return KindPollDue }

// InsertOpts: one at a time.
func (PollDueArgs) InsertOpts() river.InsertOpts { return maintenanceOpts() }

// SweepDeparturesArgs deletes the collections of servers that removed footnote longer ago
// than their grace period (FOOTNOTE_GUILD_GRACE).
type SweepDeparturesArgs struct{}

// Kind is KindSweepDepartures.
func (SweepDeparturesArgs) Kind() string { return KindSweepDepartures }

// InsertOpts: one at a time.
func (SweepDeparturesArgs) InsertOpts() river.InsertOpts { return maintenanceOpts() }

// RecrawlDueArgs re-fetches the articles whose recrawl has come (Config.Recrawler).
type RecrawlDueArgs struct{}

// Kind is KindRecrawlDue.
func (RecrawlDueArgs) Kind() string { return KindRecrawlDue }

// InsertOpts: one at a time.
func (RecrawlDueArgs) InsertOpts() river.InsertOpts { return maintenanceOpts() }

// maintenanceOpts puts a periodic job in the maintenance queue, one of its kind at a time,
// so that a leader whose jobs wait (all workers busy) does not pile them up.
func maintenanceOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMaintenance, MaxAttempts: maintenanceAttempts,
		UniqueOpts: river.UniqueOpts{ByState: activeStates}}
}

// ReindexArgs reindexes one collection. One reindex of a collection is queued or running at
// a time: asking again while one is finds that one.
type ReindexArgs struct {
	Collection string `json:"collection" river:"unique"`
	// ChannelID is the Discord channel the progress is posted in; "" for none (the
	// command line follows the job's output instead).
	ChannelID string `json:"channel_id,omitempty"`
	// MessageID is the progress message in ChannelID, posted when the job was queued (so
	// that every attempt edits that one message); "" to post one when the job starts.
	MessageID string `json:"message_id,omitempty"`
	// RequestedBy is who asked: a Discord user id, or "cli".
	RequestedBy string `json:"requested_by,omitempty"`
	// Locale is the Discord locale of who asked ("de", "pt-BR"), the language of the
	// progress posted in ChannelID; "" for English.
	Locale string `json:"locale,omitempty"`
}

// Kind is KindReindex.
func (ReindexArgs) Kind() string { return KindReindex }

// InsertOpts puts the reindex in its queue, unique per collection while it is active.
func (ReindexArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueReindex, MaxAttempts: reindexAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: activeStates}}
}
