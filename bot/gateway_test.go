package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// startGateway runs a Bot with eng on the fake gateway, in one guild with one text channel,
// until the test ends. Its handlers run one after the other, in the order their events
// arrive: a reply to a later event proves that the earlier ones have been handled.
func startGateway(t *testing.T, eng Engine) (*harness, *fakeGateway) {
	t.Helper()
	return startGatewayOn(t, eng, nil)
}

// startGatewayOn is startGateway with the fake gateway set up by setup (when not nil)
// before the bot connects, and the bot's Config by configure.
func startGatewayOn(t *testing.T, eng Engine, setup func(*fakeGateway), configure ...func(*Config)) (*harness, *fakeGateway) {
	t.Helper()
	h := newHarness(t, eng, configure...)
	gw := h.discord.gw
	gw.guilds = []map[string]any{{
		"id": guildA, "name": "Guild A", "unavailable": false, "roles": []any{}, "members": []any{}, "threads": []any{},
		"channels": []any{map[string]any{"id": channel, "type": 0, "name": "general", "guild_id": guildA}},
	}}
	if setup != nil {
		setup(gw)
	}
	h.bot.session.SyncEvents = true
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.RunGateway(ctx) }()
	select {
	case <-gw.ready:
	case err := <-done:
		t.Fatalf("RunGateway: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the bot never identified")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunGateway returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("RunGateway did not return after its context ended")
		}
	})
	return h, gw
}

// cityNews is a fake engine whose guild A tracks one article on the council and a bridge.
func cityNews() *fakeEngine {
	eng := newFakeEngine()
	eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "City news", Site: "news.example",
		Text: "The council approved the budget on Tuesday. The bridge closes in June for repairs."})
	return eng
}

func TestGateway(t *testing.T) {
	h, gw := startGateway(t, cityNews())

	t.Run("the gateway URL comes from the API base and identify asks only for the intents needed", func(t *testing.T) {
		if n := len(h.discord.recorded(func(c call) bool { return c.Method == http.MethodGet && c.Path == "/gateway" })); n != 1 {
			t.Errorf("GET /gateway made %d times", n)
		}
		gw.mu.Lock()
		d, _ := gw.identify["d"].(map[string]any)
		gw.mu.Unlock()
		if d["token"] != "Bot test-token" {
			t.Errorf("identify token %v", d["token"])
		}
		want := dg.IntentsGuilds | dg.IntentsGuildMessages | dg.IntentsMessageContent
		if got, _ := d["intents"].(float64); dg.Intent(got) != want {
			t.Errorf("intents %v, want %v", got, want)
		}
		if _, sharded := d["shard"]; sharded {
			t.Errorf("a single shard sent shard info: %v", d["shard"])
		}
	})

	t.Run("heartbeats are acknowledged and the connection stays up", func(t *testing.T) {
		deadline := time.Now().Add(5 * time.Second)
		for {
			gw.mu.Lock()
			n := gw.heartbeats
			gw.mu.Unlock()
			if n >= 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d heartbeats in 5s", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		rec := httpGet(t, h.bot.MetricsHandler(), "/healthz")
		if rec != "200 ok\n" {
			t.Errorf("/healthz = %q", rec)
		}
	})

	t.Run("an interaction from the gateway is deferred and answered like one over HTTP", func(t *testing.T) {
		p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
		gw.dispatch("INTERACTION_CREATE", p)
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) {
			t.Errorf("callback %v", cb.Body)
		}
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
	})
}

func TestGatewayRefusals(t *testing.T) {
	t.Run("the gateway needs a token", func(t *testing.T) {
		h := newHarness(t, newFakeEngine(), func(c *Config) { c.Token = "" })
		if err := h.bot.RunGateway(context.Background()); err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Errorf("RunGateway = %v", err)
		}
	})
}
