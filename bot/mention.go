package bot

import (
	"context"
	"fmt"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// Mentions (gateway only): "@footnote <question>" (the bot's user or its managed role, see
// botrole.go) in a channel opens a thread on that message and answers there; a message in a
// thread footnote opened that is addressed to it (threadmessage.go) is a follow-up, asked
// with the thread's previous question as AskOptions.Previous. A mention inside someone
// else's thread is answered in place. Which threads are footnote's comes from the gateway's
// channel state (the thread's owner), so no REST call is made for unrelated messages.

const threadArchiveMinutes = 1440

func (b *Bot) onMessageCreate(_ *dg.Session, m *dg.MessageCreate) {
	s := b.session // REST goes through the one REST session, whichever gateway session brought m
	if m.Message == nil || m.Author == nil || m.Author.Bot || !isSnowflake(m.GuildID) {
		return // footnote never sees direct messages (no DirectMessages intent)
	}
	self := b.selfID()
	if self == "" {
		return
	}
	thread, ok := b.threadOf(m.ChannelID)
	ours := ok && thread.OwnerID == self
	mentioned := b.mentionsBot(m.Message, self)
	if !ours && !mentioned {
		return
	}
	question := b.stripMentions(m.Content, m.GuildID, self)
	if ours && !addressedInThread(m.Message, question, self, mentioned) {
		return
	}
	settings := b.guildSettings(context.Background(), m.GuildID)
	if !ours && !settings.MentionsAllowedIn(m.ChannelID) && !(ok && settings.MentionsAllowedIn(thread.ParentID)) {
		b.log.Debug("mention outside the server's chosen channels", "guild_id", m.GuildID, "channel_id", m.ChannelID)
		return
	}
	threads := settings.AnswerMode == retrieval.AnswerDefault || settings.AnswerMode == retrieval.AnswerThread
	route := b.routeMention(context.Background(), m, ok, threads, self)
	if route.silent {
		return
	}
	ref := m.SoftReference()
	if route.noRef {
		ref = nil
	}
	r := &request{
		kind:      "mention",
		guildID:   m.GuildID,
		channelID: m.ChannelID,
		userID:    m.Author.ID,
		locale:    string(b.guildLang(m.GuildID)), // a message carries no locale: the server's
		opts:      map[string]string{"question": question},
		reply:     &channelReplier{s: s, channelID: m.ChannelID, ref: ref},
		start:     b.now(),
	}
	run := func(ctx context.Context, r *request) error {
		opts := retrieval.AskOptions{AskedBy: r.userID}
		switch {
		case ours:
			opts.Previous, opts.PreviousAnswer = b.previousTurn(ctx, thread, m.ID, self)
		case route.openThread:
			b.openThread(ctx, r, m.Message, question, self)
		}
		_ = s.ChannelTyping(r.channelID, dg.WithContext(ctx)) // best effort
		_, err := b.answer(ctx, r, question, opts)
		return err
	}
	prepare := func(r *request) error {
		if route.missing != nil {
			return route.missing
		}
		return b.checkQuestion(r.opts["question"])
	}
	b.admit(context.Background(), r, plan{prepare: prepare, limited: true, ack: ackPublic, run: run})
}

// threadOf returns a copy of the channel when the state knows it as a thread.
func (b *Bot) threadOf(channelID string) (dg.Channel, bool) {
	st := b.session.State
	ch, err := st.Channel(channelID)
	if err != nil {
		return dg.Channel{}, false
	}
	st.RLock()
	defer st.RUnlock()
	if !ch.IsThread() {
		return dg.Channel{}, false
	}
	return *ch, true
}

// openThread starts a thread on the question's message and points r's replies into it.
// If Discord refuses (no permission, a channel without threads), footnote answers in the
// channel instead.
func (b *Bot) openThread(ctx context.Context, r *request, m *dg.Message, question, self string) {
	th, err := b.session.MessageThreadStartComplex(m.ChannelID, m.ID, &dg.ThreadStart{
		Name:                b.threadName(m, question),
		AutoArchiveDuration: threadArchiveMinutes,
	}, dg.WithContext(ctx))
	if err != nil {
		b.log.Warn("could not open a thread; answering in the channel", "guild_id", r.guildID,
			"channel_id", m.ChannelID, "err", err)
		return
	}
	if th.GuildID == "" {
		th.GuildID = r.guildID
	}
	if th.OwnerID == "" {
		th.OwnerID = self
	}
	// THREAD_CREATE will say the same; adding it now makes a quick follow-up recognised.
	_ = b.session.State.ChannelAdd(th)
	r.channelID = th.ID
	r.reply = &channelReplier{s: b.session, channelID: th.ID}
}

func mentions(m *dg.Message, self string) bool {
	for _, u := range m.Mentions {
		if u != nil && u.ID == self {
			return true
		}
	}
	return false
}

// stripMention removes the bot's mentions from s and tidies the spaces.
func stripMention(s, self string) string {
	s = strings.ReplaceAll(s, fmt.Sprintf("<@%s>", self), " ")
	s = strings.ReplaceAll(s, fmt.Sprintf("<@!%s>", self), " ")
	return strings.Join(strings.Fields(s), " ")
}
