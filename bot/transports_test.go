package bot

import (
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

// Every command, menu, button and form footnote registers or sends is answered over both
// transports: each gets its first response (a deferral, a form or an immediate reply),
// never the 204 or the silence Discord shows as "This interaction failed".
func TestEveryInteractionOnBothTransports(t *testing.T) {
	type build func(h *harness) (map[string]any, sent)
	var cases []struct {
		name  string
		build build
	}
	add := func(name string, b build) {
		cases = append(cases, struct {
			name  string
			build build
		}{name, b})
	}
	for _, c := range (&Bot{cfg: Config{MaxQuestionLen: 300}}).applicationCommands() {
		name := c.Name
		switch c.Type {
		case dg.MessageApplicationCommand:
			add("the menu "+name, func(h *harness) (map[string]any, sent) {
				return h.messageCommand(guildA, boss, name, "When did the council approve the budget? https://news.example/a")
			})
		default:
			add("/"+name, func(h *harness) (map[string]any, sent) {
				switch name {
				case "ask":
					return h.slash(guildA, boss, name, "question", "When did the council approve the budget?")
				case "add", "remove":
					return h.slash(guildA, boss, name, "url", "https://news.example/a")
				case "track", "untrack":
					return h.slash(guildA, boss, name, "feed", "https://news.example/feed.xml")
				}
				return h.slash(guildA, boss, name)
			})
		}
	}
	add("autocomplete of /remove url", func(h *harness) (map[string]any, sent) {
		return h.interaction(dg.InteractionApplicationCommandAutocomplete, guildA, boss, map[string]any{
			"id": "700000000000000001", "name": "remove", "type": 1,
			"options": []any{map[string]any{"name": "url", "type": 3, "value": "news", "focused": true}}})
	})
	for _, id := range []string{"psg:1:1", "fb:up:1", "fb:down:1", "art:2:"} {
		add("the button "+id, func(h *harness) (map[string]any, sent) { return h.click(guildA, boss, id) })
	}
	add("the 👎 form", func(h *harness) (map[string]any, sent) {
		return h.modalSubmit(guildA, boss, "fbm:1", map[string]string{reasonInputID: "outdated"})
	})

	for _, transport := range []string{"HTTP", "gateway"} {
		t.Run("over "+transport, func(t *testing.T) {
			var h *harness
			var gw *fakeGateway
			if transport == "HTTP" {
				h = newHarness(t, cityNews())
			} else {
				h, gw = startGateway(t, cityNews())
			}
			for _, tc := range cases {
				t.Run(strings.ReplaceAll(tc.name, "/", "slash "), func(t *testing.T) {
					p, s := tc.build(h)
					if gw != nil {
						gw.dispatch("INTERACTION_CREATE", p)
					} else {
						h.send(p, s)
					}
					if cb := h.callback(s); cb.num("type") < int(dg.InteractionResponseChannelMessageWithSource) {
						t.Errorf("first response %v", cb.Body)
					}
				})
			}
		})
	}
}
