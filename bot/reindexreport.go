package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// ReindexReport shows a background reindex to the admin who asked for it: one message in a
// channel, posted with the bot token through the REST API's channel messages (an
// interaction's token would expire after 15 minutes; this message lasts as long as the
// job), edited at most every progressEvery with a bar, the count, the rate and the time
// left, and edited a last time with the outcome and the time taken, all in the language of
// the admin who asked.
//
// It is the reporter of retrieval/jobs' reindex job (jobs.ReindexReporter): each attempt
// calls Start (with Engine.PlanReindex's plan), passes Update to Engine.Reindex as its
// progress callback, and calls Finish with what Reindex returned; the job keeps MessageID
// so that its next attempt edits the same message. Failures to post or edit are logged,
// never returned: progress must not fail the reindex. Its methods are safe to call from
// several goroutines.
type ReindexReport struct {
	b       *Bot
	channel string
	by      string // who asked (a user id, "cli"), named in the message; "" for no one
	lang    lang   // of who asked

	mu     sync.Mutex
	msgID  string // the progress message; "" until posted
	header string // what the job does (ReindexPlanText), above the bar
	start  time.Time
	live   *liveMessage
}

// NewReindexReport returns a report in channelID for a reindex requestedBy asked for (a
// user id, "cli" for the command line, "" to name no one), written in the language of
// locale, their Discord locale ("" for English). messageID is the message posted when the
// job was queued or by an earlier run of the same job (a retried or resumed job continues,
// and so does its message), or "" to post a new one on Start.
func (b *Bot) NewReindexReport(channelID, messageID, requestedBy, locale string) *ReindexReport {
	return &ReindexReport{b: b, channel: channelID, msgID: messageID, by: requestedBy, lang: langOf(locale)}
}

// MessageID returns the id of the progress message, "" before Start has posted it: a job
// keeps it to edit the same message when it runs again.
func (r *ReindexReport) MessageID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgID
}

// reindexQueuedText is the progress message of a job that has not started yet, asked for
// by by ("" for no one named), in language l.
func reindexQueuedText(l lang, by string) string {
	if by == "" {
		return l.tr("Reindex queued: it starts as soon as a worker is free, and this message will show its progress.")
	}
	return l.trf("Reindex queued, asked for %s: it starts as soon as a worker is free, and this message will show its progress.",
		requesterText(l, by))
}

// reindexHeader is the first line of a running job's message, naming who asked for it,
// in language l.
func reindexHeader(l lang, by string) string {
	if by == "" {
		return l.tr("Reindexing this server's articles…")
	}
	return l.trf("Reindexing this server's articles, asked for %s…", requesterText(l, by))
}

// Queued posts the progress message before the job runs, saying it is queued, and returns
// the error when the channel refuses it. The caller (the /reindex handler that enqueues the
// job) puts MessageID into the job's arguments, so that every run of the job, retries
// included, edits this one message.
func (r *ReindexReport) Queued(ctx context.Context) error {
	return r.put(ctx, reindexQueuedText(r.lang, r.by))
}

// withdraw deletes the progress message, which no job will edit (the job was not queued);
// a failure is logged.
func (r *ReindexReport) withdraw(ctx context.Context) {
	id := r.MessageID()
	if id == "" {
		return
	}
	if err := r.b.session.ChannelMessageDelete(r.channel, id, dg.WithContext(ctx)); err != nil {
		r.b.log.Warn("delete unused reindex message", "channel_id", r.channel, "err", err)
		return
	}
	r.mu.Lock()
	r.msgID = ""
	r.mu.Unlock()
}

// Start posts (or, given an earlier message, edits) the progress message with what the
// reindex will do, then edits it as Update reports, until Finish or ctx's end.
func (r *ReindexReport) Start(ctx context.Context, plan retrieval.ReindexPlan) {
	r.mu.Lock()
	l := r.lang
	r.header = reindexHeader(l, r.by) + " " + reindexPlanText(l, plan)
	r.start = r.b.now()
	header := r.header
	r.mu.Unlock()
	r.show(ctx, header+"\n"+progressLine(l, 0, plan.Total(), 0))
	live := startLive(ctx, r.b.progressEvery, r.b.now,
		r.put,
		func(done, total int, elapsed time.Duration) string {
			return header + "\n" + progressLine(l, done, total, elapsed)
		},
		func(err error) { r.b.log.Warn("reindex progress edit failed", "channel_id", r.channel, "err", err) })
	r.mu.Lock()
	r.live = live
	r.mu.Unlock()
}

// Update records that done of total passages are reindexed; the message shows it at the
// next edit. It is Engine.Reindex's progress callback, and returns at once.
func (r *ReindexReport) Update(done, total int) {
	if l := r.liveMessage(); l != nil {
		l.set(done, total)
	}
}

