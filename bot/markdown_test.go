package bot

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// hostile is article text written to abuse Discord's Markdown and mention markup.
const hostile = "[click](http://evil.example/phish) ||spoiler|| `code` *em* _u_ ~~s~~ <@123> <#1> <t:1:R> @everyone\n" +
	"# heading\n> quote\n-# subtext"

// liveTokens are what hostile would render as markup if any of it reached Discord unescaped.
var liveTokens = []string{"[click]", "||", "`code`", "*em*", "_u_", "~~s~~", "<@123>", "<#1>", "<t:1:R>",
	"@everyone", "# heading", "> quote", "-# subtext"}

// liveMarkup returns the tokens of hostile that s holds unescaped: an occurrence whose
// first character has no backslash before it.
func liveMarkup(s string) []string {
	var live []string
	for _, tok := range liveTokens {
		for i := 0; ; {
			j := strings.Index(s[i:], tok)
			if j < 0 {
				break
			}
			at := i + j
			if at == 0 || s[at-1] != '\\' {
				live = append(live, tok)
				break
			}
			i = at + 1
		}
	}
	return live
}

func TestLiveMarkup(t *testing.T) {
	if got := liveMarkup(hostile); len(got) != len(liveTokens) {
		t.Errorf("the raw text shows %v live, want all of %v", got, liveTokens)
	}
	if got := liveMarkup(escapeMarkdown(hostile)); len(got) != 0 {
		t.Errorf("escaped text still shows %v live", got)
	}
	if got := escapeBody("x [1] and [2](http://a) " + hostile); !strings.HasPrefix(got, `x [1] and \[2\]\(http\://a) \[click\]\(http\://evil`) {
		t.Errorf("escapeBody = %q: a marker should stay, a marker before a link should not, a bare link should break", got)
	}
}

func TestEscapedTextClosesNoMaskedLink(t *testing.T) {
	// Discord's masked-link rule does not read backslashes: after footnote's own live
	// marker, an escaped "\](url)" in article text would close a link opened by the marker.
	for _, tc := range []struct{ name, s string }{
		{"an embed title after its markers", "[1] [2] " + escapeMarkdown("](http://evil.example)")},
		{"a quote after its bold marker", "> **[1]** " + escapeMarkdown("Click ](http://evil.example) now")},
		{"an answer body after a marker", escapeBody("Yes [1]](http://evil.example).")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if at := maskedLinkIn(tc.s); at >= 0 {
				t.Errorf("%q reads as a masked link from byte %d", tc.s, at)
			}
		})
	}
}

// texts returns every piece of text a member sees in a recorded message: its content,
// embed titles, descriptions, footers and fields, button labels and a thread's name.
func texts(c call) map[string]string {
	msg := c
	if _, ok := c.Body["data"]; ok {
		msg = c.data()
	}
	out := map[string]string{"content": msg.str("content"), "name": msg.str("name")}
	for i, e := range msg.embeds() {
		for _, k := range []string{"title", "description"} {
			out[fmt.Sprintf("embed %d %s", i, k)], _ = e[k].(string)
		}
		if f, ok := e["footer"].(map[string]any); ok {
			out[fmt.Sprintf("embed %d footer", i)], _ = f["text"].(string)
		}
		fields, _ := e["fields"].([]any)
		for j, x := range fields {
			f, _ := x.(map[string]any)
			out[fmt.Sprintf("embed %d field %d name", i, j)], _ = f["name"].(string)
			out[fmt.Sprintf("embed %d field %d value", i, j)], _ = f["value"].(string)
		}
	}
	rows, _ := msg.Body["components"].([]any)
	for i, r := range rows {
		row, _ := r.(map[string]any)
		comps, _ := row["components"].([]any)
		for j, x := range comps {
			b, _ := x.(map[string]any)
			out[fmt.Sprintf("button %d.%d", i, j)], _ = b["label"].(string)
		}
	}
	return out
}

func TestHostileArticleMarkdownIsShownLiterally(t *testing.T) {
	published := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	eng := newFakeEngine()
	art := eng.add(guildA, retrieval.Article{URL: "https://news.example/hostile", Title: hostile, Site: hostile,
		Published: published, Text: hostile})
	chunk := art.chunks[0].ID
	cite := func(n int, url string) retrieval.Citation {
		return retrieval.Citation{N: n, ChunkID: chunk, URL: url, Title: hostile, Site: hostile, Published: published,
			Quote: hostile + fmt.Sprint(n)}
	}
	eng.askFunc = func(_ context.Context, _, q string, _ retrieval.AskOptions) (*retrieval.Answer, error) {
		if strings.Contains(q, "football") {
			return &retrieval.Answer{Covered: false, QuestionID: 2, Closest: []retrieval.Result{
				{ChunkID: chunk, URL: "https://news.example/hostile", Title: hostile, Site: hostile, Published: published}}}, nil
		}
		return &retrieval.Answer{Covered: true, QuestionID: 1,
			Text: "“" + hostile + "1” [1] " + hostile + " [2] [3]",
			Citations: []retrieval.Citation{cite(1, "https://news.example/hostile"), cite(2, "https://other.example/x"),
				cite(3, "https://news.example/hostile")}}, nil
	}
	eng.web["https://news.example/added"] = fakePage{title: hostile, site: hostile, published: published, text: "Plain text."}
	h := newHarness(t, eng)

	h.edit(h.ask(guildA, alice, "What happened?"), nil)
	h.edit(h.ask(guildA, alice, "Who won the football?"), nil)
	h.edit(h.send(h.click(guildA, alice, fmt.Sprintf("psg:%d:1", chunk))), nil)
	h.edit(h.send(h.slash(guildA, alice, "add", "url", "https://news.example/added")), nil)
	h.edit(h.send(h.slash(guildA, alice, "articles")), nil)

	seen := 0
	for _, c := range h.discord.recorded(func(c call) bool { return c.Method != http.MethodGet }) {
		for field, s := range texts(c) {
			if strings.Contains(strings.ReplaceAll(s, `\`, ""), "click") {
				seen++
			}
			if live := liveMarkup(s); len(live) > 0 {
				t.Errorf("%s %s: %s shows %v as markup:\n%s", c.Method, c.Path, field, live, s)
			}
		}
	}
	if seen < 8 {
		t.Errorf("the hostile text reached only %d fields; the test does not see what it should", seen)
	}
}
