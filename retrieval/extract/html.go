package extract

import (
	"bytes"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/net/publicsuffix"
)

// Limits that keep hostile pages cheap. Real articles nest a few dozen elements deep and
// have a few thousand elements.
const (
	maxDepth    = 256     // elements deeper than this are dropped before extraction
	maxElements = 200_000 // pages with more elements are refused
)

// HTML extracts the article in an HTML page fetched from pageURL (nil for an uploaded
// file). The Document's URL is the page's <link rel="canonical"> or og:url when that is an
// http(s) URL on the same registrable domain as pageURL, else pageURL, normalised by
// Canonical; it is empty when pageURL is nil. Text holds the readable main text only,
// without scripts, styles, navigation or footers. HTML returns an error wrapping
// ErrEmptyArticle when fewer than MinTextLen characters of text remain (a page
// that is not an article, or a hostile one) and never panics.
func HTML(body []byte, pageURL *url.URL) (*Document, error) {
	root, err := html.Parse(bytes.NewReader(toUTF8(body)))
	if err != nil {
		return nil, fmt.Errorf("parse html: %v: %w", err, ErrEmptyArticle)
	}
	if n := prune(root); n > maxElements {
		return nil, fmt.Errorf("page has %d elements, more than %d: %w", n, maxElements, ErrEmptyArticle)
	}
	m := readMeta(root)
	art, err := readable(root, pageURL)
	if err != nil {
		return nil, fmt.Errorf("extract article: %v: %w", err, ErrEmptyArticle)
	}
	byline := cleanByline(firstNonEmpty(art.Byline(), m.author))
	text := articleText(art, byline)
	if n := textLen(text); n < MinTextLen {
		return nil, fmt.Errorf("only %d characters of text, not an article: %w", utf8.RuneCountInString(text), ErrEmptyArticle)
	}
	doc := &Document{
		URL:    canonicalURL(m, pageURL),
		Title:  firstNonEmpty(collapse(art.Title()), collapse(m.title)),
		Byline: byline,
		Site:   firstNonEmpty(collapse(m.siteName), collapse(art.SiteName()), siteFromHost(pageURL)),
		Text:   text,
		// The page's own date claims, read by ParseDate; not readability's, whose lenient
		// parser reads 02/05/2024 as February and a zoneless time in the server's zone.
		Published: firstDate(m.published),
	}
	return doc, nil
}

// readable runs go-readability on root, which it mutates, and turns a panic in it into an
// error: a hostile page must cost a refusal, not the process.
func readable(root *html.Node, pageURL *url.URL) (art readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("readability panicked: %v", r)
		}
	}()
	p := readability.NewParser()
	p.MaxElemsToParse = maxElements
	return p.ParseAndMutate(root, pageURL)
}

// toUTF8 returns body as UTF-8. Bytes that are already valid UTF-8 are kept as they are,
// whatever the page declares (pages often declare ISO-8859-1 and send UTF-8); others are
// decoded from the declared or sniffed encoding, defaulting to windows-1252.
func toUTF8(body []byte) []byte {
	if utf8.Valid(body) {
		return body
	}
	enc, _, _ := charset.DetermineEncoding(body, "")
	out, err := io.ReadAll(enc.NewDecoder().Reader(bytes.NewReader(body)))
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return out
}

// prune drops every element nested deeper than maxDepth and returns how many elements
// remain. It walks without recursion.
func prune(root *html.Node) int {
	type item struct {
		n     *html.Node
		depth int
	}
	count := 0
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.n.Type == html.ElementNode {
			count++
		}
		if it.depth >= maxDepth {
			for c := it.n.FirstChild; c != nil; {
				next := c.NextSibling
				it.n.RemoveChild(c)
				c = next
			}
			continue
		}
		for c := it.n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, item{c, it.depth + 1})
		}
	}
	return count
}

// articleText renders the article as plain paragraphs: every line of readability's
// block-aware text becomes a paragraph with its whitespace collapsed, and boilerplate
// paragraphs readability leaves in are dropped.
func articleText(art readability.Article, byline string) string {
	if art.Node == nil {
		return ""
	}
	var sb strings.Builder
	if err := art.RenderText(&sb); err != nil {
		return ""
	}
	lines := strings.Split(sb.String(), "\n")
	paras := lines[:0]
	for _, l := range lines {
		if l = collapse(l); l != "" {
			paras = append(paras, l)
		}
	}
	return joinParagraphs(dropBoilerplate(paras, byline))
}

// rxBoilerplate matches whole paragraphs that are labels, not text.
var rxBoilerplate = regexp.MustCompile(`(?i)^(advertisement|advertisements|advert|ad|sponsored|sponsored content|loading|loading\.\.\.|loading…)$`)

// dropBoilerplate removes ad and loading labels, and a byline line ("By Jane Doe, ...")
// among the first paragraphs when the byline is known from the metadata.
func dropBoilerplate(paras []string, byline string) []string {
	out := paras[:0]
	for i, p := range paras {
		if rxBoilerplate.MatchString(p) {
			continue
		}
		if i < 3 && byline != "" && len(p) <= 160 && isBylineLine(p, byline) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// isBylineLine reports whether p is a short credit line naming byline.
func isBylineLine(p, byline string) bool {
	lp, lb := strings.ToLower(p), strings.ToLower(byline)
	return strings.HasPrefix(lp, lb) || strings.HasPrefix(lp, "by "+lb)
}

// canonicalURL picks the page's own claim to a canonical URL when it stays on the page's
// registrable domain (a page must not be able to file itself under someone else's URL),
// else the page URL.
func canonicalURL(m meta, page *url.URL) string {
	if page == nil {
		return ""
	}
	for _, claim := range []string{m.canonical, m.ogURL} {
		if claim == "" {
			continue
		}
		ref, err := url.Parse(claim)
		if err != nil {
			continue
		}
		abs := page.ResolveReference(ref)
		if !sameSite(abs.Hostname(), page.Hostname()) {
			continue
		}
		if c, err := Canonical(abs.String()); err == nil { // refuses what is not http(s)
			return c
		}
	}
	if c, err := Canonical(page.String()); err == nil {
		return c
	}
	return page.String()
}

// sameSite reports whether two hosts share a registrable domain (eTLD+1); hosts without one
// (IP addresses, single labels) must be equal.
func sameSite(a, b string) bool {
	a = strings.TrimSuffix(strings.ToLower(a), ".")
	b = strings.TrimSuffix(strings.ToLower(b), ".")
	if a == b {
		return a != ""
	}
	ra, errA := publicsuffix.EffectiveTLDPlusOne(a)
	rb, errB := publicsuffix.EffectiveTLDPlusOne(b)
	return errA == nil && errB == nil && ra == rb
}

// siteFromHost is the page's host without "www.", or "" without a page URL.
func siteFromHost(page *url.URL) string {
	if page == nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(page.Hostname()), "www.")
}

// cleanByline collapses whitespace and drops a leading "By".
func cleanByline(s string) string {
	s = collapse(s)
	if len(s) > 3 && strings.EqualFold(s[:3], "by ") {
		s = strings.TrimSpace(s[3:])
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
