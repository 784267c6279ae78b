package bot

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestMentions(t *testing.T) {
	eng := cityNews()
	h, gw := startGateway(t, eng)
	bot := h.discord.botID
	const question = "When did the council approve the budget?"
	mention := map[string]any{
		"id": "510000000000000001", "channel_id": channel, "guild_id": guildA, "type": 0,
		"author":   map[string]any{"id": alice.id, "username": "alice"},
		"content":  "<@" + bot + "> " + question + " @everyone",
		"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}},
	}
	thread := "510000000000000001" // a thread opened on a message has its id

	t.Run("a mention opens a thread on the message and answers in it", func(t *testing.T) {
		h.discord.addHistory(channel, mention)
		gw.dispatch("MESSAGE_CREATE", mention)
		open := h.discord.waitFor(t, "thread start", 1, func(c call) bool {
			return c.Method == http.MethodPost && c.Path == "/channels/"+channel+"/messages/510000000000000001/threads"
		})[0]
		if got := open.str("name"); got != question+" @everyone" {
			t.Errorf("thread name %q", got)
		}
		reply := h.discord.waitFor(t, "answer in the thread", 1, channelPost(thread))[0]
		if got := reply.str("content"); got != "The council approved the budget on Tuesday. [1]" {
			t.Errorf("answer %q", got)
		}
		if _, ok := reply.Body["message_reference"]; ok {
			t.Error("the first answer in a new thread replies across channels")
		}
		if a := eng.lastAsk(); a.question != question+" @everyone" || a.opts.Previous != "" || a.coll != guildA {
			t.Errorf("engine asked %+v", a)
		}
	})

	t.Run("a follow-up in footnote's thread is asked with the earlier question", func(t *testing.T) {
		gw.dispatch("THREAD_CREATE", map[string]any{"id": thread, "type": 11, "guild_id": guildA,
			"parent_id": channel, "owner_id": bot, "name": question, "newly_created": true})
		follow := map[string]any{
			"id": "510000000000000002", "channel_id": thread, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": "And when does the bridge close?",
			"mentions": []any{},
		}
		h.discord.addHistory(thread, follow)
		gw.dispatch("MESSAGE_CREATE", follow)
		replies := h.discord.waitFor(t, "follow-up answer", 2, channelPost(thread))
		reply := replies[len(replies)-1]
		ref, _ := reply.Body["message_reference"].(map[string]any)
		if ref["message_id"] != "510000000000000002" {
			t.Errorf("the follow-up answer does not reply to the follow-up: %v", reply.Body)
		}
		if a := eng.lastAsk(); a.question != "And when does the bridge close?" || a.opts.Previous != question+" @everyone" {
			t.Errorf("engine asked %+v", a)
		}
	})

	t.Run("a second follow-up takes the newest earlier question in the thread", func(t *testing.T) {
		follow := map[string]any{
			"id": "510000000000000003", "channel_id": thread, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": bob.id, "username": "bob"}, "content": "Is it June?", "mentions": []any{},
		}
		h.discord.addHistory(thread, follow)
		gw.dispatch("MESSAGE_CREATE", follow)
		h.discord.waitFor(t, "second follow-up answer", 3, channelPost(thread))
		if a := eng.lastAsk(); a.opts.Previous != "And when does the bridge close?" {
			t.Errorf("previous turn %q", a.opts.Previous)
		}
	})

	t.Run("an empty mention is told how to ask", func(t *testing.T) {
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000011", "channel_id": channel, "guild_id": guildA,
			"author": map[string]any{"id": bob.id}, "content": "<@" + bot + ">",
			"mentions": []any{map[string]any{"id": bot}}})
		reply := h.discord.waitFor(t, "hint", 1, func(c call) bool {
			return channelPost(channel)(c) && strings.HasPrefix(c.str("content"), "Ask your question after the mention")
		})[0]
		if ref, _ := reply.Body["message_reference"].(map[string]any); ref["message_id"] != "510000000000000011" {
			t.Errorf("the hint does not reply to the mention: %v", reply.Body)
		}
	})

	// Last: it closes the bot.
	t.Run("messages that neither mention footnote nor sit in its thread are ignored, as are bots", func(t *testing.T) {
		before, asks := len(h.discord.recorded(nil)), eng.askCount()
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000009", "channel_id": channel, "guild_id": guildA,
			"author": map[string]any{"id": bob.id}, "content": "lunch?", "mentions": []any{}})
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000010", "channel_id": thread, "guild_id": guildA,
			"author": map[string]any{"id": "999", "bot": true}, "content": "beep", "mentions": []any{}})
		// An empty mention is answered at once by its handler: once its hint is out, the two
		// messages before it have been handled, and Close waits for any work they started.
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000012", "channel_id": channel, "guild_id": guildA,
			"author": map[string]any{"id": bob.id}, "content": "<@" + bot + ">", "mentions": []any{map[string]any{"id": bot}}})
		h.discord.waitFor(t, "hint", 1, func(c call) bool {
			ref, _ := c.Body["message_reference"].(map[string]any)
			return channelPost(channel)(c) && ref["message_id"] == "510000000000000012"
		})
		if err := h.bot.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if after := len(h.discord.recorded(nil)); after != before+1 || eng.askCount() != asks {
			t.Errorf("ignored messages caused %d calls besides the hint and %d asks", after-before-1, eng.askCount()-asks)
		}
	})
}

// A mention is a message, which carries no member's locale: footnote answers it in the
// server's preferred language (the gateway's GUILD_CREATE), as announcements are.
func TestAMentionIsAnsweredInTheServersLanguage(t *testing.T) {
	eng := cityNews()
	h, gw := startGatewayOn(t, eng, func(gw *fakeGateway) { gw.guilds[0]["preferred_locale"] = "de" })
	bot := h.discord.botID
	gw.dispatch("MESSAGE_CREATE", map[string]any{
		"id": "510000000000000021", "channel_id": channel, "guild_id": guildA, "type": 0,
		"author":   map[string]any{"id": alice.id, "username": "alice"},
		"content":  "<@" + bot + "> When did the council approve the budget?",
		"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}},
	})
	reply := h.discord.waitFor(t, "answer", 1, channelPost("510000000000000021"))[0]
	if labels := buttonLabels(reply); !slices.Contains(labels, "Abschnitt 1") {
		t.Errorf("button labels %q, want German (\"Abschnitt 1\")", labels)
	}
}
