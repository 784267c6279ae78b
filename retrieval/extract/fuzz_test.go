package extract

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// addFiles adds the testdata files matching pattern to f's seed corpus.
func addFiles(f *testing.F, pattern string, add func([]byte)) {
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seed files %s: %v", pattern, err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

// checkDoc checks what every extracted Document promises: valid UTF-8 everywhere; one-line
// title, byline and site; text trimmed, without carriage returns (a text file's fenced
// code keeps its blank lines); a publication date that is zero or plausible. maxText
// bounds the text's bytes.
func checkDoc(t *testing.T, doc *Document, maxText int) {
	t.Helper()
	for field, s := range map[string]string{"title": doc.Title, "byline": doc.Byline, "site": doc.Site, "text": doc.Text, "url": doc.URL} {
		if !utf8.ValidString(s) {
			t.Fatalf("%s %q is not UTF-8", field, s)
		}
		if field != "text" && strings.ContainsAny(s, "\r\n") {
			t.Fatalf("%s %q spans lines", field, s)
		}
	}
	if doc.Text == "" || doc.Text != strings.TrimSpace(doc.Text) || strings.Contains(doc.Text, "\r") {
		t.Fatalf("text %q is empty, untrimmed, or has a carriage return", doc.Text)
	}
	if len(doc.Text) > maxText {
		t.Fatalf("text of %d bytes, over %d", len(doc.Text), maxText)
	}
	if p := doc.Published; !p.IsZero() && (p.Location() != time.UTC || !plausiblePublished(p, time.Now())) {
		t.Fatalf("published %v is not a plausible date in UTC", p)
	}
}

// FuzzHTML extracts any page as if fetched from https://www.news.example.com/2024/story
// and checks: no panic; a refusal wraps ErrEmptyArticle; an article keeps checkDoc's
// promises, its text at least MinTextLen characters of one-line paragraphs separated by
// blank lines and at most three bytes for each byte of the page (windows-1252 to UTF-8),
// and its URL canonical and on the page's registrable domain, whatever the page claims.
func FuzzHTML(f *testing.F) {
	addFiles(f, "*.html", func(b []byte) { f.Add(b) })
	f.Add([]byte("<html><head><link rel=canonical href=https://evil.example/x><meta property=og:url content=//evil.example/y></head><body><article><p>" +
		strings.Repeat("Words of an article that goes on. ", 10) + "</p></article></body></html>"))
	page, _ := url.Parse("https://www.news.example.com/2024/story")
	f.Fuzz(func(t *testing.T, body []byte) {
		doc, err := HTML(body, page)
		if err != nil {
			if !errors.Is(err, ErrEmptyArticle) {
				t.Fatalf("HTML refused with %v, which is not ErrEmptyArticle", err)
			}
			return
		}
		checkDoc(t, doc, 3*len(body))
		if n := utf8.RuneCountInString(doc.Text); n < MinTextLen {
			t.Fatalf("an article of %d characters, under %d", n, MinTextLen)
		}
		for _, p := range strings.Split(doc.Text, "\n\n") {
			if p == "" || p != collapse(p) {
				t.Fatalf("paragraph %q is empty or has white space other than single spaces", p)
			}
		}
		u, err := url.Parse(doc.URL)
		if err != nil || !sameSite(u.Hostname(), page.Hostname()) {
			t.Fatalf("URL %q is not on %s's site", doc.URL, page.Hostname())
		}
		if c, err := Canonical(doc.URL); err != nil || c != doc.URL {
			t.Fatalf("URL %q is not canonical: %q, %v", doc.URL, c, err)
		}
	})
}

// fileExts are the extensions FuzzFile picks from, by its kind argument.
var fileExts = []string{".txt", ".md", ".markdown", ".html", ".pdf"}

// FuzzFile reads any upload as a .txt, .md or .html file (and one footnote refuses) and
// checks: no panic; a refusal wraps ErrUnsupported or ErrEmptyArticle (and text that is not
// UTF-8 is refused); a document keeps checkDoc's promises with no URL and a title, and its
// text has no character the file lacks beyond white space (text files only lose syntax).
func FuzzFile(f *testing.F) {
	addFiles(f, "*.txt", func(b []byte) { f.Add(b, uint8(0)) })
	addFiles(f, "*.md", func(b []byte) { f.Add(b, uint8(1)) })
	addFiles(f, "date-*.html", func(b []byte) { f.Add(b, uint8(3)) })
	f.Fuzz(func(t *testing.T, body []byte, kind uint8) {
		ext := fileExts[int(kind)%len(fileExts)]
		doc, err := File("uploads/council-report_0412"+ext, body)
		if err != nil {
			if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrEmptyArticle) {
				t.Fatalf("File refused with %v, which is neither ErrUnsupported nor ErrEmptyArticle", err)
			}
			return
		}
		if ext == ".pdf" || ext != ".html" && !utf8.Valid(body) {
			t.Fatalf("File read a %s file (UTF-8: %v)", ext, utf8.Valid(body))
		}
		if doc.URL != "" || doc.Title == "" {
			t.Fatalf("an upload has URL %q and title %q", doc.URL, doc.Title)
		}
		if ext == ".html" {
			checkDoc(t, doc, 3*len(body))
			return
		}
		checkDoc(t, doc, 2*len(body))
		for _, r := range doc.Text + doc.Title {
			if !strings.ContainsRune(string(body), r) && !strings.ContainsRune(" \n", r) &&
				!strings.ContainsRune("Council report 0412", r) {
				t.Fatalf("%s text %q has %q, which the file %q lacks", ext, doc.Text, r, body)
			}
		}
	})
}

