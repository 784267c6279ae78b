package bot

import (
	"strings"
	"testing"
)

// dispatch makes the guild of each interaction its collection: nothing crosses guilds.
func TestGuildIsolation(t *testing.T) {
	eng, guilds := realEngine(t, 2)
	a, b := guilds[0], guilds[1]
	importArticles(t, eng, a, councilArticle)
	importArticles(t, eng, b, bridgeArticle)
	h := newHarness(t, eng)

	t.Run("a guild's answer never cites another guild's articles", func(t *testing.T) {
		inA := h.edit(h.ask(a, alice, "When did the council approve the budget?"), nil)
		if len(inA.embeds()) == 0 || inA.embeds()[0]["url"] != councilArticle.URL ||
			!strings.HasPrefix(inA.embeds()[0]["title"].(string), "[1] ") {
			t.Fatalf("guild A cannot see its own article: %v", inA.Body)
		}
		inB := h.edit(h.ask(b, alice, "When did the council approve the budget?"), nil)
		for _, e := range inB.embeds() {
			if e["url"] == councilArticle.URL {
				t.Errorf("guild B was shown guild A's article: %v", e)
			}
		}
	})

	t.Run("a guild's list shows only its own articles", func(t *testing.T) {
		list := h.edit(h.send(h.slash(b, alice, "articles")), nil)
		desc := list.embeds()[0]["description"].(string)
		if !strings.Contains(desc, "Harbour bridge") || strings.Contains(desc, "Council") {
			t.Errorf("guild B's list: %q", desc)
		}
	})

	t.Run("a passage button of one guild shows nothing in another", func(t *testing.T) {
		inA := h.edit(h.ask(a, bob, "When did the council approve the budget?"), nil)
		s := h.send(h.click(b, bob, inA.customIDs()[0]))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "That passage is gone") {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("feedback is stored for a guild's own answer and refused for another guild's", func(t *testing.T) {
		ids := h.edit(h.ask(a, bob, "When did the council approve the budget?"), nil).customIDs()
		up := ids[len(ids)-2]
		h.edit(h.send(h.click(a, bob, up)), func(c string) bool { return strings.HasPrefix(c, "Thanks!") })
		s := h.send(h.click(b, bob, up))
		if got := h.ephemeralError(s); got != "footnote has no record of that answer here, so the feedback was not saved." {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("a guild cannot remove another guild's article", func(t *testing.T) {
		s := h.send(h.slash(b, boss, "remove", "url", councilArticle.URL))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "No tracked article has that link here.") {
			t.Errorf("reply %q", got)
		}
		arts, _, err := eng.ListArticles(t.Context(), a, "", 0, 10)
		if err != nil || len(arts) != 1 {
			t.Errorf("guild A's articles: %v, %v", arts, err)
		}
	})
}
