package bot

import (
	"strings"
	"testing"
)

func TestAdminRole(t *testing.T) {
	t.Run("the admin role given by id counts as admin", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.AdminRole = "900000000000000001" })
		editor := member{id: "100000000000000005", roles: []string{"900000000000000001"}}
		s := h.send(h.slash(guildA, editor, "reindex"))
		h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Reindex done") })
	})

	t.Run("the admin role given by name is looked up in the guild", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.AdminRole = "Editors" })
		h.discord.setRoles(guildA, map[string]any{"id": "900000000000000002", "name": "editors"},
			map[string]any{"id": "900000000000000003", "name": "readers"})
		editor := member{id: "100000000000000005", roles: []string{"900000000000000002"}}
		reader := member{id: "100000000000000006", roles: []string{"900000000000000003"}}
		s := h.send(h.slash(guildA, editor, "reindex"))
		h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Reindex done") })
		s = h.send(h.slash(guildA, reader, "reindex"))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "Only admins") {
			t.Errorf("a reader got %q", got)
		}
	})
}
