package bot

import (
	"strings"
	"testing"
)

// /gaps shows an admin what members asked that the articles don't answer, the same
// question once with how often it was asked, without who asked; a member who is no admin
// is refused.
func TestGapsListsWhatTheArticlesDoNotAnswer(t *testing.T) {
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	h := newHarness(t, eng)
	h.discord.placeChannel(channel, g)
	if got := h.edit(h.send(h.slash(g, boss, "gaps")), nil).str("content"); !strings.HasPrefix(got, "No gaps") {
		t.Errorf("/gaps before any question = %q", got)
	}
	for range 2 {
		h.edit(h.send(h.slash(g, alice, "ask", "question", "How many moons does *Neptune* have?")), nil)
	}
	got := h.edit(h.send(h.slash(g, boss, "gaps")), nil).str("content")
	for _, want := range []string{"1 question the articles here don't answer", "**2×** How many moons does \\*Neptune\\* have?", "not covered 2×", "last asked <t:"} {
		if !strings.Contains(got, want) {
			t.Errorf("/gaps = %q; want it to hold %q", got, want)
		}
	}
	if strings.Contains(got, alice.id) {
		t.Errorf("/gaps = %q names who asked", got)
	}
	if got := h.ephemeralError(h.send(h.slash(g, alice, "gaps"))); !strings.HasPrefix(got, "Only admins") {
		t.Errorf("/gaps by a member = %q; want a refusal", got)
	}
}
