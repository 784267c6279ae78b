package extract

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxTitleLen is the longest first line that PlainText and Markdown take as a title.
const maxTitleLen = 120

// block is one paragraph of a text file before it is joined into Document.Text.
type block struct {
	text    string
	lines   int  // source lines it was made from
	heading int  // markdown heading level, 0 for none
	code    bool // fenced code, kept verbatim
}

// PlainText reads a plain-text file: paragraphs are runs of non-blank lines, joined with
// single spaces. A leading "---" front matter block gives the title, author and date, as
// in Markdown. The title and date are picked as fromBlocks says. It returns an error wrapping ErrUnsupported
// when body is not UTF-8 text and ErrEmptyArticle when it holds no text.
func PlainText(name string, body []byte) (*Document, error) {
	s, err := checkText(name, body)
	if err != nil {
		return nil, err
	}
	fm, s := splitFrontMatter(s)
	var blocks []block
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, block{text: collapse(strings.Join(cur, " ")), lines: len(cur)})
			cur = nil
		}
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, line)
	}
	flush()
	return fromBlocks(name, blocks, fm)
}

// Markdown reads a Markdown file, removing its syntax lightly: heading marks, emphasis,
// inline code marks, links and images (their text is kept), reference definitions and
// block-quote marks go; fenced code is kept verbatim as a paragraph; list items become
// paragraphs of their own. The title and date are picked as fromBlocks says. It returns an
// error wrapping ErrUnsupported when body is not UTF-8 text and
// ErrEmptyArticle when it holds no text.
func Markdown(name string, body []byte) (*Document, error) {
	s, err := checkText(name, body)
	if err != nil {
		return nil, err
	}
	fm, s := splitFrontMatter(s)
	var blocks []block
	var cur, code []string
	fence := ""
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, block{text: collapse(strings.Join(cur, " ")), lines: len(cur)})
			cur = nil
		}
	}
	for _, line := range strings.Split(s, "\n") {
		trimmed := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]) == "" {
				blocks = append(blocks, block{text: strings.Trim(strings.Join(code, "\n"), "\n"), lines: len(code), code: true})
				code, fence = nil, ""
			} else {
				code = append(code, line)
			}
			continue
		}
		if m := rxFence.FindString(trimmed); m != "" {
			flush()
			fence = m
			continue
		}
		for strings.HasPrefix(trimmed, ">") {
			trimmed = strings.TrimSpace(trimmed[1:])
		}
		switch {
		case trimmed == "":
			flush()
		case rxRefDef.MatchString(trimmed):
			flush()
		case rxRule.MatchString(trimmed):
			// A setext underline makes the single line above it a heading; otherwise a rule.
			if len(cur) == 1 && (trimmed[0] == '=' || trimmed[0] == '-') {
				level := 1
				if trimmed[0] == '-' {
					level = 2
				}
				blocks = append(blocks, block{text: inline(cur[0]), lines: 1, heading: level})
				cur = nil
			}
			flush()
		case rxHeading.MatchString(trimmed):
			flush()
			m := rxHeading.FindStringSubmatch(trimmed)
			text := strings.TrimSpace(strings.TrimRight(m[2], "#"))
			blocks = append(blocks, block{text: collapse(inline(text)), lines: 1, heading: len(m[1])})
		case rxListItem.MatchString(trimmed):
			flush()
			cur = append(cur, inline(trimmed))
		default:
			cur = append(cur, inline(trimmed))
		}
	}
	flush()
	if fence != "" && len(code) > 0 { // an unclosed fence runs to the end
		blocks = append(blocks, block{text: strings.Trim(strings.Join(code, "\n"), "\n"), lines: len(code), code: true})
	}
	return fromBlocks(name, blocks, fm)
}

// fromBlocks picks the title and the date and joins the rest into a Document. The date is
// the front matter's, else a dateline near the top (textDate). The title is the front
// matter's or a leading level-1 heading, else the first paragraph when it reads as one
// (readsAsTitle), else the file name made readable (readableName). A dateline is never the
// title: the paragraph after it may be.
func fromBlocks(name string, blocks []block, fm frontMatter) (*Document, error) {
	doc := &Document{Title: fm.title, Byline: fm.author}
	if t, err := foundDate(fm.date); err == nil {
		doc.Published = t
	}
	top := make([]string, 0, datelineBlocks)
	for _, b := range blocks[:min(len(blocks), datelineBlocks)] {
		if b.code {
			break
		}
		top = append(top, b.text)
	}
	t, dateline := textDate(top)
	if doc.Published.IsZero() {
		doc.Published = t
	}
	first := 0
	if dateline == 0 {
		first = 1
	}
	if first < len(blocks) {
		b := blocks[first]
		switch {
		case b.heading == 1 && first == 0:
			doc.Title, blocks = b.text, blocks[1:]
		case doc.Title == "" && readsAsTitle(b) && len(blocks) > first+1:
			doc.Title, blocks = b.text, slices.Delete(blocks, first, first+1)
		}
	}
	if doc.Title == "" {
		doc.Title = readableName(name)
	}
	paras := make([]string, len(blocks))
	for i, b := range blocks {
		paras[i] = b.text
	}
	doc.Text = joinParagraphs(paras)
	if doc.Text == "" {
		return nil, fmt.Errorf("%s has no text: %w", baseName(name), ErrEmptyArticle)
	}
	return doc, nil
}

// readsAsTitle reports whether a paragraph reads as a title: a heading, or one short line
// (at most maxTitleLen characters) that stood alone and does not end a sentence with a
// period.
func readsAsTitle(b block) bool {
	if b.code {
		return false
	}
	if b.heading > 0 {
		return true
	}
	return b.lines == 1 && utf8.RuneCountInString(b.text) <= maxTitleLen &&
		!(strings.HasSuffix(b.text, ".") && !strings.HasSuffix(b.text, "..."))
}