// FuzzParseDate checks footnote's one date parser: no panic; a date read is in UTC and
// reads back as the same instant from its RFC 3339 form; surrounding space changes nothing.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2024-05-02", "2024-05-02T10:30:00.123+02:00", "2024-05-02 10:30", "Thu, 02 May 2024 10:30:00 GMT",
		"2 May 2024", "May 2, 2024", "0000-01-01", "9999-12-31T23:59:59Z", "2024-02-30", "2024-05-02T25:00:00Z", " 2024-05-02 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.Location() != time.UTC {
			t.Fatalf("ParseDate(%q) = %v, not in UTC", s, d)
		}
		back, err := ParseDate(d.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v, whose RFC 3339 form reads back as %v, %v", s, d, back, err)
		}
		if again, err := ParseDate(" \t" + s + "\n"); err != nil || !again.Equal(d) {
			t.Fatalf("ParseDate(%q) = %v, but with spaces around %v, %v", s, d, again, err)
		}
	})
}

// FuzzCanonical checks the one form footnote stores URLs in: no panic; a refusal wraps
// fetch.ErrInvalidURL; a canonical URL is http(s) with a lower-case host, no user info or
// fragment, and is its own canonical form (else the same article could be stored twice).
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"https://News.Example.com:443/a/b/?utm_source=x&b=2&a=1#top", "http://user:pw@example.com:80",
		"https://example.com/%7Efoo/", "https://[::1]:8080/x?", "https://例え.jp/パス", "http://example.com/a%2Fb//",
		"https://example.com/?ref=a&REF=b&a=%zz", "ftp://example.com/", "https:///nohost", " https://example.com/ "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := Canonical(raw)
		if err != nil {
			if !errors.Is(err, fetch.ErrInvalidURL) {
				t.Fatalf("Canonical(%q) refused with %v, which is not ErrInvalidURL", raw, err)
			}
			return
		}
		u, err := url.Parse(c)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			u.Fragment != "" || strings.ToLower(u.Host) != u.Host {
			t.Fatalf("Canonical(%q) = %q: not a canonical http(s) URL (%v)", raw, c, err)
		}
		if again, err := Canonical(c); err != nil || again != c {
			t.Fatalf("Canonical(%q) = %q, whose canonical form is %q, %v", raw, c, again, err)
		}
	})
}
