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

func TestGateway(t *testing.T) {
	eng := newFakeEngine()
	eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "City news", Site: "news.example",
		Text: "The council approved the budget on Tuesday. The bridge closes in June for repairs."})
	h := newHarness(t, eng)
	gw := h.discord.gw
	gw.guilds = []map[string]any{{
		"id": guildA, "name": "Guild A", "unavailable": false, "roles": []any{}, "members": []any{}, "threads": []any{},
		"channels": []any{map[string]any{"id": channel, "type": 0, "name": "general", "guild_id": guildA}},
	}}
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
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunGateway returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("RunGateway did not return after its context ended")
		}
	}()
	bot := h.discord.botID

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

	const question = "When did the council approve the budget?"
	mention := map[string]any{
		"id": "510000000000000001", "channel_id": channel, "guild_id": guildA, "type": 0,
		"author":   map[string]any{"id": alice.id, "username": "alice"},
		"content":  "<@" + bot + "> " + question + " @everyone",
		"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}},
	}
	thread := "510000000000000001" // a thread opened on a message has its id

	t.Run("a mention opens a thread on the message and answers in it", func(t *testing.T) {
		h.discord.addHistory(channel, mention)
		gw.dispatch("MESSAGE_CREATE", mention)
		open := h.discord.waitFor(t, "thread start", 1, func(c call) bool {
			return c.Method == http.MethodPost && c.Path == "/channels/"+channel+"/messages/510000000000000001/threads"
		})[0]
		if got := open.str("name"); got != question+" @everyone" {
			t.Errorf("thread name %q", got)
		}
		reply := h.discord.waitFor(t, "answer in the thread", 1, channelPost(thread))[0]
		if got := reply.str("content"); got != "The council approved the budget on Tuesday. [1]" {
			t.Errorf("answer %q", got)
		}
		if _, ok := reply.Body["message_reference"]; ok {
			t.Error("the first answer in a new thread replies across channels")
		}
		if a := eng.lastAsk(); a.question != question+" @everyone" || a.opts.Previous != "" || a.coll != guildA {
			t.Errorf("engine asked %+v", a)
		}
	})

	t.Run("a follow-up in footnote's thread is asked with the earlier question", func(t *testing.T) {
		gw.dispatch("THREAD_CREATE", map[string]any{"id": thread, "type": 11, "guild_id": guildA,
			"parent_id": channel, "owner_id": bot, "name": question, "newly_created": true})
		follow := map[string]any{
			"id": "510000000000000002", "channel_id": thread, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": "And when does the bridge close?",
			"mentions": []any{},
		}
		h.discord.addHistory(thread, follow)
		gw.dispatch("MESSAGE_CREATE", follow)
		replies := h.discord.waitFor(t, "follow-up answer", 2, channelPost(thread))
		reply := replies[len(replies)-1]
		ref, _ := reply.Body["message_reference"].(map[string]any)
		if ref["message_id"] != "510000000000000002" {
			t.Errorf("the follow-up answer does not reply to the follow-up: %v", reply.Body)
		}
		if a := eng.lastAsk(); a.question != "And when does the bridge close?" || a.opts.Previous != question+" @everyone" {
			t.Errorf("engine asked %+v", a)
		}
	})

	t.Run("a second follow-up takes the newest earlier question in the thread", func(t *testing.T) {
		follow := map[string]any{
			"id": "510000000000000003", "channel_id": thread, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": bob.id, "username": "bob"}, "content": "Is it June?", "mentions": []any{},
		}
		h.discord.addHistory(thread, follow)
		gw.dispatch("MESSAGE_CREATE", follow)
		h.discord.waitFor(t, "second follow-up answer", 3, channelPost(thread))
		if a := eng.lastAsk(); a.opts.Previous != "And when does the bridge close?" {
			t.Errorf("previous turn %q", a.opts.Previous)
		}
	})

	t.Run("messages that neither mention footnote nor sit in its thread are ignored, as are bots", func(t *testing.T) {
		before, asks := len(h.discord.recorded(nil)), eng.askCount()
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000009", "channel_id": channel, "guild_id": guildA,
			"author": map[string]any{"id": bob.id}, "content": "lunch?", "mentions": []any{}})
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000010", "channel_id": thread, "guild_id": guildA,
			"author": map[string]any{"id": "999", "bot": true}, "content": "beep", "mentions": []any{}})
		time.Sleep(150 * time.Millisecond)
		if after := len(h.discord.recorded(nil)); after != before || eng.askCount() != asks {
			t.Errorf("ignored messages caused %d calls and %d asks", after-before, eng.askCount()-asks)
		}
	})

	t.Run("an empty mention is told how to ask", func(t *testing.T) {
		gw.dispatch("MESSAGE_CREATE", map[string]any{"id": "510000000000000011", "channel_id": channel, "guild_id": guildA,
			"author": map[string]any{"id": bob.id}, "content": "<@" + bot + ">",
			"mentions": []any{map[string]any{"id": bot}}})
		reply := h.discord.waitFor(t, "hint", 1, func(c call) bool {
			return channelPost(channel)(c) && strings.HasPrefix(c.str("content"), "Ask your question after the mention")
		})[0]
		if ref, _ := reply.Body["message_reference"].(map[string]any); ref["message_id"] != "510000000000000011" {
			t.Errorf("the hint does not reply to the mention: %v", reply.Body)
		}
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
