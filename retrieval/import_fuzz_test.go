package retrieval

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/extract"
)

// FuzzImportLine decodes any import line as Import does (parseLine, which prepare follows)
// and checks: no panic; a refused line says why with an error a member can act on
// (ErrInvalidInput, ErrInvalidURL, ErrTooLarge or ErrEmptyArticle); an accepted line is an
// article footnote can store: canonical URL within MaxURLBytes, text of valid UTF-8 without
// control characters other than line breaks and tabs, one-line title and site, the hash
// of its text, passages that cover slices of the text in order. Written back as a line and
// decoded again, it is the same article (import is idempotent).
//
// Lines are decoded one at a time here; how a file is cut into lines (readLine) is left to
// the import tests.
func FuzzImportLine(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://www.bbc.co.uk/news/business-123?utm_source=x","title":"Ad sales boost Time Warner profit","published":"2004-12-13","text":"Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn.\n\nThe firm said it was pleased."}`,
		`{"url":"http://Example.COM:80/a/","text":"One line.","published":"2024-05-02T10:30:00+02:00","byline":"Ada\nLovelace","site":"Ex\tample"}`,
		`{"url":" https://e.example/x ","title":"","text":" \r\n\u0000 "}`,
		`{"url":"javascript:alert(1)","text":"x"}`,
		`{"url":"https://e.example/x","text":"x","published":"yesterday"}`,
		`{"url":"https://e.example/x","text":"caf\u00e9 \ud800 \u202e"}`,
		`["url","text"]`,
		`{"url":"https://e.example/x","text":"a"} {"url":"https://e.example/y","text":"b"}`,
		"\ufeff{\"url\":\"https://e.example/x\",\"text\":\"bom\"}",
	} {
		f.Add([]byte(s))
	}
	e := &Engine{cfg: Config{MaxArticleBytes: 2 << 20}}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := e.parseLine(raw)
		if err != nil {
			for _, want := range []error{ErrInvalidInput, ErrInvalidURL, ErrTooLarge, ErrEmptyArticle} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("line %q refused with %v, which names nothing a member can fix", raw, err)
		}
		a := p.Article
		if c, err := extract.Canonical(a.URL); err != nil || c != a.URL || len(a.URL) > MaxURLBytes {
			t.Fatalf("URL %q is not canonical (%q, %v) or over %d bytes", a.URL, c, err, MaxURLBytes)
		}
		if !utf8.ValidString(a.Text) || a.Text == "" || a.Text != strings.TrimSpace(a.Text) || a.Text != cleanText(a.Text) {
			t.Fatalf("text %q is not clean, trimmed, non-empty UTF-8", a.Text)
		}
		for field, s := range map[string]string{"title": a.Title, "site": a.Site, "byline": a.Byline} {
			if s != cleanLine(s) {
				t.Fatalf("%s %q is not one clean line", field, s)
			}
		}
		if a.Title == "" {
			t.Fatalf("no title for %q", a.Text)
		}
		if sum := sha256.Sum256([]byte(a.Text)); a.Hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("hash %s is not the text's", a.Hash)
		}
		end := 0
		for i, ps := range p.Passages {
			if ps.Start < end || ps.Start >= ps.End || ps.End > len(a.Text) ||
				!utf8.ValidString(a.Text[ps.Start:ps.End]) {
				t.Fatalf("passage %d at %d:%d of %d bytes (previous ended at %d)", i, ps.Start, ps.End, len(a.Text), end)
			}
			end = ps.End
		}
		if len(p.Passages) == 0 {
			t.Fatalf("no passages in %q", a.Text)
		}
		back := map[string]string{"url": a.URL, "title": a.Title, "text": a.Text, "byline": a.Byline, "site": a.Site}
		if !a.Published.IsZero() {
			back["published"] = a.Published.Format(time.RFC3339Nano)
		}
		line, _ := json.Marshal(back)
		q, err := e.parseLine(line)
		if err != nil {
			t.Fatalf("the article read from %q, written back as %s, is refused: %v", raw, line, err)
		}
		if b := q.Article; b.URL != a.URL || b.Title != a.Title || b.Text != a.Text || b.Site != a.Site ||
			b.Byline != a.Byline || !b.Published.Equal(a.Published) || b.Hash != a.Hash {
			t.Fatalf("the article read from %q reads back as another:\n%+v\n%+v", raw, a, b)
		}
	})
}

func TestPrepareTitleFromText(t *testing.T) {
	e := &Engine{cfg: Config{MaxArticleBytes: 2 << 20}}
	for _, tc := range []struct{ name, text, want string }{
		{"the first line of the text is the title", "Council votes\nThe council voted.", "Council votes"},
		{"a tab in the first line becomes a space, as in a given title (found by FuzzImportLine)", "Council\tvotes\nMore.", "Council votes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := e.prepare(Article{URL: "https://e.example/a", Text: tc.text})
			if err != nil || p.Article.Title != tc.want {
				t.Errorf("prepare: title %q, %v; want %q", p.Article.Title, err, tc.want)
			}
		})
	}
}
