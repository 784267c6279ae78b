package bot

import (
	"reflect"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestContextMenus(t *testing.T) {
	t.Run("ask about a message: its text is the question, answered ephemerally", func(t *testing.T) {
		eng := cityNews()
		h := newHarness(t, eng)
		s := h.send(h.messageCommand(guildA, alice, askMessageCommand, "When did the council approve the budget?"))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want an ephemeral deferral", cb.Body)
		}
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
		if got := eng.asks[0]; got.coll != guildA || got.question != "When did the council approve the budget?" || got.opts.AskedBy != alice.id {
			t.Errorf("asked %+v", got)
		}
	})

	t.Run("ask about a message: mention markup is not part of the question", func(t *testing.T) {
		eng := cityNews()
		h := newHarness(t, eng)
		s := h.send(h.messageCommand(guildA, alice, askMessageCommand,
			"<@100000000000000002> <@!100000000000000003> When did the council approve the budget? <@&900000000000000001> <#300000000000000001>"))
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
		if got := eng.lastAsk().question; got != "When did the council approve the budget?" {
			t.Errorf("asked %q", got)
		}
		s = h.send(h.messageCommand(guildA, alice, askMessageCommand, "<@100000000000000002> <#300000000000000001>"))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "That message has no text to ask about.") {
			t.Errorf("a message of mentions only got %q", got)
		}
	})

	t.Run("a message without text is refused ephemerally", func(t *testing.T) {
		h := newHarness(t, cityNews())
		s := h.send(h.messageCommand(guildA, alice, askMessageCommand, ""))
		if got := h.ephemeralError(s); got != "That message has no text to ask about. Use /ask with your question instead." {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("add this link adds each http(s) link of the message, as /add url does", func(t *testing.T) {
		eng := newFakeEngine()
		eng.web["https://news.example/ferries"] = fakePage{title: "Ferries", site: "news.example", text: "The ferries run again."}
		eng.web["https://news.example/tram"] = fakePage{title: "Tram", site: "news.example", text: "The tram opens in March."}
		h := newHarness(t, eng)
		s := h.send(h.messageCommand(guildA, alice, addLinksCommand,
			"Read <https://news.example/ferries> and https://news.example/tram. Also https://news.example/ferries"))
		edit := h.edit(s, nil)
		if c := edit.str("content"); !strings.Contains(c, "Added **Ferries**") || !strings.Contains(c, "Added **Tram**") {
			t.Errorf("content %q", c)
		}
		arts, _, _ := eng.ListArticles(t.Context(), guildA, "", 0, 10)
		var urls []string
		for _, a := range arts {
			urls = append(urls, a.URL)
			if a.AddedBy != alice.id {
				t.Errorf("%s added by %q", a.URL, a.AddedBy)
			}
		}
		if want := []string{"https://news.example/ferries", "https://news.example/tram"}; !reflect.DeepEqual(urls, want) {
			t.Errorf("tracked %v, want %v", urls, want)
		}
	})

	t.Run("a message without a link is refused ephemerally", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		s := h.send(h.messageCommand(guildA, alice, addLinksCommand, "no links here"))
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "That message has no link to add.") {
			t.Errorf("reply %q", got)
		}
	})

	t.Run("over the gateway, both menus work from the resolved message", func(t *testing.T) {
		eng := cityNews()
		eng.web["https://news.example/tram"] = fakePage{title: "Tram", text: "The tram opens in March."}
		h, gw := startGateway(t, eng)
		p, s := h.messageCommand(guildA, alice, askMessageCommand, "When did the council approve the budget?")
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, func(c string) bool { return c == "The council approved the budget on Tuesday. [1]" })
		p, s = h.messageCommand(guildA, alice, addLinksCommand, "https://news.example/tram")
		gw.dispatch("INTERACTION_CREATE", p)
		h.edit(s, func(c string) bool { return strings.Contains(c, "Added **Tram**") })
	})

	t.Run("both are registered as message commands", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		found := 0
		for _, c := range h.bot.applicationCommands() {
			if c.Name == askMessageCommand || c.Name == addLinksCommand {
				found++
				if c.Type != dg.MessageApplicationCommand || c.Description != "" {
					t.Errorf("%s: type %d, description %q", c.Name, c.Type, c.Description)
				}
			}
		}
		if found != 2 {
			t.Errorf("%d of the 2 menus registered", found)
		}
	})
}

func TestHelp(t *testing.T) {
	t.Run("/help says what footnote does here, with the article count and admin role, ephemerally", func(t *testing.T) {
		eng := cityNews()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/b", Title: "B", Text: "More news."})
		h := newHarness(t, eng, func(c *Config) { c.AdminRole = "900000000000000001" })
		s := h.send(h.slash(guildA, alice, "help"))
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want ephemeral", cb.Body)
		}
		c := h.edit(s, nil).str("content")
		for _, want := range []string{"tracks **2 articles**", "<@&900000000000000001>", "/ask", "/add", "Add this link"} {
			if !strings.Contains(c, want) {
				t.Errorf("help lacks %q:\n%s", want, c)
			}
		}
		if strings.Contains(c, "You are an admin") {
			t.Error("a member is told they are an admin")
		}
	})

	t.Run("/help shows the server's own settings, not only the operator's", func(t *testing.T) {
		h := newHarness(t, cityNews(), func(c *Config) { c.AdminRole = "900000000000000001" })
		h.edit(h.send(h.typedSlash(guildA, boss, "settings",
			opt("admin_role", dg.ApplicationCommandOptionRole, "900000000000000002"),
			opt("answers", dg.ApplicationCommandOptionString, "ephemeral"),
			opt("mention_channels", dg.ApplicationCommandOptionString, "<#300000000000000005>"),
			opt("members_add", dg.ApplicationCommandOptionBoolean, false))), nil)
		c := h.edit(h.send(h.slash(guildA, alice, "help")), nil).str("content")
		for _, want := range []string{"<@&900000000000000002>", "**Answers:** ephemeral", "<#300000000000000005>", "**/add:** admins only"} {
			if !strings.Contains(c, want) {
				t.Errorf("help lacks %q:\n%s", want, c)
			}
		}
		if strings.Contains(c, "900000000000000001") {
			t.Errorf("help shows the operator's role the server replaced:\n%s", c)
		}
	})

	t.Run("with no articles and no admin role, /help says so", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		c := h.edit(h.send(h.slash(guildA, boss, "help")), nil).str("content")
		for _, want := range []string{"no articles yet", "**Admins:** members with Manage Server\n", "You are an admin here."} {
			if !strings.Contains(c, want) {
				t.Errorf("help lacks %q:\n%s", want, c)
			}
		}
	})
}