// readableName is a file name as a title: no directory or extension, dashes and
// underscores as spaces, and a capital first letter ("council-report_0412.txt" becomes
// "Council report 0412").
func readableName(name string) string {
	s := collapse(strings.NewReplacer("-", " ", "_", " ").Replace(stem(name)))
	if s == "" {
		return stem(name)
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// frontMatter is the little of a YAML front matter block that footnote uses: the title,
// the author and the date (under date, published, pubDate and their kin).
type frontMatter struct{ title, author, date string }

// splitFrontMatter takes a leading "---" ... "---" block off s and reads its title, author
// and date keys.
func splitFrontMatter(s string) (frontMatter, string) {
	var fm frontMatter
	if !strings.HasPrefix(s, "---\n") {
		return fm, s
	}
	lines := strings.Split(s, "\n")
	for i := 1; i < len(lines) && i < 100; i++ {
		l := strings.TrimSpace(lines[i])
		if l == "---" || l == "..." {
			return fm, strings.Join(lines[i+1:], "\n")
		}
		key, val, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "title":
			fm.title = val
		case "author":
			fm.author = val
		case "date", "published", "pubdate", "date_published", "published_at", "publishdate":
			if fm.date == "" {
				fm.date = val
			}
		}
	}
	return frontMatter{}, s // no closing line: not front matter
}

var (
	rxFence    = regexp.MustCompile("^(```+|~~~+)")
	rxHeading  = regexp.MustCompile(`^(#{1,6})(?:\s+(.*))?$`)
	rxRule     = regexp.MustCompile(`^(?:(?:-\s*){3,}|(?:=\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$`)
	rxRefDef   = regexp.MustCompile(`^\[[^\]]+\]:\s*\S+`)
	rxListItem = regexp.MustCompile(`^(?:[-*+]|\d{1,9}[.)])\s+`)

	rxCodeSpan = regexp.MustCompile("`+([^`]+)`+")
	rxEscape   = regexp.MustCompile("\\\\([\\\\`*_{}\\[\\]()#+\\-.!>~|])")
	rxImage    = regexp.MustCompile(`!\[([^\]]*)\]\([^)]*\)`)
	rxLink     = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	rxRefLink  = regexp.MustCompile(`\[([^\]]+)\]\[[^\]]*\]`)
	rxAutoLink = regexp.MustCompile(`<(?:mailto:)?([^<>\s@]+@[^<>\s]+|https?://[^<>\s]+)>`)
	rxStrong   = regexp.MustCompile(`\*\*(\S(?:[^*]*?\S)?)\*\*`)
	rxStrongU  = regexp.MustCompile(`__(\S(?:[^_]*?\S)?)__`)
	rxEm       = regexp.MustCompile(`\*(\S(?:[^*]*?\S)?)\*`)
	rxEmU      = regexp.MustCompile(`(^|\W)_(\S(?:[^_]*?\S)?)_(\W|$)`)
	rxStrike   = regexp.MustCompile(`~~(\S(?:[^~]*?\S)?)~~`)
)

// inline removes inline Markdown from one line, leaving the text of code spans untouched.
func inline(line string) string {
	var sb strings.Builder
	last := 0
	for _, m := range rxCodeSpan.FindAllStringSubmatchIndex(line, -1) {
		sb.WriteString(inlineText(line[last:m[0]]))
		sb.WriteString(line[m[2]:m[3]])
		last = m[1]
	}
	sb.WriteString(inlineText(line[last:]))
	return sb.String()
}

// inlineText removes emphasis, links and images from text that holds no code span.
// Escaped characters ("\\*") stand in as private-use runes while it works, from a block
// of them that s does not use (the text's own private-use runes once came out as ASCII
// punctuation: found by FuzzFile).
func inlineText(s string) string {
	escapeStart, ok := unusedPrivateBlock(s)
	if ok {
		s = rxEscape.ReplaceAllStringFunc(s, func(m string) string { return string(escapeStart + rune(m[1])) })
	}
	s = rxImage.ReplaceAllString(s, "$1")
	s = rxLink.ReplaceAllString(s, "$1")
	s = rxRefLink.ReplaceAllString(s, "$1")
	s = rxAutoLink.ReplaceAllString(s, "$1")
	s = rxStrong.ReplaceAllString(s, "$1")
	s = rxStrongU.ReplaceAllString(s, "$1")
	s = rxEm.ReplaceAllString(s, "$1")
	s = rxEmU.ReplaceAllString(s, "$1$2$3")
	s = rxStrike.ReplaceAllString(s, "$1")
	if !ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= escapeStart && r < escapeStart+128 {
			return r - escapeStart
		}
		return r
	}, s)
}

// Private-use runes of the Basic Multilingual Plane, in blocks of 128 (one rune for each
// ASCII character).
const (
	privateFirst = rune(0xE000)
	privateLast  = rune(0xF8FF)
	privateBlock = 128
)

// unusedPrivateBlock returns the first rune of a block of private-use runes that s holds
// none of; ok is false when s touches every block (escapes are then left as written).
func unusedPrivateBlock(s string) (rune, bool) {
	used := map[rune]bool{}
	for _, r := range s {
		if r >= privateFirst && r <= privateLast {
			used[(r-privateFirst)/privateBlock] = true
		}
	}
	for b := rune(0); privateFirst+(b+1)*privateBlock-1 <= privateLast; b++ {
		if !used[b] {
			return privateFirst + b*privateBlock, true
		}
	}
	return 0, false
}
