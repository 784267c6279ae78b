package bot

import (
	"context"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// TestSettingsReadTimesOut: a settings read that hangs (a stuck database) falls back to the
// defaults after settingsReadTimeout, so /ask is still acknowledged within Discord's 3 s
// and a mention is still answered.
func TestSettingsReadTimesOut(t *testing.T) {
	eng := cityNews()
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	eng.settingsFunc = func(ctx context.Context, _ string) (retrieval.GuildSettings, error) {
		select {
		case <-ctx.Done():
			return retrieval.GuildSettings{}, ctx.Err()
		case <-stuck:
			return retrieval.GuildSettings{}, context.Canceled
		}
	}
	h, gw := startGateway(t, eng)

	// /ask is acknowledged in time.
	start := time.Now()
	h.callback(h.ask(guildA, alice, "When did the council approve the budget?"))
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("acknowledged after %v, past Discord's 3 s", took)
	}
	// A mention is answered.
	bot := h.discord.botID
	m := map[string]any{"id": "510000000000000301", "channel_id": channel, "guild_id": guildA, "type": 0,
		"author":   map[string]any{"id": alice.id, "username": "alice"},
		"content":  "<@" + bot + "> When did the council approve the budget?",
		"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}}}
	h.discord.addHistory(channel, m)
	gw.dispatch("MESSAGE_CREATE", m)
	h.discord.waitFor(t, "answer in the thread", 1, channelPost("510000000000000301"))
}
