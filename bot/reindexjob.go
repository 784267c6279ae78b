package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// /reindex as a background job: the command queues it and answers at once; the job posts
// its progress in the channel with the bot token (so no 15-minute interaction limit), and
// edits that message as it goes.

// ReindexQueue queues reindex jobs; cmd/footnote adapts retrieval/jobs to it.
type ReindexQueue interface {
	// EnqueueReindex queues a reindex of collection whose progress is posted in channelID
	// ("" for nowhere), unless one is queued or running already: then it returns that one.
	EnqueueReindex(ctx context.Context, collection, channelID, requestedBy string) (ReindexJob, error)
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
// which reindex is already under way.
func (b *Bot) queueReindex(ctx context.Context, r *request) error {
	channel := r.channelID
	if lacking(r.appPerms, permsPost) != nil {
		channel = "" // the job could not post there
	}
	j, err := b.cfg.Reindexer.EnqueueReindex(ctx, r.guildID, channel, r.userID)
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

// ReindexProgress shows one attempt of a reindex job in a channel: a message posted when
// it starts, edited at most every progressEvery as passages are done, and edited a last
// time with the counts, or with what stopped it. It is safe for concurrent use; a Discord
// failure is logged, and the reindex goes on.
type ReindexProgress struct {
	b                      *Bot
	guild, channel, author string

	mu          sync.Mutex
	msgID       string    // the progress message; "" before it is posted, or if that failed
	tried       bool      // posting was tried
	start, last time.Time // when the attempt started, and the message was last edited
}

// ReindexReporter returns the reporter of a reindex job's attempt for collection (a guild
// id) whose progress goes to channelID, asked for by requestedBy. It needs only the REST
// API, so it works from `footnote worker` too, without the gateway.
func (b *Bot) ReindexReporter(collection, channelID, requestedBy string) *ReindexProgress {
	return &ReindexProgress{b: b, guild: collection, channel: channelID, author: requestedBy}
}

// Start posts the progress message.
func (p *ReindexProgress) Start(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.start, p.last = p.b.now(), p.b.now()
	p.show(ctx, fmt.Sprintf("Reindexing this server's articles, asked for %s…", requesterText(p.author)), false)
}

// Update edits the message with done of total passages, unless it was edited less than
// progressEvery ago.
func (p *ReindexProgress) Update(ctx context.Context, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.b.now()
	if now.Sub(p.last) < p.b.progressEvery || p.msgID == "" {
		return
	}
	p.last = now
	p.show(ctx, reindexStartText+"\n"+ProgressLine(done, total, "passage", now.Sub(p.start)), false)
}

// Finish edits the message a last time: the counts, or why the attempt stopped (err's text
// says what happens next).
func (p *ReindexProgress) Finish(ctx context.Context, stats retrieval.ReindexStats, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	took := stats.Took
	if took <= 0 {
		took = p.b.now().Sub(p.start)
	}
	text := reindexDoneText(stats, took)
	if err != nil {
		text = "Reindex stopped: " + truncate(escapeMarkdown(oneLineText(err.Error())), 500)
	}
	p.show(ctx, text, true)
}

// show posts text as the progress message, or edits it once it is posted; after a failed
// post, only the last word (last) is posted again. Called with mu held.
func (p *ReindexProgress) show(ctx context.Context, text string, last bool) {
	var err error
	switch {
	case p.msgID != "":
		_, err = p.b.session.ChannelMessageEditComplex(&dg.MessageEdit{ID: p.msgID, Channel: p.channel,
			Content: &text, AllowedMentions: noMentions()}, dg.WithContext(ctx))
	case !p.tried || last:
		p.tried = true
		var m *dg.Message
		m, err = p.b.session.ChannelMessageSendComplex(p.channel, &dg.MessageSend{Content: text, AllowedMentions: noMentions()},
			dg.WithContext(ctx))
		if err == nil {
			p.msgID = m.ID
		}
	}
	if err != nil {
		if missingPermissions(err) {
			p.b.forgetPerms(p.channel)
		}
		if !errors.Is(err, context.Canceled) {
			p.b.log.Warn("reindex progress message failed", "guild_id", p.guild, "channel_id", p.channel, "err", err)
		}
	}
}
