package bot

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

func TestArticles(t *testing.T) {
	t.Run("articles are listed newest first, ten a page, with Prev and Next", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		g := guilds[0]
		var arts []article
		for i := 1; i <= 12; i++ {
			arts = append(arts, article{URL: fmt.Sprintf("https://news.example/%02d", i), Title: fmt.Sprintf("Story %02d", i),
				Site: "news.example", Published: fmt.Sprintf("2024-01-%02d", i),
				Text: fmt.Sprintf("Story number %d tells of the harbour and the ferries in some detail.", i)})
		}
		importArticles(t, eng, g, arts...)
		h := newHarness(t, eng)
		s := h.send(h.slash(g, alice, "articles"))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want an ephemeral deferral", cb.Body)
		}
		page1 := h.edit(s, nil)
		e := page1.embeds()[0]
		if e["title"] != "Tracked articles: page 1 of 2 (12 in all)" {
			t.Errorf("title %v", e["title"])
		}
		lines := strings.Split(e["description"].(string), "\n")
		if len(lines) != 10 || lines[0] != "1. [Story 12](https://news.example/12) · news.example · <t:1705060800:D> · 1 passage" {
			t.Errorf("page 1 lines %q", lines)
		}
		if got := page1.customIDs(); !reflect.DeepEqual(got, []string{"art:0:", "art:2:"}) {
			t.Errorf("buttons %v", got)
		}
		next := h.send(h.click(g, alice, "art:2:"))
		if cb := h.callback(next); cb.num("type") != int(dg.InteractionResponseDeferredMessageUpdate) {
			t.Errorf("callback %v, want a deferred update", cb.Body)
		}
		page2 := h.edit(next, nil)
		if got := page2.embeds()[0]["title"]; got != "Tracked articles: page 2 of 2 (12 in all)" {
			t.Errorf("page 2 title %v", got)
		}
		if got := strings.Split(page2.embeds()[0]["description"].(string), "\n"); len(got) != 2 || !strings.HasPrefix(got[1], "12. [Story 01]") {
			t.Errorf("page 2 lines %q", got)
		}
		if got := page2.customIDs(); !reflect.DeepEqual(got, []string{"art:1:", "art:3:"}) {
			t.Errorf("page 2 buttons %v", got)
		}
		// A page past the end shows the last one.
		far := h.send(h.slash(g, alice, "articles", "page", 9))
		if got := h.edit(far, nil).embeds()[0]["title"]; got != "Tracked articles: page 2 of 2 (12 in all)" {
			t.Errorf("page 9 shows %v", got)
		}
	})

	t.Run("an empty list says how to add an article", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		s := h.send(h.slash(guildA, alice, "articles"))
		h.edit(s, func(c string) bool { return c == "This server tracks no articles yet. Add one with /add url:<link>." })
	})
}

func TestPageID(t *testing.T) {
	t.Run("a query that fits is carried whole", func(t *testing.T) {
		if id, ok := pageID(12, "harbour ferries"); !ok || id != "art:12:harbour ferries" {
			t.Errorf("id %q, %v", id, ok)
		}
	})
	t.Run("a query too long for the custom id is reported, not cut", func(t *testing.T) {
		if id, ok := pageID(12, strings.Repeat("é", 80)); ok {
			t.Errorf("id %q (%d bytes) reported as fitting", id, len(id))
		}
	})
}
