package bot

import (
	"strings"
	"testing"
)

func TestLocale(t *testing.T) {
	h := newHarness(t, cityNews())
	inLocale := func(locale string, p map[string]any, s sent) sent {
		p["locale"] = locale
		return h.send(p, s)
	}
	refusal := func(locale string) string {
		p, s := h.slash(guildA, alice, "reindex")
		return h.ephemeralError(inLocale(locale, p, s))
	}

	t.Run("a German interaction is refused in German", func(t *testing.T) {
		if got := refusal("de"); !strings.HasPrefix(got, "Das dürfen nur Admins") {
			t.Errorf("got %q", got)
		}
	})
	t.Run("an unknown locale, and English, get English", func(t *testing.T) {
		for _, l := range []string{"xx-YY", "en-US", ""} {
			if got := refusal(l); !strings.HasPrefix(got, "Only admins") {
				t.Errorf("%q: got %q", l, got)
			}
		}
	})
	t.Run("a Brazilian not-covered answer and its buttons are in Portuguese", func(t *testing.T) {
		p, s := h.slash(guildA, alice, "ask", "question", "Who won the chess tournament?")
		e := h.edit(inLocale("pt-BR", p, s), nil)
		if got := e.str("content"); !strings.HasPrefix(got, "Os artigos acompanhados não respondem") {
			t.Errorf("content %q", got)
		}
		for _, row := range e.components() {
			for _, label := range row {
				if label == "Helpful" || label == "Not helpful" {
					t.Errorf("untranslated button %q in %v", label, e.components())
				}
			}
		}
	})
}
