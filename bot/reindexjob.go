package bot

import (
	"context"
	"fmt"

	"github.com/footnote-bot/footnote/retrieval"
)

// /reindex as a background job: the command posts the job's progress message in the
// channel, saying it is queued, queues the job with that message's id, and answers at
// once; every attempt of the job edits that one message with the bot token (so no
// 15-minute interaction limit) through a ReindexReport (reindexreport.go).

// ReindexQueue queues reindex jobs; cmd/footnote adapts retrieval/jobs to it.
type ReindexQueue interface {
	// EnqueueReindex queues a reindex of collection whose progress is shown in message
	// messageID of channelID (channelID "" for nowhere; messageID "" for a message the job
	// posts), in the language of locale, the Discord locale of who asked, unless one is
	// queued or running already: then it returns that one.
	EnqueueReindex(ctx context.Context, collection, channelID, messageID, requestedBy, locale string) (ReindexJob, error)
}

// ReindexJob is the reindex job EnqueueReindex queued or found.
type ReindexJob struct {
	Queued bool   // false: one was queued or running already, and this is it
	Phase  string // retrieval.JobQueued, JobRunning or JobRetrying
	// ChannelID is where its progress is posted ("" for nowhere), RequestedBy who asked for
	// it (a user id, or "cli" for the command line).
	ChannelID, RequestedBy string
}

// reindexAck is /reindex's acknowledgement: ephemeral when the reindex is a job (the
// answer is only for the admin; the progress is public), public when it runs in the reply.
func (b *Bot) reindexAck() ackKind {
	if b.cfg.Reindexer != nil {
		return ackEphemeral
	}
	return ackPublic
}

// queueReindex queues the server's reindex and tells the admin, in their language, where
// its progress goes, or which reindex is already under way. The progress message is posted
// first, saying the reindex is queued, so that the job carries its id; when no job takes it
// (one was under way already, or queueing failed) it is deleted again.
func (b *Bot) queueReindex(ctx context.Context, r *request) error {
	channel := r.channelID
	if lacking(r.appPerms, permsPost) != nil {
		channel = "" // the job could not post there
	}
	var report *ReindexReport
	if channel != "" {
		report = b.NewReindexReport(channel, "", r.userID, r.locale)
		if err := report.Queued(ctx); err != nil {
			// The job posts its message when it starts instead.
			b.log.Warn("reindex queued message failed", "guild_id", r.guildID, "channel_id", channel, "err", err)
		}
	}
	messageID := ""
	if report != nil {
		messageID = report.MessageID()
	}
	j, err := b.cfg.Reindexer.EnqueueReindex(ctx, r.guildID, channel, messageID, r.userID, r.locale)
	if (err != nil || !j.Queued) && messageID != "" {
		report.withdraw(ctx)
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	l := r.lang()
	var text string
	switch {
	case j.Queued && channel != "":
		text = l.tr("Reindex started. Its progress will be posted in this channel.")
	case j.Queued:
		text = l.tr("Reindex started. footnote can't post in this channel, so its progress won't be shown here; " +
			"/reindex again tells you whether it is still running.")
	default:
		text = l.trf("A reindex of this server is already %[1]s, asked for %[2]s, so no other was started.",
			phaseText(l, j.Phase), requesterText(l, j.RequestedBy))
		if j.ChannelID != "" {
			text += " " + l.trf("Its progress is posted in <#%s>.", j.ChannelID)
		}
	}
	return r.reply.edit(ctx, message{content: text})
}

// phaseText is a queued reindex's phase, in language l, to follow "is already".
func phaseText(l lang, phase string) string {
	switch phase {
	case retrieval.JobRunning:
		return l.tr("running")
	case retrieval.JobRetrying:
		return l.tr("waiting to be retried after a failure")
	}
	return l.tr("queued")
}

// requesterText is who asked for a reindex, in language l, to follow "asked for".
func requesterText(l lang, by string) string {
	switch {
	case by == "cli":
		return l.tr("from the command line")
	case isSnowflake(by):
		return l.trf("by <@%s>", by)
	}
	return l.tr("by an admin")
}
