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
