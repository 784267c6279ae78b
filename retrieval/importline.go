package retrieval

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/jsonl"
)

// importLine is one line of an import file.
type importLine struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Text      string `json:"text"`
	Byline    string `json:"byline"`
	Site      string `json:"site"`
}

// importFields are the fields of an import line footnote reads, as the notes about other
// fields name them.
var importFields = []string{"url", "title", "published", "text", "site", "byline"}

// maxUnreadNamed is how many unread fields an import names before it stops naming them:
// an export with a few extra fields gets each named once, and a file of random keys does
// not flood the output.
const maxUnreadNamed = 20

// lineParser turns the lines of one import into prepared articles, remembering which
// unread fields it has warned about, so that each is named once per import, not per line.
type lineParser struct {
	e       *Engine
	ignored map[string]bool
}

func newLineParser(e *Engine) *lineParser { return &lineParser{e: e, ignored: map[string]bool{}} }

// add adds line n to u: an article, a LineError, or nothing for a blank line. readErr is
// the line reader's error (nil, or one wrapping jsonl.ErrTooLong).
func (p *lineParser) add(u *importUnit, n int, raw []byte, readErr error) {
	if readErr != nil {
		u.bad = append(u.bad, &LineError{Line: n, Err: fmt.Errorf("%w: line is over %d bytes", ErrTooLarge, maxImportLine)})
		return
	}
	if jsonl.Blank(raw) {
		return
	}
	a, err := p.parse(raw)
	if err != nil {
		u.bad = append(u.bad, &LineError{Line: n, Err: err})
		return
	}
	a.Line = n
	u.articles = append(u.articles, a)
}

// parse decodes and prepares one import line: exactly one JSON object, in UTF-8, with a
// URL and a text. Its notes say what prepare cut and which fields it did not read.
func (p *lineParser) parse(raw []byte) (prepared, error) {
	var l importLine
	if err := jsonl.Decode(raw, &l); err != nil {
		return prepared{}, lineDecodeError(err)
	}
	if strings.TrimSpace(l.URL) == "" {
		return prepared{}, fmt.Errorf("%w: missing \"url\"", ErrInvalidInput)
	}
	if l.Text == "" { // absent; a text of white space is an empty article (ErrEmptyArticle)
		return prepared{}, fmt.Errorf("%w: missing \"text\"", ErrInvalidInput)
	}
	canon, err := extract.Canonical(strings.TrimSpace(l.URL))
	if err != nil {
		return prepared{}, err
	}
	a := Article{URL: canon, Title: l.Title, Byline: l.Byline, Site: l.Site, Text: l.Text}
	if l.Published != "" {
		t, err := ParseDate(l.Published)
		if err != nil {
			shown, _ := clipChars(l.Published, 40)
			return prepared{}, fmt.Errorf("%w: \"published\" %q is not a date (want YYYY-MM-DD or RFC 3339)", ErrInvalidInput, shown)
		}
		a.Published = t
	}
	pr, err := p.e.prepare(a)
	if err != nil {
		return prepared{}, err
	}
	pr.notes = append(pr.notes, p.unread(raw)...)
	return pr, nil
}

// lineDecodeError is the LineError cause for a line jsonl.Decode refused.
func lineDecodeError(err error) error {
	if errors.Is(err, jsonl.ErrNotUTF8) || errors.Is(err, jsonl.ErrSeveralValues) || errors.Is(err, jsonl.ErrTrailing) {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return fmt.Errorf("%w: not a JSON object: %v", ErrInvalidInput, err)
}

// unread returns a note for each field of raw that footnote does not read and has not
// named before in this import. Field names match as encoding/json matches them, ignoring
// case.
func (p *lineParser) unread(raw []byte) []string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	var notes []string
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		known := slices.ContainsFunc(importFields, func(f string) bool { return strings.EqualFold(f, name) })
		if known || p.ignored[name] || len(p.ignored) > maxUnreadNamed {
			continue
		}
		p.ignored[name] = true
		if len(p.ignored) > maxUnreadNamed {
			notes = append(notes, fmt.Sprintf("more fields are not read; after %d, they are not named", maxUnreadNamed))
			break
		}
		shown, _ := clipChars(name, 40)
		notes = append(notes, fmt.Sprintf("field %q is not read, here or on later lines (footnote reads %s)",
			shown, strings.Join(importFields, ", ")))
	}
	return notes
}
