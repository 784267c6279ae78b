package bot

import (
	"fmt"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestCitationsAreGroupedByArticle(t *testing.T) {
	cite := func(n int, article int64, quoteLen int) retrieval.Citation {
		return retrieval.Citation{N: n, ChunkID: int64(100 + n), ArticleID: article,
			URL: fmt.Sprintf("https://news.example/%d", article), Title: fmt.Sprint("Article ", article),
			Quote: fmt.Sprintf("quote%d ", n) + strings.Repeat("x", quoteLen)}
	}
	tests := []struct {
		name      string
		citations []retrieval.Citation
		embeds    int
	}{
		{"quotes from one article share one embed", []retrieval.Citation{cite(1, 1, 50), cite(2, 2, 50), cite(3, 1, 50)}, 2},
		{"eight long quotes from one article all fit one embed, shortened", []retrieval.Citation{
			cite(1, 1, 2000), cite(2, 1, 2000), cite(3, 1, 2000), cite(4, 1, 2000),
			cite(5, 1, 2000), cite(6, 1, 2000), cite(7, 1, 2000), cite(8, 1, 2000)}, 1},
		{"twelve articles take two messages, none merged", func() []retrieval.Citation {
			var cs []retrieval.Citation
			for i := 1; i <= 12; i++ {
				cs = append(cs, cite(i, int64(i), 900))
			}
			return cs
		}(), 12},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs := renderAnswer(&retrieval.Answer{Covered: true, Text: "Answer.", QuestionID: 1, Citations: tc.citations})
			embeds, buttons := 0, 0
			var all strings.Builder
			for i, m := range msgs {
				urls := map[string]bool{}
				total := 0
				for _, e := range m.embeds {
					if urls[e.URL] {
						t.Errorf("message %d: two embeds link %s; Discord would hide the second", i, e.URL)
					}
					urls[e.URL] = true
					if runeLen(e.Description) > maxEmbedDesc {
						t.Errorf("description of %d characters", runeLen(e.Description))
					}
					total += embedSize(e)
					all.WriteString(e.Description)
				}
				if len(m.embeds) > maxEmbeds || total > maxEmbedTotal {
					t.Errorf("message %d: %d embeds, %d characters", i, len(m.embeds), total)
				}
				embeds += len(m.embeds)
				for _, id := range customIDs(m.components) {
					if strings.HasPrefix(id, "psg:") {
						buttons++
					}
				}
			}
			if embeds != tc.embeds {
				t.Errorf("%d embeds, want %d", embeds, tc.embeds)
			}
			for _, c := range tc.citations {
				if !strings.Contains(all.String(), fmt.Sprintf("> **[%d]** quote%d ", c.N, c.N)) {
					t.Errorf("quote [%d] is not shown", c.N)
				}
			}
			if buttons != len(tc.citations) {
				t.Errorf("%d passage buttons for %d quotes", buttons, len(tc.citations))
			}
		})
	}
}

// The other articles that ran a quoted passage are named under its quotes, as links by
// their site (or title), once each, in the server's language; long addresses are left out
// before they crowd out a quote, and the embed keeps to Discord's limits.
func TestCitationsNameTheOtherArticlesThatRanThem(t *testing.T) {
	also := []retrieval.Source{
		{URL: "https://coast.example/ferry-back", Title: "Ferry back on Monday", Site: "Coast Daily"},
		{URL: "https://wire.example/f/1", Title: "Island *ferry* resumes"},
		{URL: "ftp://old.example/f", Title: "Archive copy"},
	}
	cs := []retrieval.Citation{
		{N: 1, ChunkID: 1, ArticleID: 1, URL: "https://harbour.example/ferry", Title: "Ferry returns", Quote: "The ferry runs again.", Also: also},
		{N: 2, ChunkID: 2, ArticleID: 1, URL: "https://harbour.example/ferry", Title: "Ferry returns", Quote: "Commuters cheered.", Also: also[:1]},
	}
	msgs := renderAnswerIn(&retrieval.Answer{Covered: true, Text: "Answer.", QuestionID: 1, Citations: cs}, langOf("de"))
	if len(msgs) != 1 || len(msgs[0].embeds) != 1 {
		t.Fatalf("%d messages, want one embed for the one article", len(msgs))
	}
	desc := msgs[0].embeds[0].Description
	want := "Auch berichtet von [Coast Daily](https://coast.example/ferry-back), [Island \\*ferry\\* resumes](https://wire.example/f/1), Archive copy"
	if !strings.HasSuffix(desc, want) {
		t.Errorf("description %q, want it to end %q", desc, want)
	}
	if strings.Count(desc, "coast.example") != 1 {
		t.Errorf("description %q names the same copy twice", desc)
	}
	if got := renderAnswer(&retrieval.Answer{Covered: true, Text: "Answer.", QuestionID: 1, Citations: cs[:1]}); !strings.Contains(got[0].embeds[0].Description, "Also reported by [Coast Daily]") {
		t.Errorf("English description %q", got[0].embeds[0].Description)
	}

	// Eight long quotes and copies with long addresses: every quote still shown, the line
	// bounded, the embed within its limit.
	var long []retrieval.Source
	for i := range 5 {
		long = append(long, retrieval.Source{URL: fmt.Sprintf("https://wire.example/%d/%s", i, strings.Repeat("p", 400)), Site: fmt.Sprint("Wire ", i)})
	}
	var many []retrieval.Citation
	for i := 1; i <= 8; i++ {
		many = append(many, retrieval.Citation{N: i, ChunkID: int64(i), ArticleID: 1, URL: "https://harbour.example/ferry", Title: "Ferry",
			Quote: fmt.Sprintf("quote%d ", i) + strings.Repeat("x", 2000), Also: long})
	}
	e := renderAnswer(&retrieval.Answer{Covered: true, Text: "Answer.", QuestionID: 1, Citations: many})[0].embeds[0]
	if runeLen(e.Description) > maxEmbedDesc {
		t.Errorf("description of %d characters", runeLen(e.Description))
	}
	line := e.Description[strings.LastIndex(e.Description, "Also reported by"):]
	if n := strings.Count(line, "](https://wire.example/"); n == 0 || n == 5 || runeLen(line) > maxAlsoLine+len("Also reported by ") {
		t.Errorf("also line of %d characters names %d of 5 long links; want some, bounded", runeLen(line), n)
	}
	for i := 1; i <= 8; i++ {
		if !strings.Contains(e.Description, fmt.Sprintf("> **[%d]** quote%d ", i, i)) {
			t.Errorf("quote [%d] is not shown", i)
		}
	}
}
