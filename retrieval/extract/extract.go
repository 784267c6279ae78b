// Package extract turns fetched pages and uploaded files into articles: a title, a byline,
// a site, a publication date and the main text as plain paragraphs separated by blank lines.
// Errors wrap the sentinels of errors.go (and fetch.ErrInvalidURL for a URL), which package
// retrieval re-exports under the same names, so errors.Is(err, retrieval.ErrEmptyArticle) works.
package extract

import (
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// MinTextLen is the fewest characters of main text a web page must yield to count as an
// article; below it HTML returns ErrEmptyArticle. A Chinese, Japanese or Korean character
// counts two (textLen): one says about as much as two or three letters of English, and a
// 100-character news brief in Japanese is an article.
const MinTextLen = 200

// textLen is s's length as MinTextLen counts it.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if text.IsCJK(r) {
			n++
		}
	}
	return n
}

// Document is an extracted article.
type Document struct {
	URL       string // canonical URL; empty for an uploaded file
	Title     string
	Byline    string
	Site      string
	Published time.Time // zero when unknown
	Text      string    // paragraphs separated by "\n\n"
}

// File extracts an uploaded file, choosing the format by the extension of name: .txt,
// .md, .markdown, .html and .htm. An HTML file has no page URL, so its Document has no URL;
// its title falls back to the file name made readable. It returns an error wrapping
// ErrUnsupported for any other extension or for text that is not UTF-8, and the
// errors of HTML, Markdown and PlainText otherwise.
func File(name string, body []byte) (*Document, error) {
	switch strings.ToLower(path.Ext(baseName(name))) {
	case ".txt":
		return PlainText(name, body)
	case ".md", ".markdown":
		return Markdown(name, body)
	case ".html", ".htm":
		doc, err := HTML(body, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", baseName(name), err)
		}
		if doc.Title == "" {
			doc.Title = readableName(name)
		}
		return doc, nil
	default:
		return nil, fmt.Errorf("%s: only .txt, .md, .markdown, .html and .htm files can be added: %w",
			baseName(name), ErrUnsupported)
	}
}

// baseName is the last element of a file name that may carry a Unix or Windows path.
func baseName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	return name
}

// stem is the file name without directory and extension.
func stem(name string) string {
	b := baseName(name)
	return strings.TrimSpace(strings.TrimSuffix(b, path.Ext(b)))
}

// checkText refuses bytes that are not UTF-8 text and returns them as a string without a
// byte-order mark and with Unix line endings.
func checkText(name string, body []byte) (string, error) {
	if !utf8.Valid(body) {
		return "", fmt.Errorf("%s is not valid UTF-8 text; save it as UTF-8 and try again: %w",
			baseName(name), ErrUnsupported)
	}
	s := strings.TrimPrefix(string(body), "\ufeff")
	if strings.ContainsRune(s, 0) {
		return "", fmt.Errorf("%s looks like a binary file, not text: %w", baseName(name), ErrUnsupported)
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

// collapse joins the words of s with single spaces.
func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// joinParagraphs trims and drops empty paragraphs and joins the rest with a blank line.
func joinParagraphs(paras []string) string {
	out := paras[:0:0]
	for _, p := range paras {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}
