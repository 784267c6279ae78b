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
		// In UTC the date must still have a year RFC 3339 can write (0000-9999), or it
		// could not be given back the way it is read: "0000-01-01T00:00:00+01:00" is
		// the year -1 in UTC.
		if t, err := time.Parse(layout, s); err == nil && t.UTC().Year() >= 0 && t.UTC().Year() <= 9999 {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (use YYYY-MM-DD or RFC 3339)", s)
}

// Bounds on a publication date read from a page's or a file's own metadata. A page's
// date tag is filled by software, and software fills it with placeholders: the zero date
// (0000-01-01, 0001-01-01), the Unix epoch (1970-01-01, a timestamp of 0), a far-future
// "never expires" date (9999-12-31) or a template's year (2099). Shown as "published
// 1970-01-01" such a date misleads, and it also defeats since:, so it counts as no date.
// The earliest plausible year is 1900: older than any web page or file a member shares
// with a date of its own (a digitised 19th-century text carries the scan's date, not the
// original's), yet it keeps real dates of the archive era. A date may lie up to a day
// ahead of the clock, for pages stamped in a zone east of the server's. These bounds
// apply only to dates footnote finds; a date a member gives (since:, an import's
// "published") is taken as given by ParseDate.
const (
	earliestPublishedYear = 1900
	publishedFutureSlack  = 24 * time.Hour
)

// plausiblePublished reports whether t, read from a page's or a file's metadata, can be
// its publication date at now: not before earliestPublishedYear, not on the day of the
// Unix epoch (1970-01-01 in UTC, a timestamp of 0 or near it), and not more than
// publishedFutureSlack ahead of now.
func plausiblePublished(t, now time.Time) bool {
	t = t.UTC()
	epochDay := t.Year() == 1970 && t.YearDay() == 1
	return t.Year() >= earliestPublishedYear && !epochDay && !t.After(now.Add(publishedFutureSlack))
}

// foundDate is ParseDate for a date found in a page or a file: one that is not
// plausiblePublished now is an error, so the caller moves on to its next candidate.
func foundDate(s string) (time.Time, error) {
	t, err := ParseDate(s)
	if err == nil && !plausiblePublished(t, time.Now()) {
		return time.Time{}, fmt.Errorf("%q is not a plausible publication date", s)
	}
	return t, err
}

// firstDate is the first of candidates that foundDate reads, or the zero time: a stronger
// tag that holds a placeholder (see plausiblePublished) gives way to the next one.
func firstDate(candidates []string) time.Time {
	for _, c := range candidates {
		if t, err := foundDate(c); err == nil {
			return t
		}
	}
	return time.Time{}
}
