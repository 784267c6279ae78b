package bot

import (
	"net/http"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestMentionRouteFollowsAnswerMode(t *testing.T) {
	eng := cityNews()
	reply := retrieval.DefaultGuildSettings()
	reply.AnswerMode = retrieval.AnswerReply
	eng.settings = map[string]retrieval.GuildSettings{guildA: reply}
	h, gw := startGateway(t, eng)
	bot := h.discord.botID
	threadStart := func(c call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/threads") }

	t.Run("answers: reply checks Send Messages in the channel, not the thread permissions", func(t *testing.T) {
		const ch = "300000000000000021"
		h.discord.deny(ch, dg.PermissionSendMessages)
		m := map[string]any{
			"id": "510000000000000201", "channel_id": ch, "guild_id": guildA, "type": 0,
			"author":   map[string]any{"id": alice.id, "username": "alice"},
			"content":  "<@" + bot + "> When did the council approve the budget?",
			"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}},
		}
		h.discord.addHistory(ch, m)
		gw.dispatch("MESSAGE_CREATE", m)
		waitLog(t, h, "mention not answered")
		if n := len(h.discord.recorded(channelPost(ch))) + len(h.discord.recorded(threadStart)); n != 0 {
			t.Errorf("%d posts or threads where footnote may not post and no thread is wanted", n)
		}
		if strings.Contains(h.logs.String(), "Missing Permissions") {
			t.Error("footnote posted anyway and Discord refused")
		}
	})
}
