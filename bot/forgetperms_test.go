package bot

import (
	"net/http"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

func TestRefusalInOpenedThreadForgetsTheChannelsPermissions(t *testing.T) {
	h, gw := startGateway(t, cityNews())
	const ch = "300000000000000031"
	mention := func(id string) {
		gw.dispatch("MESSAGE_CREATE", mentionOf(h, id, ch, "When did the council approve the budget?"))
	}
	threadStart := func(id string) func(call) bool {
		return func(c call) bool {
			return c.Method == http.MethodPost && c.Path == "/channels/"+ch+"/messages/"+id+"/threads"
		}
	}

	mention("510000000000000401") // footnote reads and caches its permissions in ch
	h.discord.waitFor(t, "the first answer, in a thread", 1, channelPost("510000000000000401"))
	waitRequests(t, h, 1)
	h.discord.deny(ch, dg.PermissionSendMessagesInThreads)
	mention("510000000000000402") // the cached permissions say threads: Discord refuses the answer
	waitLog(t, h, "Discord refused: missing permissions")
	waitRequests(t, h, 2)
	mention("510000000000000403") // the refusal forgot ch's permissions: footnote reads them again
	reply := h.discord.waitFor(t, "the answer in the channel", 1, channelPost(ch))[0]
	if got := reply.str("content"); !strings.HasPrefix(got, "The council approved the budget") {
		t.Errorf("answer %q", got)
	}
	if n := len(h.discord.recorded(threadStart("510000000000000403"))); n != 0 {
		t.Error("footnote opened another thread where it may not post")
	}
}

// mentionOf is a member's message in ch mentioning footnote (bot) before text, as the
// gateway sends it, also put into ch's history.
func mentionOf(h *harness, id, ch, text string) map[string]any {
	bot := h.discord.botID
	m := map[string]any{"id": id, "channel_id": ch, "guild_id": guildA, "type": 0,
		"author": map[string]any{"id": alice.id, "username": "alice"}, "content": "<@" + bot + "> " + text,
		"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}}}
	h.discord.addHistory(ch, m)
	return m
}
