package extract

import (
	"fmt"
	"strings"
	"time"
)

// dateLayouts are the forms of a date footnote reads, wherever it comes from: a member's
// since: option, an import line's "published", front matter, or page metadata (which uses
// all of them, with or without seconds, a zone or the "T").
var dateLayouts = []string{
	time.DateOnly, // 2024-05-02, the form footnote asks people for
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	time.RFC1123Z,
	time.RFC1123,
	// Written out, as datelines and "Published" lines in text files have them (textDate
	// takes out ordinals, commas and "of" first). Day-first and month-first are told apart
	// by where the month's name is, so neither is a guess.
	"2 January 2006",
	"2 Jan 2006",
	"January 2 2006",
	"Jan 2 2006",
	"January 2, 2006",
	"Jan 2, 2006",
}

// ParseDate is footnote's one date parser. It accepts YYYY-MM-DD, RFC 3339 (with or without
// fractional seconds), the other forms pages use in their metadata (date and time without
// a zone, a space instead of the "T", RFC 1123) and dates with the month's name ("2 May
// 2024", "May 2, 2024"), ignoring surrounding spaces, and returns
// the time in UTC (a date alone is midnight UTC). For anything else it returns an error
// that quotes s and says which forms to use (retrieval.ParseDate wraps it in
// retrieval.ErrInvalidInput).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD or RFC 3339)", s)
}

// firstDate is the first of candidates that ParseDate reads, or the zero time.
func firstDate(candidates []string) time.Time {
	for _, c := range candidates {
		if t, err := ParseDate(c); err == nil {
			return t
		}
	}
	return time.Time{}
}
