package retrieval

import (
	"errors"
	"fmt"
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

// parseLine decodes and prepares one import line: exactly one JSON object, in UTF-8, with
// a URL and a text. Its notes say what prepare cut; its unknown fields are the ones it does
// not read (the writer names each once per import: fieldNotes).
func (e *Engine) parseLine(raw []byte) (prepared, error) {
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
	pr, err := e.prepare(a)
	if err != nil {
		return prepared{}, err
	}
	pr.unknown = unknownFields(raw)
	return pr, nil
}

// lineDecodeError is the LineError cause for a line jsonl.Decode refused.
func lineDecodeError(err error) error {
	if errors.Is(err, jsonl.ErrNotUTF8) || errors.Is(err, jsonl.ErrSeveralValues) || errors.Is(err, jsonl.ErrTrailing) {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return fmt.Errorf("%w: not a JSON object: %v", ErrInvalidInput, err)
}
