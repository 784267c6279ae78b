package retrieval

import (
	"fmt"
	"time"

	"github.com/footnote-bot/footnote/retrieval/extract"
)

// ParseDate parses a date given by a person or an import line with footnote's one date
// parser, extract.ParseDate: YYYY-MM-DD, RFC 3339, or a form pages use in their metadata,
// returned in UTC. The error wraps ErrInvalidInput and quotes s.
func ParseDate(s string) (time.Time, error) {
	t, err := extract.ParseDate(s)
	if err != nil {
		return t, fmt.Errorf("%w: %v", ErrInvalidInput, err)
	}
	return t, nil
}
