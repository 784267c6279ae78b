package bot

import (
	"context"
	"strings"
	"testing"

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
