package bot

import (
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

func TestRemove(t *testing.T) {
	eng, guilds := realEngine(t, 1)
	g := guilds[0]
	h := newHarness(t, eng)
	page := func(name, title string) string {
		h.discord.setPage(name, "<html><head><title>"+title+"</title></head><body><article><h1>"+title+"</h1><p>"+
			strings.Repeat("The harbour committee met on Thursday to discuss the ferry timetable and the repairs. ", 6)+
			title+".</p></article></body></html>")
		return h.discord.srv.URL + "/web/" + name
	}
	added := func(link string) {
		t.Helper()
		h.edit(h.send(h.slash(g, alice, "add", "url", link)), func(c string) bool { return strings.HasPrefix(c, "Added") })
	}
	first, second := page("first", "Ferry timetable changes"), page("second", "Bridge repairs begin")
	added(first)
	added(second)

	t.Run("another member cannot remove an article they did not add", func(t *testing.T) {
		s := h.send(h.slash(g, bob, "remove", "url", first))
		if got := h.ephemeralError(s); got != "Only the member who added that article, or an admin, can remove it." {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("the member who added an article can remove it", func(t *testing.T) {
		s := h.send(h.slash(g, alice, "remove", "url", first))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want ephemeral", cb.Body)
		}
		h.edit(s, func(c string) bool {
			return c == "Removed **Ferry timetable changes** and its passages; footnote no longer quotes it here."
		})
	})

	t.Run("an admin can remove any article", func(t *testing.T) {
		s := h.send(h.slash(g, boss, "remove", "url", second))
		h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Removed **Bridge repairs begin**") })
		if arts, total, err := eng.ListArticles(t.Context(), g, "", 0, 10); err != nil || total != 0 {
			t.Errorf("left: %v %d %v", arts, total, err)
		}
	})

	t.Run("an unknown link is explained", func(t *testing.T) {
		s := h.send(h.slash(g, boss, "remove", "url", first))
		if got := h.ephemeralError(s); got != "No tracked article has that link here. /articles shows the exact links." {
			t.Errorf("reply %q", got)
		}
	})
}
