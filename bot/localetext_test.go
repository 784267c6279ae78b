package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// buttonLabels returns the labels of a message's buttons, in order.
func buttonLabels(c call) []string {
	var labels []string
	rows, _ := c.Body["components"].([]any)
	for _, r := range rows {
		row, _ := r.(map[string]any)
		comps, _ := row["components"].([]any)
		for _, x := range comps {
			m, _ := x.(map[string]any)
			if l, ok := m["label"].(string); ok {
				labels = append(labels, l)
			}
		}
	}
	return labels
}

func TestLocaleLeavesArticleTextAlone(t *testing.T) {
	const quote = "Passage of the bill was Helpful to renters, and Not helpful to landlords."
	answerWith := func(text string) *fakeEngine {
		eng := newFakeEngine()
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			return &retrieval.Answer{Covered: true, QuestionID: 7, Text: text,
				Citations: []retrieval.Citation{{N: 1, ChunkID: 21, URL: "https://news.example/bill",
					Title: "Passage of the housing bill", Quote: quote}}}, nil
		}
		return eng
	}
	askIn := func(h *harness, locale string) sent {
		p, s := h.slash(guildA, alice, "ask", "question", "What did the bill do?")
		p["locale"] = locale
		return h.send(p, s)
	}

	t.Run("a German answer keeps the article's words and translates only the buttons", func(t *testing.T) {
		h := newHarness(t, answerWith("Passage of the bill was Helpful [1]."))
		e := h.edit(askIn(h, "de"), nil)
		if got := e.str("content"); got != "Passage of the bill was Helpful [1]." {
			t.Errorf("content = %q", got)
		}
		emb := e.embeds()
		if len(emb) != 1 || !strings.Contains(emb[0]["title"].(string), "Passage of the housing bill") ||
			!strings.Contains(emb[0]["description"].(string), "Helpful to renters, and Not helpful") {
			t.Errorf("embeds = %v", emb)
		}
		if got, want := strings.Join(buttonLabels(e), "|"), "Abschnitt 1|Hilfreich|Nicht hilfreich"; got != want {
			t.Errorf("buttons = %q, want %q", got, want)
		}
	})
	t.Run("a long German answer keeps every part within 2,000 characters", func(t *testing.T) {
		body := strings.TrimSpace(strings.Repeat("Passage Helpful ", 200)) + " [1]." // 3,200 characters
		h := newHarness(t, answerWith(body))
		s := askIn(h, "de")
		first := h.edit(s, nil)
		second := h.discord.waitFor(t, "second part", 1, followupOf(s.token))[0]
		got := first.str("content") + " " + second.str("content")
		for _, part := range []string{first.str("content"), second.str("content")} {
			if n := runeLen(part); n > maxContent {
				t.Errorf("a part has %d characters", n)
			}
		}
		if got != body {
			t.Errorf("the body changed: %d characters, want %d", runeLen(got), runeLen(body))
		}
	})
}

