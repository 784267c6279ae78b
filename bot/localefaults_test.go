package bot

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The lines main brought for Discord's faults, shutdown and malformed interactions follow
// the member's language too.
func TestFaultLinesFollowTheLanguage(t *testing.T) {
	t.Run("a member is told in German when Discord keeps rate-limiting footnote", func(t *testing.T) {
		h := newHarness(t, cityNews())
		p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
		p["locale"] = "de"
		h.discord.failNext(-1, editOf(s.token), fault{status: 429, header: map[string]string{"X-RateLimit-Global": "true"},
			body: `{"message": "You are being rate limited.", "retry_after": 3600, "global": true}`})
		h.send(p, s)
		want := "Discord bremst footnote gerade aus oder hat Probleme, daher konnte das nicht abgeschlossen werden. Versuch es gleich noch einmal."
		if got := h.ephemeralError(s); got != want {
			t.Errorf("told %q\nwant  %q", got, want)
		}
	})

	t.Run("a French question still queued at shutdown is told in French that footnote restarted", func(t *testing.T) {
		eng := newFakeEngine()
		release := blockingAsk(eng)
		defer release()
		h := newHarness(t, eng, func(c *Config) {
			c.Workers, c.QueueSize, c.GuildConcurrency, c.ShutdownGrace = 1, 1, 10, 100*time.Millisecond
		})
		running := h.ask(guildA, alice, "first?")
		p, queued := h.slash(guildA, bob, "ask", "question", "second?")
		p["locale"] = "fr"
		h.send(p, queued)
		h.callback(running)
		h.callback(queued)
		if err := h.bot.Close(context.Background()); err != nil {
			t.Errorf("Close = %v, want nil: both members were told", err)
		}
		if got, want := h.ephemeralError(queued), "footnote a redémarré avant d'avoir fini. Réessayez dans un instant."; got != want {
			t.Errorf("told %q, want %q", got, want)
		}
	})

	t.Run("a panic before the work is queued is answered in Japanese as an internal error", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		h.bot.commands["boom"] = &command{name: "boom", ack: ackEphemeral,
			prepare: func(*request) error { panic("prepare exploded") }}
		p, _ := h.slash(guildA, alice, "boom")
		p["locale"] = "ja"
		if code, out := h.post(p); code != 200 || !strings.Contains(out, "footnote 側で問題が発生しました（エラー ID ") {
			t.Errorf("POST = %d %s, want 200 with the internal error in Japanese", code, out)
		}
	})
}
