package bot

import (
	"net/http"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

// typedSlash builds a slash command whose options carry their own types (role, boolean).
func (h *harness) typedSlash(guild string, m member, name string, options ...map[string]any) (map[string]any, sent) {
	return h.interaction(dg.InteractionApplicationCommand, guild, m,
		map[string]any{"id": "700000000000000001", "name": name, "type": 1, "options": options})
}

func opt(name string, typ dg.ApplicationCommandOptionType, value any) map[string]any {
	return map[string]any{"name": name, "type": int(typ), "value": value}
}

func TestSettings(t *testing.T) {
	const defaultRole, ownRole = "900000000000000001", "900000000000000002"
	h := newHarness(t, cityNews(), func(c *Config) { c.AdminRole = defaultRole })
	done := func(c string) bool { return strings.HasPrefix(c, "Reindex done") }

	t.Run("with no options an admin sees the current settings, ephemerally", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings"))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("settings reply is public: %v", cb.Body)
		}
		got := h.edit(s, nil).str("content")
		for _, want := range []string{"**Answers:** default", "all channels", "**/add:** every member", defaultRole} {
			if !strings.Contains(got, want) {
				t.Errorf("settings %q lack %q", got, want)
			}
		}
	})
	t.Run("a member without Manage Server cannot change them", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, alice, "settings", opt("members_add", dg.ApplicationCommandOptionBoolean, false)))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("alice got %q", got)
		}
	})
	t.Run("the server's admin role wins over the operator's default, in that server only", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings", opt("admin_role", dg.ApplicationCommandOptionRole, ownRole)))
		if got := h.edit(s, nil).str("content"); !strings.Contains(got, "<@&"+ownRole+">") {
			t.Errorf("saved settings %q", got)
		}
		old := member{id: "100000000000000007", roles: []string{defaultRole}}
		own := member{id: "100000000000000008", roles: []string{ownRole}}
		if got := h.ephemeralError(h.send(h.slash(guildA, old, "reindex"))); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("the default role still counts in a server with its own: %q", got)
		}
		h.edit(h.send(h.slash(guildA, own, "reindex")), done)
		h.edit(h.send(h.slash(guildB, old, "reindex")), done)
	})
	t.Run("answers: ephemeral makes /ask answer only the member who asked", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings", opt("answers", dg.ApplicationCommandOptionString, "ephemeral")))
		h.edit(s, func(c string) bool { return strings.Contains(c, "**Answers:** ephemeral") })
		a := h.ask(guildA, alice, "When did the council approve the budget?")
		if cb := h.callback(a); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("/ask acknowledged publicly: %v", cb.Body)
		}
		if cb := h.callback(h.ask(guildB, alice, "When did the council approve the budget?")); cb.data().num("flags") != 0 {
			t.Errorf("another server's /ask became ephemeral: %v", cb.Body)
		}
	})
	t.Run("members_add: false keeps /add for admins", func(t *testing.T) {
		h.edit(h.send(h.typedSlash(guildA, boss, "settings", opt("members_add", dg.ApplicationCommandOptionBoolean, false))), nil)
		s := h.send(h.slash(guildA, alice, "add", "url", "https://news.example/x"))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("alice's /add got %q", got)
		}
		s = h.send(h.messageCommand(guildA, alice, addLinksCommand, "https://news.example/x"))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("alice's %q got %q", addLinksCommand, got)
		}
	})
	t.Run("a malformed channel list is refused before anything is saved", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings", opt("mention_channels", dg.ApplicationCommandOptionString, "#general")))
		if got := h.ephemeralError(s); !strings.Contains(got, "couldn't use those settings") {
			t.Errorf("got %q", got)
		}
	})
}

func TestReindexRespectsCommandPermissionOverrides(t *testing.T) {
	h := newHarness(t, newFakeEngine())
	const cmd = "700000000000000001"
	t.Run("without overrides a member without Manage Server is refused", func(t *testing.T) {
		if got := h.ephemeralError(h.send(h.slash(guildA, alice, "reindex"))); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("alice got %q", got)
		}
	})
	t.Run("when the server's own overrides let Discord deliver it, footnote runs it", func(t *testing.T) {
		h.discord.setOverrides(guildB, cmd, map[string]any{"id": alice.id, "type": 2, "permission": true})
		s := h.send(h.slash(guildB, alice, "reindex"))
		h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Reindex done") })
		if got := h.discord.recorded(func(c call) bool {
			return c.Method == http.MethodGet && c.Path == "/applications/app/guilds/"+guildB+"/commands/"+cmd+"/permissions"
		}); len(got) != 1 {
			t.Errorf("overrides read %d times:\n%s", len(got), h.discord.dump())
		}
	})
	t.Run("overrides for /reindex do not make /settings an admin command for the member", func(t *testing.T) {
		s := h.send(h.typedSlash(guildB, alice, "settings", opt("members_add", dg.ApplicationCommandOptionBoolean, false)))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("alice got %q", got)
		}
	})
}
