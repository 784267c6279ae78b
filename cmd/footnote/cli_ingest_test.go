package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestPrintAdded(t *testing.T) {
	published := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    retrieval.Article
		n    int
		want string
	}{
		{"site and date share a line", retrieval.Article{Title: "Tram opens", Site: "Gazette", Published: published, URL: tramURL}, 3,
			"added: Tram opens\n  Gazette, 2024-05-02\n  " + tramURL + "\n  3 passages\n"},
		{"a date without a site stands alone", retrieval.Article{Title: "Tram opens", Published: published, URL: tramURL}, 1,
			"added: Tram opens\n  2024-05-02\n  " + tramURL + "\n  1 passage\n"},
		{"neither leaves no empty line", retrieval.Article{Title: "Tram opens", URL: tramURL}, 1,
			"added: Tram opens\n  " + tramURL + "\n  1 passage\n"},
		{"an article without a title is named by its link", retrieval.Article{URL: tramURL}, 0,
			"added: " + tramURL + "\n  " + tramURL + "\n  0 passages\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printAdded(&b, &retrieval.AddedArticle{Article: tt.a, Passages: tt.n, Status: retrieval.StatusAdded})
			if b.String() != tt.want {
				t.Errorf("printed\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
}
