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
		{"a known publication date is shown as the date", pub, added, "2 May 2024"},
		{"without a publication date the added date is shown as added", time.Time{}, added, "added 30 Nov 2026"},
		{"without either nothing is shown", time.Time{}, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := articleDate(tt.published, tt.add); got != tt.want {
				t.Errorf("articleDate = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("a citation without a publication date has an added date in its footer", func(t *testing.T) {
		src := citationSource(retrieval.Citation{N: 1, Title: "Notes", Site: "news.example", Added: added, Quote: "q"}, "")
		if got := src.embed.Footer.Text; got != "news.example · added 30 Nov 2026" {
			t.Errorf("footer %q", got)
		}
	})
	t.Run("a closest source without a publication date has an added date in its footer", func(t *testing.T) {
		src := closestSource(1, retrieval.Result{Title: "Notes", Added: added})
		if got := src.embed.Footer.Text; got != "added 30 Nov 2026" {
			t.Errorf("footer %q", got)
		}
	})
}

func TestArticleLineOfAFile(t *testing.T) {
	u := retrieval.FileURL("library.md", []byte("x"))
	line := articleLine(3, retrieval.Article{URL: u, Title: "Library hours", FetchedAt: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), Passages: 2})
	if want := "3. Library hours · added 2 Mar 2026 · 2 passages · `" + u + "`"; line != want {
		t.Errorf("line %q, want %q", line, want)
	}
	if !strings.HasSuffix(u, "/library.md") {
		t.Errorf("file address %q does not end with the file's name", u)
	}
}
