package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestSplitText(t *testing.T) {
	para := func(n int, word string) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"a short text stays whole", "One [1]. Two [2].", 50, []string{"One [1]. Two [2]."}},
		{"paragraphs are kept together while they fit", "aaa [1].\n\nbbb [2].\n\nccc [3].", 20,
			[]string{"aaa [1].\n\nbbb [2].", "ccc [3]."}},
		{"a long paragraph is cut after a sentence", "First sentence [1]. Second sentence [2]. Third [3].", 42,
			[]string{"First sentence [1]. Second sentence [2].", "Third [3]."}},
		{"a sentence longer than the limit is cut between words, not inside a marker", "alpha beta gamma [12] delta", 18,
			[]string{"alpha beta gamma", "[12] delta"}},
		{"a single word longer than the limit is cut anyway", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"a long word is not cut between a backslash and the character it escapes", `ab\*cd\*`, 3,
			[]string{"ab", `\*c`, `d\*`}},
		{"a long word is not cut inside a marker", "abc[12]def", 5, []string{"abc", "[12]d", "ef"}},
		{"nothing is left of blank text", " \n\n ", 10, nil},
		{"characters, not bytes, are counted", "ééééé ééééé", 5, []string{"ééééé", "ééééé"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := splitText(tc.in, tc.max)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Errorf("splitText = %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("a long answer is cut into parts within the limit, with every word and marker intact", func(t *testing.T) {
		var b strings.Builder
		for i := 1; i <= 40; i++ {
			fmt.Fprintf(&b, "%s [%d]. ", para(i%17+3, "word"), i)
			if i%5 == 0 {
				b.WriteString("\n\n")
			}
		}
		text := b.String()
		parts := splitText(text, 300)
		marker := regexp.MustCompile(`\[\d+\]`)
		var words []string
		for _, p := range parts {
			if runeLen(p) > 300 {
				t.Errorf("part of %d characters", runeLen(p))
			}
			words = append(words, strings.Fields(p)...)
		}
		if strings.Join(words, " ") != strings.Join(strings.Fields(text), " ") {
			t.Error("words were lost or changed")
		}
		if got, want := len(marker.FindAllString(strings.Join(parts, " "), -1)), 40; got != want {
			t.Errorf("%d markers survive, want %d", got, want)
		}
	})
}

func TestRenderAnswer(t *testing.T) {
	t.Run("an answer with no close source says how to add one", func(t *testing.T) {
		msgs := renderAnswer(&retrieval.Answer{Covered: false, QuestionID: 3})
		if len(msgs) != 1 || !strings.Contains(msgs[0].content, "Add articles about it with /add") || len(msgs[0].embeds) != 0 {
			t.Errorf("messages %+v", msgs)
		}
		if ids := customIDs(msgs[0].components); fmt.Sprint(ids) != "[fb:up:3 fb:down:3]" {
			t.Errorf("buttons %v", ids)
		}
	})

	t.Run("an answer without a recorded question has no thumbs", func(t *testing.T) {
		msgs := renderAnswer(&retrieval.Answer{Covered: true, Text: "Yes [1].",
			Citations: []retrieval.Citation{{N: 1, ChunkID: 9, Quote: "Yes."}}})
		if ids := customIDs(msgs[0].components); fmt.Sprint(ids) != "[psg:9:1]" {
			t.Errorf("buttons %v", ids)
		}
	})

	t.Run("quotes and titles are shown literally, not as Markdown", func(t *testing.T) {
		msgs := renderAnswer(&retrieval.Answer{Covered: true, Text: "See [1].", Citations: []retrieval.Citation{{
			N: 1, Title: "*Big* news", URL: "javascript:alert(1)", Quote: "Click [here](https://evil.example) > now_",
		}}})
		e := msgs[0].embeds[0]
		if e.Title != `[1] \*Big\* news` || e.Description != `> **[1]** Click \[here\]\(https\://evil.example) \> now\_` || e.URL != "" {
			t.Errorf("embed %+v", e)
		}
	})

	t.Run("the engine's note comes first, on its own line", func(t *testing.T) {
		for _, a := range []*retrieval.Answer{
			{Covered: true, Text: "Yes [1].", Note: retrieval.SlowModelNote, Citations: []retrieval.Citation{{N: 1, Quote: "Yes."}}},
			{Covered: false, Note: retrieval.SlowModelNote},
		} {
			if c := renderAnswer(a)[0].content; !strings.HasPrefix(c, retrieval.SlowModelNote+"\n\n") {
				t.Errorf("content %q does not start with the note", c)
			}
		}
	})

	t.Run("a very long quote is shortened visibly", func(t *testing.T) {
		msgs := renderAnswer(&retrieval.Answer{Covered: true, Text: "x [1]", Citations: []retrieval.Citation{{
			N: 1, Quote: strings.Repeat("long ", 2000)}}})
		d := msgs[0].embeds[0].Description
		if runeLen(d) != maxQuote || !strings.HasSuffix(d, "…") {
			t.Errorf("description of %d characters ending %q", runeLen(d), d[len(d)-5:])
		}
	})
}
