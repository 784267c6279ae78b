package bot

import (
	"net/http"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

func TestGatewayWithoutMessageContent(t *testing.T) {
	// startGatewayOn fails the test if RunGateway returns: a refused intent took the bot down.
	h, gw := startGatewayOn(t, cityNews(), func(gw *fakeGateway) { gw.refuseContent = true })

	t.Run("refused the Message Content intent, the bot identifies again without it and says so once", func(t *testing.T) {
		gw.mu.Lock()
		d, _ := gw.identify["d"].(map[string]any)
		gw.mu.Unlock()
		want := dg.IntentsGuilds | dg.IntentsGuildMessages
		if got, _ := d["intents"].(float64); dg.Intent(got) != want {
			t.Errorf("intents %v, want %v", got, want)
		}
		if n := strings.Count(h.logs.String(), "Message Content intent is not enabled"); n != 1 {
			t.Errorf("the missing intent was logged %d times, want once:\n%s", n, h.logs)
		}
	})

	t.Run("slash commands still work", func(t *testing.T) {
		p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
	})

	t.Run("mentions still work", func(t *testing.T) {
		m := map[string]any{"id": "540000000000000001", "channel_id": channel, "guild_id": guildA, "type": 0,
			"author":   map[string]any{"id": alice.id, "username": "alice"},
			"content":  "<@" + h.discord.botID + "> When did the council approve the budget?",
			"mentions": []any{map[string]any{"id": h.discord.botID, "username": "footnote", "bot": true}}}
		h.discord.addHistory(channel, m)
		gw.dispatch("MESSAGE_CREATE", m)
		h.discord.waitFor(t, "thread start", 1, func(c call) bool {
			return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/messages/540000000000000001/threads")
		})
		h.discord.waitFor(t, "answer", 1, channelPost("540000000000000001"))
	})
}

func TestGatewayReconnect(t *testing.T) {
	intents := func(ident map[string]any) dg.Intent {
		d, _ := ident["d"].(map[string]any)
		in, _ := d["intents"].(float64)
		return dg.Intent(in)
	}
	askOver := func(t *testing.T, h *harness, gw *fakeGateway) {
		t.Helper()
		p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
	}

	t.Run("a dropped connection is replaced by a new one with the same intents", func(t *testing.T) {
		h, gw := startGateway(t, cityNews())
		gw.drop()
		gw.waitReadies(t, 2)
		gw.mu.Lock()
		n, first, last := len(gw.identifies), intents(gw.identifies[0]), intents(gw.identify)
		gw.mu.Unlock()
		if n != 2 || last != first {
			t.Errorf("%d identifies, the last asking for %v, want 2 asking for %v", n, last, first)
		}
		askOver(t, h, gw)
	})

	t.Run("Message Content withdrawn in the portal while footnote runs: the next connection goes without it and says so once", func(t *testing.T) {
		h, gw := startGateway(t, cityNews())
		gw.mu.Lock()
		gw.refuseContent = true  // the intent was turned off in the developer portal,
		gw.forgetSessions = true // and the session has expired: a resume must identify again
		gw.mu.Unlock()
		gw.drop()
		gw.waitReadies(t, 2)
		gw.mu.Lock()
		first, last := intents(gw.identifies[0]), intents(gw.identify)
		gw.mu.Unlock()
		if first&dg.IntentsMessageContent == 0 {
			t.Errorf("the first identify lacked Message Content: %v", first)
		}
		if want := dg.IntentsGuilds | dg.IntentsGuildMessages; last != want {
			t.Errorf("the last identify asked for %v, want %v", last, want)
		}
		if n := strings.Count(h.logs.String(), "Message Content intent is not enabled"); n != 1 {
			t.Errorf("the missing intent was logged %d times, want once:\n%s", n, h.logs)
		}
		askOver(t, h, gw)
		if !h.bot.gatewayHealthy() {
			t.Error("the gateway is not healthy after reconnecting")
		}
	})
}
