package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestArticleDate(t *testing.T) {
	pub := time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)
	added := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		published, add time.Time
		want           string
	}{
		{"a known publication date is shown as the date, in the reader's locale", pub, added, "<t:1714651200:D>"},
		{"without a publication date the added date is shown as added", time.Time{}, added, "added <t:1796040000:D>"},
		{"without either nothing is shown", time.Time{}, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := articleDate("", tt.published, tt.add); got != tt.want {
				t.Errorf("articleDate = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("a citation without a publication date has an added date in its byline", func(t *testing.T) {
		src := citationSources("", []retrieval.Citation{{N: 1, Title: "Notes", Site: "news.example", Added: added, Quote: "q"}}, "")[0]
		if got := src.embed.Description; !strings.HasPrefix(got, "news.example · added <t:1796040000:D>\n\n") {
			t.Errorf("description %q", got)
		}
	})
	t.Run("a closest source without a publication date has an added date in its byline", func(t *testing.T) {
		src := closestSource("", 1, retrieval.Result{Title: "Notes", Added: added})
		if got := src.embed.Description; got != "added <t:1796040000:D>" {
			t.Errorf("description %q", got)
		}
	})
	t.Run("a date is the same day wherever the reader is, and reads as a date in a terminal", func(t *testing.T) {
		late := time.Date(2024, 5, 2, 23, 59, 0, 0, time.UTC)
		if got := discordDate(late); got != "<t:1714651200:D>" {
			t.Errorf("discordDate = %q, want noon UTC of the day", got)
		}
		if got := terminalText("news.example · added <t:1796040000:D>"); got != "news.example · added 30 Nov 2026" {
			t.Errorf("terminal %q", got)
		}
	})
	t.Run("a time from now reads as one in a terminal, and any other style as date and time", func(t *testing.T) {
		now := time.Unix(1796040000, 0)
		for in, want := range map[string]string{
			"next poll <t:1796041800:R>":    "next poll in 30 minutes",
			"last asked <t:1796032800:R>":   "last asked 2 hours ago",
			"last success <t:1796039990:R>": "last success just now",
			"a while <t:1790000000:R>":      "a while 21 Sep 2026",
			"since <t:1796040060:R>":        "since in 1 minute",
			"at <t:1796040000:f>":           "at 30 Nov 2026 12:00 UTC",
			"at <t:1796040000>":             "at 30 Nov 2026 12:00 UTC",
		} {
			if got := plainDatesAt(in, now); got != want {
				t.Errorf("plainDatesAt(%q) = %q, want %q", in, got, want)
			}
		}
	})
}

func TestArticleLineOfAFile(t *testing.T) {
	u := retrieval.FileURL("library.md", []byte("x"))
	line := articleLine("", 3, retrieval.Article{URL: u, Title: "Library hours", FetchedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Passages: 2})
	if want := "3. Library hours · added " + discordDate(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) + " · 2 passages · `" + u + "`"; line != want {
		t.Errorf("line %q, want %q", line, want)
	}
	if !strings.HasSuffix(u, "/library.md") {
		t.Errorf("file address %q does not end with the file's name", u)
	}
}