func TestRepliesFollowTheMembersLanguage(t *testing.T) {
	h := newHarness(t, newFakeEngine(), func(c *Config) { c.RatePerMinute = 2 })
	in := func(locale string) func(map[string]any, sent) sent {
		return func(p map[string]any, s sent) sent {
			p["locale"] = locale
			return h.send(p, s)
		}
	}
	reply := func(s sent) string { return h.edit(s, nil).str("content") }
	for _, tc := range []struct {
		name string
		send func() sent
		read func(sent) string
		want string // the reply, or its start when it ends in "…"
	}{
		{"an error the member can fix is explained in German",
			func() sent {
				return in("de")(h.typedSlash(guildA, alice, "articles", opt("page", dg.ApplicationCommandOptionInteger, 0)))
			},
			h.ephemeralError, "Gib die Seite als Zahl ab 1 an."},
		{"/help is in French",
			func() sent { return in("fr")(h.slash(guildA, alice, "help")) }, reply,
			"**footnote** répond aux questions sur les articles suivis par ce serveur, en les citant ; …"},
		{"/settings are shown in Brazilian Portuguese",
			func() sent { return in("pt-BR")(h.slash(guildA, boss, "settings")) }, reply,
			"**Admins:** membros com Gerenciar servidor\n**Respostas:** padrão: /perguntar responde no canal, uma menção abre um tópico\n…"},
		{"/feeds is in Italian, naming the Italian /track",
			func() sent { return in("it")(h.slash(guildA, alice, "feeds")) }, reply,
			"Questo server non segue nessun feed. Seguine uno con /segui-feed feed:<link>."},
		{"a /track refusal is in Dutch",
			func() sent { return in("nl")(h.slash(guildA, alice, "track", "feed", "not a link")) }, h.ephemeralError,
			"Dat is geen adres van een feed. Geef een volledig adres dat begint met https://."},
		{"/articles on an empty server is in Japanese",
			func() sent { return in("ja")(h.slash(guildA, bob, "articles")) }, reply,
			"このサーバーはまだ記事を追跡していません。/追加 リンク:<リンク> で追加してください。"},
		{"a locale without a catalogue gets English",
			func() sent { return in("ko")(h.slash(guildB, bob, "articles")) }, reply,
			"This server tracks no articles yet. Add one with /add url:<link>."},
		{"the rate limit is in Polish, its seconds in Polish plural",
			func() sent {
				in("pl")(h.slash(guildB, alice, "feeds"))
				in("pl")(h.slash(guildB, alice, "feeds"))
				return in("pl")(h.slash(guildB, alice, "feeds"))
			}, h.ephemeralError, "Działasz szybciej, niż pozwala footnote (2 zapytania na minutę). Spróbuj ponownie za …"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.read(tc.send())
			if prefix, cut := strings.CutSuffix(tc.want, "…"); cut {
				if !strings.HasPrefix(got, prefix) {
					t.Errorf("got %q, want it to start %q", got, prefix)
				}
			} else if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRenderersFollowTheLanguage(t *testing.T) {
	poll := func(added int) *retrieval.FeedPoll {
		p := &retrieval.FeedPoll{Feed: retrieval.Feed{URL: "https://gazette.example/feed.xml", Title: "Gazette", Every: 30 * time.Minute}}
		for range added {
			p.Items = append(p.Items, retrieval.FeedItem{Status: retrieval.StatusAdded})
		}
		return p
	}
	withSkipped := func(p *retrieval.FeedPoll, n int) *retrieval.FeedPoll {
		for range n {
			p.Items = append(p.Items, retrieval.FeedItem{Status: retrieval.StatusSkipped})
		}
		return p
	}
	feeds := func(n int) []retrieval.Feed {
		out := make([]retrieval.Feed, n)
		for i := range out {
			out[i] = retrieval.Feed{URL: fmt.Sprintf("https://f%d.example/feed", i), Every: time.Hour, Articles: 1}
		}
		return out
	}
	for _, tc := range []struct {
		name, got, want string
	}{
		{"a /track reply in German, one new article", renderTracked("de", poll(1)),
			"Folge **Gazette**, alle 30m: 1 neuer Artikel.\n<https://gazette.example/feed.xml>"},
		{"a /track reply in German, three new articles", renderTracked("de", poll(3)),
			"Folge **Gazette**, alle 30m: 3 neue Artikel.\n<https://gazette.example/feed.xml>"},
		{"a /track reply in Polish with items robots.txt closed (few)", renderTracked("pl", withSkipped(poll(1), 3)),
			"Śledzę **Gazette**, co 30m: 1 nowy artykuł.\n<https://gazette.example/feed.xml>\nPominięto 3 elementy: plik robots.txt ich witryny prosi roboty, by ich nie pobierały."},
		{"a /track reply in English with one item robots.txt closed", renderTracked("en", withSkipped(poll(0), 1)),
			"Following **Gazette**, every 30m: 0 new articles.\n<https://gazette.example/feed.xml>\n1 item was left out: its site's robots.txt asks crawlers not to fetch it."},
		{"/feeds in Polish, two feeds (few)", strings.SplitN(renderFeeds("pl", feeds(2)), "\n", 2)[0], "Ten serwer śledzi 2 kanały RSS:"},
		{"/feeds in Polish, five feeds (many)", strings.SplitN(renderFeeds("pl", feeds(5)), "\n", 2)[0], "Ten serwer śledzi 5 kanałów RSS:"},
		{"a missing permission in Spanish, as Discord names it there", missingPermsText("es", &missingPermsError{missing: dg.PermissionEmbedLinks}),
			"footnote no puede hacer eso en este canal: necesita el permiso Insertar enlaces aquí. Pide a un admin que se lo conceda a footnote (ajustes del canal → Permisos, o el rol de footnote)."},
		{"two missing permissions in Japanese", missingPermsText("ja", &missingPermsError{missing: dg.PermissionEmbedLinks | dg.PermissionViewChannel}),
			"footnote はこのチャンネルではそれができません。ここで チャンネルを見る、埋め込みリンク の権限が必要です。管理者に footnote へ付与してもらってください（チャンネル設定 → 権限、または footnote のロール）。"},
		{"a reindex's end in French", reindexDoneText("fr", retrieval.ReindexStats{Articles: 1}, 24*time.Second),
			"Réindexation terminée en 24 s : 1 article, 0 passage, 0 vectorisés.\n▰▰▰▰▰▰▰▰▰▰ 0 passage en 24 s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got  %q\nwant %q", tc.got, tc.want)
			}
		})
	}
}
