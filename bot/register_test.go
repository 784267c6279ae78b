package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestRegisterOnStart(t *testing.T) {
	registrations := func(c call) bool {
		return c.Method == http.MethodPut && strings.HasPrefix(c.Path, "/applications/")
	}

	t.Run("shard 0 registers the commands", func(t *testing.T) {
		h := newHarness(t, newFakeEngine(), func(c *Config) { c.ShardID, c.ShardCount = 0, 2 })
		h.bot.RegisterOnStart(context.Background())
		if n := len(h.discord.recorded(registrations)); n != 1 {
			t.Errorf("%d registrations, want 1", n)
		}
	})

	t.Run("other shards leave registration to shard 0", func(t *testing.T) {
		h := newHarness(t, newFakeEngine(), func(c *Config) { c.ShardID, c.ShardCount = 1, 2 })
		h.bot.RegisterOnStart(context.Background())
		if n := len(h.discord.recorded(registrations)); n != 0 {
			t.Errorf("shard 1 registered commands %d times", n)
		}
	})

	t.Run("a failed registration is logged and the bot still serves", func(t *testing.T) {
		h := newHarness(t, cityNews())
		h.discord.refuseCommands = http.StatusInternalServerError
		h.bot.RegisterOnStart(context.Background())
		if !strings.Contains(h.logs.String(), "level=ERROR msg=\"slash commands not registered") {
			t.Errorf("no error logged:\n%s", h.logs)
		}
		s := h.ask(guildA, alice, "When did the council approve the budget?")
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
	})
}
