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
	// posts), unless one is queued or running already: then it returns that one.
	EnqueueReindex(ctx context.Context, collection, channelID, messageID, requestedBy string) (ReindexJob, error)
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

// queueReindex queues the server's reindex and tells the admin where its progress goes, or
// which reindex is already under way. The progress message is posted first, saying the
// reindex is queued, so that the job carries its id; when no job takes it (one was under
// way already, or queueing failed) it is deleted again.
func (b *Bot) queueReindex(ctx context.Context, r *request) error {
	channel := r.channelID
	if lacking(r.appPerms, permsPost) != nil {
		channel = "" // the job could not post there
	}
	var report *ReindexReport
	if channel != "" {
		report = b.NewReindexReport(channel, "", r.userID)
		if err := report.Queued(ctx); err != nil {
			// The job posts its message when it starts instead.
			b.log.Warn("reindex queued message failed", "guild_id", r.guildID, "channel_id", channel, "err", err)
		}
	}
	messageID := ""
	if report != nil {
		messageID = report.MessageID()
	}
	j, err := b.cfg.Reindexer.EnqueueReindex(ctx, r.guildID, channel, messageID, r.userID)
	if (err != nil || !j.Queued) && messageID != "" {
		report.withdraw(ctx)
	}
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	var text string
	switch {
	case j.Queued && channel != "":
		text = "Reindex started. Its progress will be posted in this channel."
	case j.Queued:
		text = "Reindex started. footnote can't post in this channel, so its progress won't be shown here; " +
			"/reindex again tells you whether it is still running."
	default:
		text = fmt.Sprintf("A reindex of this server is already %s, asked for %s, so no other was started.",
			phaseText(j.Phase), requesterText(j.RequestedBy))
		if j.ChannelID != "" {
			text += " Its progress is posted in <#" + j.ChannelID + ">."
		}
	}
	return r.reply.edit(ctx, message{content: text})
}

func phaseText(phase string) string {
	switch phase {
	case retrieval.JobRunning:
		return "running"
	case retrieval.JobRetrying:
		return "waiting to be retried after a failure"
	}
	return "queued"
}

func requesterText(by string) string {
	switch {
	case by == "cli":
		return "from the command line"
	case isSnowflake(by):
		return "by <@" + by + ">"
	}
	return "by an admin"
}
