package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/jobs"
)

// openJobs opens the background jobs' client, working what work says, and keeps it as
// m.Jobs (Close stops and closes it). With b, feed polls announce through the bot,
// reindexes show their progress in a bot.ReindexReport, in the language of who asked (the
// message /reindex posted when it queued the job, or one the job posts; REST only: the
// gateway need not be open), and each departures sweep first reconciles footnote's servers
// through it (guildReconciler).
func (m *Main) openJobs(ctx context.Context, work jobs.Work, b *bot.Bot) error {
	cfg := jobs.Config{Engine: m.Engine, Work: work, FeedConcurrency: m.Config.FeedConcurrency, Log: m.Log,
		Recrawler: &recrawler{eng: m.Engine, log: m.Log}, QuestionRetention: m.Config.QuestionRetention}
	if b != nil {
		cfg.Announcer = b
		cfg.Reconciler = &guildReconciler{b: b, log: m.Log}
		cfg.Reporter = func(a jobs.ReindexArgs) jobs.ReindexReporter {
			if a.ChannelID == "" {
				return nil
			}
			return b.NewReindexReport(a.ChannelID, a.MessageID, a.RequestedBy, a.Locale)
		}
	}
	c, err := jobs.Open(ctx, m.Config.DatabaseURL, cfg)
	if err != nil {
		return databaseError(m.Config.DatabaseURL, m.Config.LocalPGPort, err)
	}
	m.Jobs = c
	return nil
}

// recrawlPass bounds one recrawl_due job's work: articles still due after it wait for the
// next period (every 10 minutes), so a backlog of thousands after a long stop drains over
// a few periods instead of one job holding a worker past its timeout. Longer drains a
// backlog sooner; shorter hands the worker back to feed polls sooner.
const recrawlPass = 5 * time.Minute

// recrawler is the jobs' Recrawler on the engine: one pass over the articles due, for at
// most recrawlPass.
type recrawler struct {
	eng *retrieval.Engine
	log *slog.Logger
}

// RecrawlDue recrawls the due articles for up to recrawlPass. Running out of that time is
// not a failure (the rest are due at the next period); a database error or the job's own
// cancellation is.
func (r *recrawler) RecrawlDue(ctx context.Context) error {
	pctx, cancel := context.WithTimeout(ctx, recrawlPass)
	defer cancel()
	done, err := r.eng.RecrawlDue(pctx, 0)
	counts := map[string]int{}
	for _, d := range done {
		counts[d.Status]++
	}
	if len(done) > 0 {
		r.log.Info("recrawled articles", "articles", len(done), "updated", counts[retrieval.StatusUpdated],
			"gone", counts[retrieval.StatusGone], "removed", counts[retrieval.StatusRemoved], "failed", counts[retrieval.StatusFailed])
	}
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		return nil // the pass's own time ran out
	}
	return err
}

// jobQueue is the bot's ReindexQueue and AnnounceQueue on the jobs client, set once the
// client is open (the client announces through the bot, and the bot queues through the
// client).
type jobQueue struct{ c *jobs.Client }

func (q *jobQueue) EnqueueReindex(ctx context.Context, coll, channelID, messageID, by, locale string) (bot.ReindexJob, error) {
	j, err := q.c.EnqueueReindex(ctx, jobs.ReindexArgs{Collection: coll, ChannelID: channelID, MessageID: messageID,
		RequestedBy: by, Locale: locale})
	return bot.ReindexJob{Queued: !j.Duplicate, Phase: j.Phase, ChannelID: j.Args.ChannelID, RequestedBy: j.Args.RequestedBy}, err
}

func (q *jobQueue) QueueAnnounce(ctx context.Context, coll string, feedID int64) error {
	_, _, err := q.c.Insert(ctx, jobs.AnnounceArgs{Collection: coll, FeedID: feedID})
	return err
}

// noTokenWarning is what a worker without DISCORD_TOKEN logs once at start: it polls
// feeds and reindexes all the same, but what it would say on Discord goes unsaid.
const noTokenWarning = "DISCORD_TOKEN is not set: this worker announces no new feed articles in their channels " +
	"and posts no reindex progress messages (the articles are still added); set DISCORD_TOKEN for them"