// Finish stops the progress edits and shows the outcome: the counts and the time taken, or
// where the reindex stopped, why (an internal error by an id the log also carries), and
// what comes next, which a job says with a *retrieval.AttemptError.
func (r *ReindexReport) Finish(ctx context.Context, st retrieval.ReindexStats, err error) {
	l := r.liveMessage()
	done, total := 0, 0
	if l != nil {
		l.close()
		done, total = l.counts()
	}
	r.mu.Lock()
	took, started := st.Took, !r.start.IsZero()
	if started {
		took = r.b.now().Sub(r.start)
	}
	r.mu.Unlock()
	if err == nil {
		r.show(ctx, reindexDoneText(r.lang, st, took))
		return
	}
	after := time.Duration(-1)
	if started {
		after = took
	}
	r.show(ctx, r.stoppedText(err, after)+"\n"+progressLine(r.lang, done, total, 0))
}

// stoppedText says, in the report's language, why a reindex stopped (after how long; less
// than zero when it never started) and what comes next.
func (r *ReindexReport) stoppedText(err error, after time.Duration) string {
	l := r.lang
	var end *retrieval.AttemptError
	errors.As(err, &end)
	stopped := l.tr("Reindex stopped")
	if after >= 0 {
		stopped = l.trf("Reindex stopped after %s", exactDuration(l, after))
	}
	switch {
	case errors.Is(err, context.Canceled):
		return l.trf("%s: footnote was stopped. What it did is kept; the next run continues from there.", stopped)
	case end != nil && end.Next == retrieval.JobQueued:
		paused := l.tr("Reindex paused")
		if after >= 0 {
			paused = l.trf("Reindex paused after %s", exactDuration(l, after))
		}
		return l.trf("%s: it carries on from there as soon as a worker is free.", paused)
	}
	id := newErrorID()
	r.b.log.Error("reindex failed", "error_id", id, "channel_id", r.channel, "err", err)
	next := l.tr("the next run continues from there.")
	switch {
	case end != nil && end.Next == retrieval.JobRetrying:
		next = l.trf("it is tried again shortly (attempt %[1]d of %[2]d), from there.", end.Attempt+1, end.MaxAttempts)
	case end != nil && end.Next == retrieval.JobFailed:
		next = l.trn(end.Attempt, "it was tried %d time and is given up; /reindex starts it again from there.",
			"it was tried %d times and is given up; /reindex starts it again from there.", end.Attempt)
	}
	return l.trf("%[1]s: something went wrong on footnote's side (error id %[2]s). What it did is kept; %[3]s",
		stopped, id, next)
}

func (r *ReindexReport) liveMessage() *liveMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.live
}

// show puts text in the progress message (put), and logs a failure.
func (r *ReindexReport) show(ctx context.Context, text string) {
	if err := r.put(ctx, text); err != nil {
		r.b.log.Warn("reindex progress message failed", "channel_id", r.channel, "err", err)
	}
}

// put puts text in the progress message: an edit once it exists, else a new message (also
// when the earlier message was deleted).
func (r *ReindexReport) put(ctx context.Context, text string) error {
	err := r.editMessage(ctx, text)
	if errors.Is(err, errNoMessage) {
		err = r.postMessage(ctx, text)
	}
	return err
}

// errNoMessage is an edit with no message to edit: none posted yet, or it was deleted.
var errNoMessage = errors.New("no progress message")

// editMessage replaces the progress message's text.
func (r *ReindexReport) editMessage(ctx context.Context, text string) error {
	id := r.MessageID()
	if id == "" {
		return errNoMessage
	}
	_, err := r.b.session.ChannelMessageEditComplex(&dg.MessageEdit{
		ID: id, Channel: r.channel, Content: &text, AllowedMentions: noMentions(),
	}, dg.WithContext(ctx))
	var rest *dg.RESTError
	if errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound {
		r.mu.Lock()
		r.msgID = ""
		r.mu.Unlock()
		return errNoMessage
	}
	if err != nil {
		return fmt.Errorf("edit reindex progress in %s: %w", r.channel, err)
	}
	return nil
}

// postMessage posts the progress message and remembers its id.
func (r *ReindexReport) postMessage(ctx context.Context, text string) error {
	m, err := r.b.session.ChannelMessageSendComplex(r.channel, &dg.MessageSend{
		Content: text, AllowedMentions: noMentions(),
	}, dg.WithContext(ctx))
	if err != nil {
		if missingPermissions(err) {
			r.b.forgetPerms(r.channel)
		}
		return fmt.Errorf("post reindex progress in %s: %w", r.channel, err)
	}
	r.mu.Lock()
	r.msgID = m.ID
	r.mu.Unlock()
	return nil
}
