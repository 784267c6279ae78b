package bot

import (
	"net/http"
	"testing"
)

func TestThreadNameShowsNoMarkup(t *testing.T) {
	h, gw := startGateway(t, cityNews())
	bot := h.discord.botID
	m := map[string]any{
		"id": "510000000000000009", "channel_id": channel, "guild_id": guildA, "type": 0,
		"author":  map[string]any{"id": alice.id, "username": "alice"},
		"content": "<@" + bot + "> what did <@!222> say <t:1714651200:R> in <#333> to <@&444> <:wave:555>?",
		"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true},
			map[string]any{"id": "222", "username": "bob", "global_name": "Bob B"}},
	}
	h.discord.addHistory(channel, m)
	gw.dispatch("MESSAGE_CREATE", m)
	open := h.discord.waitFor(t, "thread start", 1, func(c call) bool {
		return c.Method == http.MethodPost && c.Path == "/channels/"+channel+"/messages/510000000000000009/threads"
	})[0]
	if got, want := open.str("name"), "what did @Bob B say 2 May 2024 in to :wave:?"; got != want {
		t.Errorf("thread name %q, want %q", got, want)
	}
}
