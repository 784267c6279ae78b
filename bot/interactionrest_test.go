package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestInteractionREST(t *testing.T) {
	t.Run("an answer is delivered while another answer's edit is still on its way to Discord", func(t *testing.T) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/tram", Title: "Tram line approved",
			Text: "The tram line opens in 2027, the mayor said."})
		h := newHarness(t, eng)
		slow := make(chan struct{})
		t.Cleanup(func() { close(slow) }) // before the harness closes the bot
		p, first := h.slash(guildA, alice, "ask", "question", "When does the tram line open?")
		h.discord.hold(first.token, slow)
		h.send(p, first)
		h.discord.waitFor(t, "the first answer's edit", 1, editOf(first.token))

		second := h.ask(guildA, bob, "When does the tram line open?")
		h.edit(second, func(content string) bool { return strings.Contains(content, "2027") })
	})

	t.Run("the session keeps no rate-limit bucket for an interaction once it is answered", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		i := &dg.Interaction{ID: "600000000000000077", AppID: "app", Token: "tok-buckets", Type: dg.InteractionApplicationCommand}
		r := newInteractionReplier(h.bot.session, i, nil) // nil: the gateway's callback endpoint
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.deferReply(ctx, false); err != nil {
			t.Fatal(err)
		}
		if err := r.edit(ctx, message{content: "part 1"}); err != nil {
			t.Fatal(err)
		}
		if err := r.followup(ctx, message{content: "part 2"}); err != nil {
			t.Fatal(err)
		}
		if err := r.remove(ctx); err != nil {
			t.Fatal(err)
		}
		// discordgo's limiter creates a bucket on first use with one request left, and a
		// request without rate-limit headers leaves it at zero: a key that still has its
		// one request was never used by the session.
		for _, key := range []string{
			dg.EndpointInteractionResponse(i.ID, i.Token),
			dg.EndpointWebhookToken(i.AppID, i.Token) + "?wait=true",
			dg.EndpointInteractionResponseActions(i.AppID, i.Token),
		} {
			if b := h.bot.session.Ratelimiter.GetBucket(key); b.Remaining != 1 {
				t.Errorf("the session's rate limiter kept a bucket for %s", key)
			}
		}
	})
}
