package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// The lines main brought while the bot learnt languages (recrawl marks, gone pages, the
// database outage, cut titles, background polls and reindexes) follow the member's too.

func TestRecrawlAndImportLinesFollowTheLanguage(t *testing.T) {
	pub := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
	updated := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	gone := time.Date(2026, 12, 20, 8, 0, 0, 0, time.UTC)
	upd := discordDate(updated)
	retry := time.Date(2026, 3, 2, 10, 5, 0, 0, time.UTC)
	h := newHarness(t, newFakeEngine())
	explainIn := func(locale string, err error) string {
		text, _ := h.bot.explain(&request{kind: "add", locale: locale}, err)
		return text
	}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"a German citation says updated and no longer online in German",
			citationSources("de", []retrieval.Citation{{N: 1, Site: "news.example", Published: pub, Updated: updated, Gone: gone, Quote: "q"}}, "")[0].embed.Description,
			"news.example · <t:1714651200:D> · aktualisiert " + upd + " · nicht mehr online\n\n"},
		{"a French /articles line carries the marks in French",
			articleLine("fr", 2, retrieval.Article{Title: "Pier", Published: pub, Updated: updated, Gone: gone, Passages: 3}),
			"2. Pier · <t:1714651200:D> · mis à jour le " + upd + " · plus en ligne · 3 passages"},
		{"a database outage is explained in Spanish",
			explainIn("es-ES", fmt.Errorf("store: %w: unexpected EOF", retrieval.ErrUnavailable)),
			"La base de datos de footnote no está disponible ahora mismo; tu petición no tiene ningún problema. Vuelve a intentarlo en un minuto."},
		{"a link too long is refused in German",
			explainIn("de", fmt.Errorf("add: %w", retrieval.ErrURLTooLong)),
			"Dieser Link ist zu lang für die Adresse eines Artikels (über " + strconv.Itoa(retrieval.MaxURLBytes) + " Zeichen). Gib den Link des Artikels selbst an."},
		{"an Italian /add says its title was cut",
			renderAdded("it", &retrieval.AddedArticle{Article: retrieval.Article{URL: "https://news.example/a", Title: "T"}, Passages: 1,
				Status: retrieval.StatusAdded, Cuts: []retrieval.FieldCut{{Field: "title", Max: 300, Had: 7999}}}),
			"Aggiunto: **T** (data di pubblicazione sconosciuta · 1 passaggio)\n<https://news.example/a>\nNota: titolo tagliato a 300 caratteri (ne aveva 7999)."},
		{"a Dutch /feeds entry says its poll is retrying, and why",
			feedEntry("nl", retrieval.Feed{URL: "https://news.example/feed.xml", Title: "News", Every: 30 * time.Minute, NextPoll: retry,
				Poll: &retrieval.Job{Phase: retrieval.JobRetrying, Attempt: 1, MaxAttempts: 3, ScheduledAt: retry, LastError: "connection reset"}}),
			"**News**\n<https://news.example/feed.xml>\n0 artikelen · elke 30m · nooit gelukt · volgende keer ophalen <t:1772445900:R> · " +
				"ophalen opnieuw <t:1772445900:R> (poging 2 van 3)\nOphalen opnieuw geprobeerd na: connection reset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.HasPrefix(tc.got, tc.want) {
				t.Errorf("got  %q\nwant %q", tc.got, tc.want)
			}
		})
	}
}

func TestGonePagesSettingFollowsTheLanguage(t *testing.T) {
	h := newHarness(t, cityNews())
	p, s := h.typedSlash(guildA, boss, "settings", opt("gone_pages", dg.ApplicationCommandOptionString, "remove"))
	p["locale"] = "ja"
	got := h.edit(h.send(p, s), nil).str("content")
	if want := "**ページが消えた記事（404/410）:** 削除"; !strings.Contains(got, want) {
		t.Errorf("settings %q, want them to contain %q", got, want)
	}
	p, s = h.typedSlash(guildA, boss, "settings", opt("gone_pages", dg.ApplicationCommandOptionString, "archive"))
	p["locale"] = "pl"
	if got := h.ephemeralError(h.send(p, s)); !strings.Contains(got, "a przy zniknięte-strony wybierz jedną z proponowanych opcji") {
		t.Errorf("refusal %q, want it to name the Polish option", got)
	}
}

func TestBackgroundReindexSpeaksTheAdminsLanguage(t *testing.T) {
	q := &fakeQueue{}
	h := newHarness(t, newFakeEngine(), func(c *Config) { c.Reindexer = q })
	reindexIn := func(locale string) string {
		p, s := h.slash(guildA, boss, "reindex")
		p["app_permissions"] = strconv.FormatInt(InvitePermissions, 10)
		p["locale"] = locale
		return h.edit(h.send(p, s), nil).str("content")
	}
	t.Run("the admin is answered in Japanese, and the job is queued with the locale", func(t *testing.T) {
		if got, want := reindexIn("ja"), "再インデックスを開始しました。進捗はこのチャンネルに投稿されます。"; got != want {
			t.Errorf("reply %q, want %q", got, want)
		}
		if q.locale != "ja" {
			t.Errorf("queued with locale %q, want ja (for the progress message)", q.locale)
		}
	})
	t.Run("a second admin is told in German that one is running, by whom, and where", func(t *testing.T) {
		want := "Eine Neuindexierung dieses Servers ist bereits in Arbeit, angefordert von <@" + boss.id +
			">, daher wurde keine weitere gestartet. Ihr Fortschritt wird in <#" + channel + "> gepostet."
		if got := reindexIn("de"); got != want {
			t.Errorf("reply %q\nwant  %q", got, want)
		}
	})
	t.Run("the job's progress message is in the language it was queued in", func(t *testing.T) {
		ctx := context.Background()
		p := h.bot.ReindexReporter(guildA, channel, "cli", "pl")
		p.Start(ctx)
		posts := h.discord.recorded(channelPost(channel))
		if len(posts) == 0 {
			t.Fatal("nothing posted")
		}
		if got, want := posts[len(posts)-1].str("content"), "Trwa ponowne indeksowanie artykułów tego serwera (zlecone z wiersza poleceń)…"; got != want {
			t.Errorf("start %q, want %q", got, want)
		}
		p.Finish(ctx, retrieval.ReindexStats{Articles: 1, Passages: 2, Embedded: 2, Took: time.Second}, nil)
		edits := h.discord.recorded(func(c call) bool {
			return c.Method == "PATCH" && strings.HasPrefix(c.Path, "/channels/"+channel+"/messages/")
		})
		if got := edits[len(edits)-1].str("content"); !strings.HasPrefix(got, "Reindeksacja zakończona w 1s: 1 artykuł, 2 fragmenty") {
			t.Errorf("last word %q", got)
		}
	})
}
