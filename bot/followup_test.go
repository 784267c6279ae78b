package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

func TestMentionSettingsAndFollowUps(t *testing.T) {
	eng := cityNews()
	h, gw := startGateway(t, eng)
	bot := h.discord.botID
	const other = "300000000000000002"
	mention := func(id, ch, text string) map[string]any {
		return map[string]any{"id": id, "channel_id": ch, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": "<@" + bot + "> " + text,
			"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}}}
	}

	t.Run("a follow-up in footnote's thread carries footnote's earlier answer and its quotes", func(t *testing.T) {
		first := mention("510000000000000001", channel, "When did the council approve the budget?")
		h.discord.addHistory(channel, first)
		gw.dispatch("MESSAGE_CREATE", first)
		thread := "510000000000000001"
		answer := h.discord.waitFor(t, "answer in the thread", 1, channelPost(thread))[0]
		gw.dispatch("THREAD_CREATE", map[string]any{"id": thread, "type": 11, "guild_id": guildA,
			"parent_id": channel, "owner_id": bot, "name": "budget", "newly_created": true})
		follow := map[string]any{"id": "510000000000000002", "channel_id": thread, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": "What did they say about it?",
			"mentions": []any{}}
		h.discord.addHistory(thread, follow)
		gw.dispatch("MESSAGE_CREATE", follow)
		h.discord.waitFor(t, "follow-up answer", 2, channelPost(thread))
		a := eng.lastAsk()
		if a.opts.Previous != "When did the council approve the budget?" {
			t.Errorf("previous question %q", a.opts.Previous)
		}
		if got, want := a.opts.PreviousAnswer, "The council approved the budget on Tuesday."; got != want {
			t.Errorf("previous answer %q of %q, want %q: its words, without marker or byline", got, answer.str("content"), want)
		}
	})

	t.Run("with a channel list, mentions elsewhere are left alone and reply mode opens no thread", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings",
			opt("mention_channels", dg.ApplicationCommandOptionString, "<#"+channel+">"),
			opt("answers", dg.ApplicationCommandOptionString, "reply")))
		h.edit(s, func(c string) bool { return strings.Contains(c, "<#"+channel+">") })
		asks := eng.askCount()
		gw.dispatch("MESSAGE_CREATE", mention("510000000000000021", other, "When did the council approve the budget?"))
		// The allowed channel's mention is handled after the other one (SyncEvents): once it is
		// answered, the refused one has been handled too.
		gw.dispatch("MESSAGE_CREATE", mention("510000000000000022", channel, "When did the council approve the budget?"))
		reply := h.discord.waitFor(t, "reply in the channel", 1, func(c call) bool {
			ref, _ := c.Body["message_reference"].(map[string]any)
			return channelPost(channel)(c) && ref["message_id"] == "510000000000000022"
		})[0]
		_ = reply
		if err := h.bot.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := eng.askCount() - asks; n != 1 {
			t.Errorf("%d questions asked, want only the allowed channel's", n)
		}
		if got := h.discord.recorded(func(c call) bool {
			return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/510000000000000022/threads")
		}); len(got) != 0 {
			t.Error("reply mode opened a thread")
		}
	})
}
