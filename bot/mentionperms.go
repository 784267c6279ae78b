package bot

import (
	"context"

	dg "github.com/bwmarrin/discordgo"
)

// mentionRoute is where footnote answers a mention, decided from its own permissions in
// the channel before it acts.
type mentionRoute struct {
	openThread bool  // open a thread on the question and answer there
	noRef      bool  // reply without referencing the question (no Read Message History)
	missing    error // a *missingPermsError to tell the member in the channel instead of answering
	silent     bool  // footnote cannot post here at all: it logs and says nothing
}

// routeMention checks footnote's permissions in the mention's channel (or thread) and says
// how to answer: in a new thread when the server wants threads (threads) and footnote may
// open one and post in it, else in the channel;
// when it may post but not answer, it names the missing permissions; when it may not post,
// nothing. When the permissions cannot be read it acts as if it had them.
func (b *Bot) routeMention(ctx context.Context, m *dg.MessageCreate, inThread, threads bool, self string) mentionRoute {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	perms, err := b.selfPerms(ctx, m.GuildID, m.ChannelID, self)
	if err != nil {
		b.log.Debug("permissions unknown; acting anyway", "guild_id", m.GuildID, "channel_id", m.ChannelID, "err", err)
		return mentionRoute{openThread: !inThread && threads}
	}
	answer, post := permsReply, permsPost
	if inThread {
		answer, post = permsThreadReply, permsPostThread
	}
	switch {
	case !inThread && threads && lacking(perms, permsOpenThread) == nil:
		return mentionRoute{openThread: true}
	case lacking(perms, answer) == nil:
		if !inThread && threads {
			b.log.Info("answering in the channel: footnote may not open threads there", "guild_id", m.GuildID,
				"channel_id", m.ChannelID, "missing", lacking(perms, permsOpenThread).Error())
		}
		return mentionRoute{}
	case lacking(perms, post) == nil:
		return mentionRoute{missing: lacking(perms, answer), noRef: perms&dg.PermissionReadMessageHistory == 0}
	}
	b.log.Warn("mention not answered: footnote may not post in the channel", "guild_id", m.GuildID,
		"channel_id", m.ChannelID, "user_id", m.Author.ID, "missing", lacking(perms, answer).Error())
	b.metrics.interactions.WithLabelValues("mention", outcomeRefused).Inc()
	return mentionRoute{silent: true}
}
