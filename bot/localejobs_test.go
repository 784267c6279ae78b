package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
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
	t.Run("the admin is answered in Japanese, the queued message is in Japanese, and the job is queued with the locale", func(t *testing.T) {
		if got, want := reindexIn("ja"), "再インデックスを開始しました。進捗はこのチャンネルに投稿されます。"; got != want {
			t.Errorf("reply %q, want %q", got, want)
		}
		if q.locale != "ja" {
			t.Errorf("queued with locale %q, want ja (for the progress message)", q.locale)
		}
		want := "再インデックスを順番待ちに入れました（<@" + boss.id + "> の依頼）。ワーカーが空きしだい始まり、このメッセージに進捗が表示されます。"
		if posts := h.discord.recorded(channelPost(channel)); len(posts) != 1 || posts[0].str("content") != want {
			t.Errorf("posted %v, want one message: %q", posts, want)
		}
	})
	t.Run("a second admin is told in German that one is running, by whom, and where", func(t *testing.T) {
		want := "Eine Neuindexierung dieses Servers ist bereits in Arbeit, angefordert von <@" + boss.id +
			">, daher wurde keine weitere gestartet. Ihr Fortschritt wird in <#" + channel + "> gepostet."
		if got := reindexIn("de"); got != want {
			t.Errorf("reply %q\nwant  %q", got, want)
		}
	})
}

func TestReindexReportSpeaksTheAdminsLanguage(t *testing.T) {
	ctx := context.Background()
	plan := retrieval.ReindexPlan{Articles: 40, Passages: 12345, ToEmbed: 12345, Tokens: 1_234_567, Remote: true, Space: "m/8"}
	// start starts a report in locale on a clock of its own, asked for from the command line.
	start := func(t *testing.T, locale string) (*harness, *ReindexReport, *testClock) {
		h := newHarness(t, newFakeEngine())
		clk := newTestClock()
		h.bot.now = clk.now
		r := h.bot.NewReindexReport(channel, "", "cli", locale)
		r.Start(ctx, plan)
		return h, r, clk
	}
	last := func(h *harness, r *ReindexReport) string {
		edits := h.discord.recorded(channelEdit(channel, r.MessageID()))
		if len(edits) == 0 {
			return ""
		}
		return edits[len(edits)-1].str("content")
	}

	t.Run("a Polish report starts with the plan and the bar in Polish, its numbers grouped as Poles do", func(t *testing.T) {
		h, _, _ := start(t, "pl")
		posts := h.discord.recorded(channelPost(channel))
		want := "Trwa ponowne indeksowanie artykułów tego serwera (zlecone z wiersza poleceń)… Do zrobienia: wygenerować embeddingi " +
			"dla 12\u00a0345 fragmentów modelem m/8 (około 1,2 mln tokenów, licząc 4 znaki na token).\n▱▱▱▱▱▱▱▱▱▱ 0 / 12\u00a0345 fragmentów"
		if len(posts) != 1 || posts[0].str("content") != want {
			t.Errorf("posted %v\nwant %q", posts, want)
		}
	})
	t.Run("a German report ends with the counts, the deleted vectors and the done line in German", func(t *testing.T) {
		h, r, clk := start(t, "de")
		clk.advance(72 * time.Second)
		r.Finish(ctx, retrieval.ReindexStats{Articles: 1, Passages: 12345, Embedded: 12345, Space: "m/8", Deleted: 1,
			Took: 72 * time.Second}, nil)
		want := "Neuindexierung fertig in 1 min 12 s: 1 Artikel, 12.345 Abschnitte, 12.345 eingebettet. Antwortet jetzt aus dem " +
			"Embedding-Raum m/8. 1 Vektor des alten Embedding-Raums gelöscht.\n▰▰▰▰▰▰▰▰▰▰ 12.345 Abschnitte in 1 min 12 s · 171/s"
		if got := last(h, r); got != want {
			t.Errorf("last edit %q\nwant      %q", got, want)
		}
	})
	for _, tt := range []struct {
		name, locale, want string
		end                error
	}{
		{"a French attempt that failed says, in French, which attempt comes next", "fr",
			`^Réindexation arrêtée après 4,5 s : un problème est survenu du côté de footnote \(identifiant d'erreur [0-9a-f]{8}\)\. ` +
				`Ce qui a été fait est conservé ; elle sera retentée sous peu à partir de là \(tentative 2 sur 5\)\.\n▱▱▱▱▱▱▱▱▱▱ 120 / 12\x{202f}345 passages$`,
			&retrieval.AttemptError{Err: errors.New("embedder unreachable"), Attempt: 1, MaxAttempts: 5, Next: retrieval.JobRetrying}},
		{"a Spanish reindex given up names the Spanish command that starts it again", "es-ES",
			`; se intentó 5 veces y se abandonó; /reindexar la vuelve a empezar desde ahí\.\n`,
			&retrieval.AttemptError{Err: errors.New("embedder unreachable"), Attempt: 5, MaxAttempts: 5, Next: retrieval.JobFailed}},
		{"an Italian attempt that used its time slice is paused", "it",
			`^Reindicizzazione messa in pausa dopo 4,5 s: riprende da lì appena un worker è libero\.\n`,
			&retrieval.AttemptError{Err: errors.New("this part took 45m0s"), Attempt: 1, MaxAttempts: 5, Next: retrieval.JobQueued}},
		{"a Dutch attempt handed back at shutdown says footnote was stopped", "nl",
			`^Herindexeren gestopt na 4,5 s: footnote werd gestopt\. Wat gedaan is, blijft bewaard; de volgende run gaat daar verder\.\n`,
			fmt.Errorf("interrupted (%w)", context.Canceled)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, r, clk := start(t, tt.locale)
			clk.advance(4500 * time.Millisecond)
			r.Update(120, 12345)
			r.Finish(ctx, retrieval.ReindexStats{}, tt.end)
			if got := last(h, r); !regexp.MustCompile(tt.want).MatchString(got) {
				t.Errorf("last edit %q, want it to match %s", got, tt.want)
			}
		})
	}
}

