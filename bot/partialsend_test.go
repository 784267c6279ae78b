package bot

import (
	"context"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestFailureAfterAPartKeepsWhatWasSent(t *testing.T) {
	for _, mode := range []retrieval.AnswerMode{retrieval.AnswerDefault, retrieval.AnswerEphemeral} {
		t.Run("answers: "+string(mode), func(t *testing.T) {
			eng := newFakeEngine()
			st := retrieval.DefaultGuildSettings()
			st.AnswerMode = mode
			eng.settings = map[string]retrieval.GuildSettings{guildA: st}
			eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
				return &retrieval.Answer{Covered: true, QuestionID: 5,
					Text: strings.Repeat("The council met again and talked. ", 150) + "It passed [1].",
					Citations: []retrieval.Citation{{N: 1, ChunkID: 9, URL: "https://news.example/b", Title: "Budget",
						Quote: "It passed on Tuesday."}}}, nil
			}
			h := newHarness(t, eng)
			p, s := h.slash(guildA, alice, "ask", "question", "What happened?")
			h.discord.refuseFollowup(s.token, 2)
			h.send(p, s)
			fs := h.discord.waitFor(t, "the error after the refused part", 3, followupOf(s.token))
			waitRequests(t, h, 1)
			if n := len(h.discord.recorded(editOf(s.token))); n != 1 {
				t.Errorf("the reply was edited %d times, want once (part 1, kept)", n)
			}
			if n := len(h.discord.recorded(deleteOf(s.token))); n != 0 {
				t.Errorf("the reply (part 1) was deleted")
			}
			last := fs[2]
			if last.num("flags") != int(dg.MessageFlagsEphemeral) || !strings.Contains(last.str("content"), "footnote can't") {
				t.Errorf("error follow-up %v", last.Body)
			}
		})
	}
}
