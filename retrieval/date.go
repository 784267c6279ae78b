package retrieval

import (
	"fmt"
	"strings"
	"time"
)

// parseDate accepts YYYY-MM-DD and RFC 3339.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// ParseDate parses a date given by a user (YYYY-MM-DD or RFC 3339); the error wraps
// ErrInvalidInput.
func ParseDate(s string) (time.Time, error) {
	t, err := parseDate(s)
	if err != nil {
		return t, fmt.Errorf("%w: %q is not a date (use YYYY-MM-DD)", ErrInvalidInput, s)
	}
	return t, nil
}