// cmdWorker works the background jobs, without Discord's gateway, until SIGINT or SIGTERM;
// then running jobs get shutdownGrace to finish before they are handed back. With
// DISCORD_TOKEN, feed articles are announced and reindex progress posted over Discord's
// REST API.
func (m *Main) cmdWorker(ctx context.Context, args []string) error {
	fs, _ := m.newFlags("worker", false)
	if pos, err := m.parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return m.usageError("worker")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	var b *bot.Bot
	if m.Config.DiscordToken != "" {
		var err error
		if b, err = m.newBot(nil); err != nil {
			return err
		}
	} else {
		m.Log.Warn(noTokenWarning)
	}
	if err := m.openJobs(ctx, jobs.WorkAll, b); err != nil {
		return err
	}
	if err := m.Jobs.Start(ctx); err != nil {
		return err
	}
	m.Log.Info("worker running; SIGINT or SIGTERM stops it", "announces", b != nil)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), stopDeadline)
	defer cancel()
	err := m.Jobs.Stop(sctx, shutdownGrace)
	if b != nil {
		_ = b.Close(sctx)
	}
	m.Log.Info("stopped")
	return err
}

// jobsJSON is `footnote jobs --json`'s line for one kind.
type jobsJSON struct {
	Kind        string `json:"kind"`
	Queued      int    `json:"queued"`
	Running     int    `json:"running"`
	Retrying    int    `json:"retrying"`
	Failed      int    `json:"failed"`
	Done        int    `json:"done"`
	LastError   string `json:"last_error"`
	LastErrorAt string `json:"last_error_at"`
	RetryError  string `json:"retry_error"`
}

// cmdJobs prints the background jobs by kind: queued, running, retrying, failed and done,
// with the newest failure's error; every kind footnote has is listed, with or without jobs.
func (m *Main) cmdJobs(ctx context.Context, args []string) error {
	fs, _ := m.newFlags("jobs", false)
	asJSON := fs.Bool("json", false, "print one JSON line per kind")
	if pos, err := m.parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) != 0 {
		return m.usageError("jobs")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	counts, err := m.Engine.JobCounts(ctx)
	if err != nil {
		return err
	}
	for _, k := range jobs.Kinds() {
		if !slices.ContainsFunc(counts, func(c retrieval.JobCounts) bool { return c.Kind == k }) {
			counts = append(counts, retrieval.JobCounts{Kind: k})
		}
	}
	slices.SortFunc(counts, func(a, b retrieval.JobCounts) int { return cmp.Compare(a.Kind, b.Kind) })
	if *asJSON {
		for _, c := range counts {
			writeJSONLine(m.Stdout, jobsJSON{Kind: c.Kind, Queued: c.Queued, Running: c.Running, Retrying: c.Retrying,
				Failed: c.Failed, Done: c.Done, LastError: c.LastError, LastErrorAt: stamp(c.LastErrorAt), RetryError: c.RetryError})
		}
		return nil
	}
	fmt.Fprintf(m.Stdout, "%-18s %7s %8s %9s %7s %6s\n", "kind", "queued", "running", "retrying", "failed", "done")
	for _, c := range counts {
		fmt.Fprintf(m.Stdout, "%-18s %7d %8d %9d %7d %6d\n", c.Kind, c.Queued, c.Running, c.Retrying, c.Failed, c.Done)
		if c.RetryError != "" {
			fmt.Fprintf(m.Stdout, "  retrying after: %s\n", oneLineText(c.RetryError, 300))
		}
		if c.LastError != "" {
			fmt.Fprintf(m.Stdout, "  last failure (%s): %s\n", stamp(c.LastErrorAt), oneLineText(c.LastError, 300))
		}
	}
	fmt.Fprintf(m.Stdout, "(done: the last %s; failed: the last %s, as River keeps them)\n", doneKept, failedKept)
	return nil
}

// How long River keeps finished jobs (its defaults), for `footnote jobs` to say what its
// done and failed columns cover.
const (
	doneKept   = "24h"
	failedKept = "7 days"
)

// oneLineText is s on one line, cut to max characters.
func oneLineText(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}
