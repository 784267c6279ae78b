package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestErrorAfterDeferral(t *testing.T) {
	t.Run("an error stays ephemeral when the public reply cannot be deleted", func(t *testing.T) {
		eng := newFakeEngine()
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			return nil, errors.New("engine exploded")
		}
		h := newHarness(t, eng)
		h.discord.mu.Lock()
		h.discord.deleteFails = restRetries + 1 // every attempt: one 500 is retried
		h.discord.mu.Unlock()
		s := h.ask(guildA, alice, "What happened to the budget?")
		f := h.discord.waitFor(t, "ephemeral follow-up", 1, followupOf(s.token))[0]
		if f.num("flags") != int(dg.MessageFlagsEphemeral) || !strings.Contains(f.str("content"), "error id") {
			t.Errorf("follow-up %v, want the ephemeral error", f.Body)
		}
		// Discord turns the first follow-up of a reply still "thinking…" into that public
		// reply: the reply must have been settled (edited) before the follow-up was sent.
		var settled bool
		for _, c := range h.discord.recorded(nil) {
			if editOf(s.token)(c) {
				settled = true
				if strings.Contains(c.str("content"), "error id") {
					t.Errorf("the public reply shows the error: %q", c.str("content"))
				}
			}
			if followupOf(s.token)(c) {
				break
			}
		}
		if !settled {
			t.Errorf("the follow-up was sent while the public reply was still thinking; calls:\n%s", h.discord.dump())
		}
	})
}

func TestJobDeadlineCountsFromArrival(t *testing.T) {
	t.Run("the 14-minute limit runs from the interaction's arrival, not from when a worker is free", func(t *testing.T) {
		eng := newFakeEngine()
		got := make(chan time.Time, 1)
		eng.askFunc = func(ctx context.Context, _, _ string, _ retrieval.AskOptions) (*retrieval.Answer, error) {
			d, _ := ctx.Deadline()
			got <- d
			return &retrieval.Answer{Text: "ok", Covered: true}, nil
		}
		h := newHarness(t, eng)
		arrival := time.Now().Add(-4 * time.Minute) // the clock says it arrived four minutes ago (within the signature window)
		h.bot.now = func() time.Time { return arrival }
		h.ask(guildA, alice, "What happened to the budget?")
		var deadline time.Time
		select {
		case deadline = <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("the question never reached the engine")
		}
		if want := arrival.Add(jobTimeout); deadline.Sub(want).Abs() > time.Second {
			t.Errorf("deadline %v, want %v (arrival + %v)", deadline, want, jobTimeout)
		}
	})
}

func TestArticlesLongQuery(t *testing.T) {
	t.Run("a long query pages without buttons and says how to page instead", func(t *testing.T) {
		eng := newFakeEngine()
		query := strings.Repeat("é", 60)
		for i := 0; i < 12; i++ {
			eng.add(guildA, retrieval.Article{URL: fmt.Sprintf("https://news.example/%d", i), Title: "Story " + query,
				Text: fmt.Sprintf("Story %d.", i)})
		}
		h := newHarness(t, eng)
		edit := h.edit(h.send(h.slash(guildA, alice, "articles", "query", query)), nil)
		if ids := edit.customIDs(); len(ids) != 0 {
			t.Errorf("buttons %q carry a cut query", ids)
		}
		if got := edit.str("content"); !strings.Contains(got, "too long for page buttons") || !strings.Contains(got, "page:2") {
			t.Errorf("content %q does not say how to page", got)
		}
	})
}
