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
	threadStart := func(c call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/threads") }

	t.Run("answers: reply checks Send Messages in the channel, not the thread permissions", func(t *testing.T) {
		const ch = "300000000000000021"
		h.discord.deny(ch, dg.PermissionSendMessages)
		gw.dispatch("MESSAGE_CREATE", mentionOf(h, "510000000000000201", ch, "When did the council approve the budget?"))
		waitLog(t, h, "mention not answered")
		if n := len(h.discord.recorded(channelPost(ch))) + len(h.discord.recorded(threadStart)); n != 0 {
			t.Errorf("%d posts or threads where footnote may not post and no thread is wanted", n)
		}
		if strings.Contains(h.logs.String(), "Missing Permissions") {
			t.Error("footnote posted anyway and Discord refused")
		}
	})
}
