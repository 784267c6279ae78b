package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestRecrawledArticlesShowWhetherTheyChangedOrWentOffline(t *testing.T) {
	pub := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
	added := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	updated := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	gone := time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC)
	upd := discordDate(updated)
	tests := []struct {
		name string
		got  func() string
		want string
	}{
		{"a citation whose text changed says updated and when",
			func() string {
				return citationSources("", []retrieval.Citation{{N: 1, Site: "news.example", Published: pub, Added: added, Updated: updated, Quote: "q"}}, "")[0].embed.Description
			},
			"news.example · <t:1714651200:D> · updated " + upd + "\n\n"},
		{"a citation of a page that is gone says it is no longer online",
			func() string {
				return citationSources("", []retrieval.Citation{{N: 1, Site: "news.example", Published: pub, Gone: gone, Quote: "q"}}, "")[0].embed.Description
			},
			"news.example · <t:1714651200:D> · no longer online\n\n"},
		{"a citation that is both says both, after the added date",
			func() string {
				return citationSources("", []retrieval.Citation{{N: 1, Added: added, Updated: updated, Gone: gone, Quote: "q"}}, "")[0].embed.Description
			},
			"added <t:1796040000:D> · updated " + upd + " · no longer online\n\n"},
		{"a citation of an article never recrawled shows its date alone",
			func() string {
				return citationSources("", []retrieval.Citation{{N: 1, Site: "news.example", Published: pub, Added: added, Quote: "q"}}, "")[0].embed.Description
			},
			"news.example · <t:1714651200:D>\n\n"},
		{"a closest source carries the marks too",
			func() string {
				return closestSource("", 1, retrieval.Result{Title: "Notes", Added: added, Updated: updated, Gone: gone}).embed.Description
			},
			"added <t:1796040000:D> · updated " + upd + " · no longer online"},
		{"a passage shown in full carries them",
			func() string {
				return passageDescription("", &retrieval.PassageView{Result: retrieval.Result{Published: pub, Gone: gone, Text: "Text."}})
			},
			"<t:1714651200:D> · no longer online\n\nText."},
		{"an article's line in /articles carries them before its passage count",
			func() string {
				return articleLine("", 2, retrieval.Article{Title: "Pier", Published: pub, Updated: updated, Gone: gone, Passages: 3})
			},
			"2. Pier · <t:1714651200:D> · updated " + upd + " · no longer online · 3 passages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.got(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("got %q, want it to start with %q", got, tt.want)
			}
		})
	}
}

func TestTheConsoleShowsACitationsUpdatesAndGonePages(t *testing.T) {
	eng := newFakeEngine()
	eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
		return &retrieval.Answer{Mode: retrieval.ModeExtractive, Covered: true, Text: "The pier reopens in June. [1]",
			Citations: []retrieval.Citation{{N: 1, ChunkID: 7, URL: "https://news.example/pier", Title: "Pier", Site: "news.example",
				Published: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), Updated: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC),
				Gone: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Quote: "The pier reopens in June."}}}, nil
	}
	h := newHarness(t, eng)
	var out strings.Builder
	if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader("When does the pier reopen?\n"), &out); err != nil {
		t.Fatal(err)
	}
	if want := "news.example · 2 May 2024 · updated 3 Mar 2026 · no longer online"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}

func TestSettingsChooseWhatHappensToGonePages(t *testing.T) {
	h := newHarness(t, cityNews())
	t.Run("by default gone pages are kept and marked", func(t *testing.T) {
		got := h.edit(h.send(h.typedSlash(guildA, boss, "settings")), nil).str("content")
		if !strings.Contains(got, `**Articles whose page is gone (404/410):** kept and still cited, marked "no longer online"`) {
			t.Errorf("settings %q", got)
		}
	})
	t.Run("gone_pages: remove is saved for this server only", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings", opt("gone_pages", dg.ApplicationCommandOptionString, "remove")))
		h.edit(s, func(c string) bool { return strings.Contains(c, "**Articles whose page is gone (404/410):** removed") })
		if g := h.bot.guildSettings(context.Background(), guildA); g.GonePages != retrieval.GoneRemove {
			t.Errorf("guild A's settings %+v, want gone pages removed", g)
		}
		if g := h.bot.guildSettings(context.Background(), guildB); g.GonePages != retrieval.GoneMark {
			t.Errorf("guild B's settings %+v, want the default", g)
		}
	})
	t.Run("gone_pages: mark goes back to the default", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings", opt("gone_pages", dg.ApplicationCommandOptionString, "mark")))
		h.edit(s, func(c string) bool { return strings.Contains(c, "kept and still cited") })
	})
	t.Run("another value is refused before anything is saved", func(t *testing.T) {
		s := h.send(h.typedSlash(guildA, boss, "settings", opt("gone_pages", dg.ApplicationCommandOptionString, "archive")))
		if got := h.ephemeralError(s); !strings.Contains(got, "gone_pages as mark or remove") {
			t.Errorf("got %q", got)
		}
	})
}
