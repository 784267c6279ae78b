package bot

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestAutocomplete(t *testing.T) {
	longURL := "https://news.example/" + strings.Repeat("section/", 12) + "harbour-ferries"
	newsroom := func() *fakeEngine {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/budget", Title: "Council passes budget", Site: "news.example",
			Text: "The council approved the budget."})
		eng.add(guildA, retrieval.Article{URL: longURL, Title: "Harbour ferries", Site: "harbour.example",
			Text: "The ferries run again.", AddedBy: alice.id})
		eng.add(guildB, retrieval.Article{URL: "https://other.example/budget", Title: "Another budget", Site: "other.example",
			Text: "Another guild's budget."})
		return eng
	}

	t.Run("over HTTP, /remove url offers this server's matching articles as a type 8 result", func(t *testing.T) {
		h := newHarness(t, newsroom())
		s := h.send(h.autocompleteOf(guildA, alice, "remove", "url", "budget"))
		cb := h.callback(s)
		if cb.num("type") != int(dg.InteractionApplicationCommandAutocompleteResult) {
			t.Fatalf("callback %v, want type 8", cb.Body)
		}
		want := [][2]string{{"Council passes budget · https://news.example/budget", "https://news.example/budget"}}
		if got := cb.choices(); !reflect.DeepEqual(got, want) {
			t.Errorf("choices %q, want %q", got, want)
		}
	})

	t.Run("a URL over 100 characters is offered by id, and /remove resolves it", func(t *testing.T) {
		eng := newsroom()
		h := newHarness(t, eng)
		cb := h.callback(h.send(h.autocompleteOf(guildA, alice, "remove", "url", "ferries")))
		got := cb.choices()
		if len(got) != 1 || len(got[0][0]) > maxChoiceChars || len(got[0][1]) > maxChoiceChars ||
			!strings.HasPrefix(got[0][1], idChoicePrefix) {
			t.Fatalf("choices %q", got)
		}
		s := h.send(h.slash(guildA, alice, "remove", "url", got[0][1]))
		h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Removed **Harbour ferries**") })
		if arts, _, _ := eng.ListArticles(t.Context(), guildA, "ferries", 0, 5); len(arts) != 0 {
			t.Errorf("still tracked: %+v", arts)
		}
	})

	t.Run("on the real engine, a long URL chosen by id is removed", func(t *testing.T) {
		eng, guilds := realEngine(t, 1)
		importArticles(t, eng, guilds[0], article{URL: longURL, Title: "Harbour ferries", Site: "harbour.example",
			Published: "2024-03-01", Text: "The harbour ferries run again from Monday, the port authority said."})
		h := newHarness(t, eng)
		got := h.callback(h.send(h.autocompleteOf(guilds[0], boss, "remove", "url", "ferries"))).choices()
		if len(got) != 1 || !strings.HasPrefix(got[0][1], idChoicePrefix) {
			t.Fatalf("choices %q", got)
		}
		s := h.send(h.slash(guilds[0], boss, "remove", "url", got[0][1]))
		h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Removed **Harbour ferries**") })
	})

	t.Run("a long title offered as a query still finds its article", func(t *testing.T) {
		eng := newFakeEngine()
		title := strings.Repeat("Très long titre ", 10)
		eng.add(guildA, retrieval.Article{URL: "https://news.example/long", Title: title, Text: "x"})
		h := newHarness(t, eng)
		got := h.callback(h.send(h.autocompleteOf(guildA, alice, "articles", "query", "long"))).choices()
		if len(got) != 1 || len(got[0][1]) > maxListQuery || !strings.Contains(title, got[0][1]) {
			t.Errorf("choices %q: the value must be a part of the title", got)
		}
	})

	t.Run("/articles query offers titles and /ask source offers sites, once each", func(t *testing.T) {
		h := newHarness(t, newsroom())
		if got := h.callback(h.send(h.autocompleteOf(guildA, alice, "articles", "query", "harb"))).choices(); !reflect.DeepEqual(got,
			[][2]string{{"Harbour ferries", "Harbour ferries"}}) {
			t.Errorf("articles choices %q", got)
		}
		if got := h.callback(h.send(h.autocompleteOf(guildA, alice, "ask", "source", ""))).choices(); !reflect.DeepEqual(got,
			[][2]string{{"news.example", "news.example"}, {"harbour.example", "harbour.example"}}) {
			t.Errorf("source choices %q", got)
		}
	})

	t.Run("at most 25 choices, each within 100 characters", func(t *testing.T) {
		eng := newFakeEngine()
		for i := 0; i < 40; i++ {
			eng.add(guildA, retrieval.Article{URL: fmt.Sprintf("https://news.example/%d", i), Title: strings.Repeat("Très long titre ", 10),
				Text: fmt.Sprintf("Story %d.", i)})
		}
		h := newHarness(t, eng)
		got := h.callback(h.send(h.autocompleteOf(guildA, alice, "remove", "url", ""))).choices()
		if len(got) != maxChoices {
			t.Errorf("%d choices", len(got))
		}
		for _, c := range got {
			if len(c[0]) > maxChoiceChars || len(c[1]) > maxChoiceChars {
				t.Errorf("choice over 100: %q", c)
			}
		}
	})

	t.Run("over the gateway, autocomplete is answered through the callback endpoint", func(t *testing.T) {
		h, gw := startGateway(t, newsroom())
		p, s := h.autocompleteOf(guildA, alice, "remove", "url", "budget")
		gw.dispatch("INTERACTION_CREATE", p)
		cb := h.callback(s)
		if cb.num("type") != int(dg.InteractionApplicationCommandAutocompleteResult) || len(cb.choices()) != 1 {
			t.Errorf("callback %v", cb.Body)
		}
	})

	t.Run("in a direct message there are no choices, and no error", func(t *testing.T) {
		h := newHarness(t, newsroom())
		cb := h.callback(h.send(h.autocompleteOf("", alice, "remove", "url", "budget")))
		if cb.num("type") != int(dg.InteractionApplicationCommandAutocompleteResult) || len(cb.choices()) != 0 {
			t.Errorf("callback %v", cb.Body)
		}
	})

	t.Run("the options are registered with autocomplete", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		want := map[string]string{"remove": "url", "articles": "query", "ask": "source", "untrack": "feed"}
		for _, c := range h.bot.applicationCommands() {
			for _, o := range c.Options {
				if o.Autocomplete != (want[c.Name] == o.Name) {
					t.Errorf("/%s %s: autocomplete %v", c.Name, o.Name, o.Autocomplete)
				}
			}
		}
	})
}
