package bot

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestButtons(t *testing.T) {
	t.Run("the passage button shows the full passage to the clicker only", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		importArticles(t, eng, guilds[0], councilArticle, bridgeArticle)
		h := newHarness(t, eng)
		answer := h.edit(h.ask(guilds[0], alice, "When did the council approve the budget?"), nil)
		id := answer.customIDs()[0]
		if !strings.HasPrefix(id, "psg:") {
			t.Fatalf("first button %q is not a passage button", id)
		}
		s := h.send(h.click(guilds[0], bob, id))
		cb := h.callback(s)
		if cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) ||
			cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want an ephemeral deferral", cb.Body)
		}
		edit := h.edit(s, nil)
		if got := edit.str("content"); got != "Passage 1 in full:" {
			t.Errorf("content %q", got)
		}
		e := edit.embeds()
		if len(e) != 1 || e[0]["title"] != "Council passes budget" || e[0]["url"] != councilArticle.URL {
			t.Fatalf("embeds %v", e)
		}
		desc, _ := e[0]["description"].(string)
		if !strings.Contains(councilArticle.Text, desc) || !strings.Contains(desc, "approved the annual budget") {
			t.Errorf("passage %q is not the article's text", desc)
		}
	})

	t.Run("thumbs up is stored against the question", func(t *testing.T) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "A", Text: "The budget passed on Tuesday."})
		h := newHarness(t, eng)
		ids := h.edit(h.ask(guildA, alice, "When did the budget pass?"), nil).customIDs()
		up := ids[len(ids)-2]
		s := h.send(h.click(guildA, bob, up))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want ephemeral", cb.Body)
		}
		h.edit(s, func(c string) bool { return c == "Thanks! footnote noted that this answer helped." })
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Helpful: true}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("thumbs down asks for a reason, then stores it", func(t *testing.T) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/a", Title: "A", Text: "The budget passed on Tuesday."})
		h := newHarness(t, eng)
		ids := h.edit(h.ask(guildA, alice, "When did the budget pass?"), nil).customIDs()
		down := ids[len(ids)-1]
		if down != "fb:down:1" {
			t.Fatalf("last button %q", down)
		}
		s := h.send(h.click(guildA, bob, down))
		cb := h.callback(s)
		menu := cb.data()
		if cb.num("type") != int(dg.InteractionResponseChannelMessageWithSource) || menu.num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Fatalf("callback %v, want an ephemeral menu at once", cb.Body)
		}
		if got := menu.customIDs(); !reflect.DeepEqual(got, []string{"fbr:1"}) {
			t.Fatalf("menu ids %v", got)
		}
		var values []string
		row := menu.Body["components"].([]any)[0].(map[string]any)
		for _, o := range row["components"].([]any)[0].(map[string]any)["options"].([]any) {
			values = append(values, o.(map[string]any)["value"].(string))
		}
		if want := []string{"wrong_source", "outdated", "incomplete", "other"}; !reflect.DeepEqual(values, want) {
			t.Errorf("reasons %v, want %v", values, want)
		}
		if n := len(eng.feedbacks()); n != 0 {
			t.Errorf("%d feedback stored before a reason was chosen", n)
		}
		s = h.send(h.click(guildA, bob, "fbr:1", "outdated"))
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseDeferredMessageUpdate) {
			t.Errorf("callback %v, want a deferred update", cb.Body)
		}
		edit := h.edit(s, nil)
		if got := edit.str("content"); got != "Thanks! footnote noted that this answer was not helpful (outdated)." {
			t.Errorf("content %q", got)
		}
		if len(edit.components()) != 0 {
			t.Error("the menu was left in place")
		}
		want := []retrieval.Feedback{{Collection: guildA, QuestionID: 1, User: bob.id, Reason: "outdated"}}
		if got := eng.feedbacks(); !reflect.DeepEqual(got, want) {
			t.Errorf("feedback %+v, want %+v", got, want)
		}
	})

	t.Run("a button with a mangled id is refused as out of date", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		s := h.send(h.click(guildA, bob, "psg:notanumber:1"))
		if got := h.ephemeralError(s); got != "That button is out of date. Run the command again." {
			t.Errorf("reply %q", got)
		}
	})

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
		if len(lines) != 10 || lines[0] != "1. [Story 12](https://news.example/12) · news.example · 12 Jan 2024 · 1 passage" {
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