func TestProgressLinesFollowTheLanguage(t *testing.T) {
	for _, tt := range []struct {
		name, got, want string
	}{
		{"German groups thousands with dots and says the time left in German",
			progressLine("de", 1234, 5000, 6*time.Second), "▰▰▱▱▱▱▱▱▱▱ 1.234 / 5.000 Abschnitte · 206/s · noch etwa 18 s"},
		{"a slow German rate keeps a decimal comma",
			progressLine("de", 12, 40, 5*time.Second), "▰▰▰▱▱▱▱▱▱▱ 12 / 40 Abschnitte · 2,4/s · noch etwa 12 s"},
		{"French groups with a narrow no-break space",
			progressLine("fr", 1234, 0, 2*time.Second), "1\u202f234 passages · 617/s"},
		{"Spanish leaves a four-digit number whole",
			progressLine("es", 1234, 12345, 0), "▱▱▱▱▱▱▱▱▱▱ 1234 / 12.345 pasajes"},
		{"Polish takes the few form for 2 to 4",
			progressLine("pl", 1, 3, 0), "▰▰▰▱▱▱▱▱▱▱ 1 / 3 fragmenty"},
		{"Japanese counts passages its own way",
			progressDoneLine("ja", 5000, 24*time.Second), "▰▰▰▰▰▰▰▰▰▰ 抜粋 5,000 件（24 s） · 208/s"},
		{"the terminal's line stays English",
			ProgressLine(1234, 5000, "passage", 6*time.Second), "▰▰▱▱▱▱▱▱▱▱ 1,234 / 5,000 passages · 206/s · about 18 s left"},
		{"a Portuguese plan says what it rebuilds, then what it embeds",
			reindexPlanText("pt", retrieval.ReindexPlan{Passages: 300, ToRelex: 300, ToEmbed: 1, Space: "m/8"}),
			"Vai reconstruir o índice de palavras-chave de 300 trechos e depois gerar embeddings de 1 trecho com m/8."},
		{"a Dutch plan with nothing to do says so",
			reindexPlanText("nl", retrieval.ReindexPlan{Passages: 1, Space: "m/8"}),
			"Niets om opnieuw op te bouwen of in te bedden: 1 passage staat al in m/8."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}
