package extract

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min, s, ns int) time.Time {
		return time.Date(y, m, d, h, min, s, ns, time.UTC)
	}
	for _, tc := range []struct {
		name, in string
		want     time.Time
	}{
		{"a plain date is midnight UTC", "2024-05-02", utc(2024, 5, 2, 0, 0, 0, 0)},
		{"spaces around a date are ignored", "  2024-05-02\n", utc(2024, 5, 2, 0, 0, 0, 0)},
		{"RFC 3339 in UTC is read as is", "2024-05-02T09:30:00Z", utc(2024, 5, 2, 9, 30, 0, 0)},
		{"RFC 3339 with an offset is moved to UTC", "2024-05-02T09:30:00+02:00", utc(2024, 5, 2, 7, 30, 0, 0)},
		{"RFC 3339 with fractional seconds keeps them", "2024-05-02T09:30:00.25Z", utc(2024, 5, 2, 9, 30, 0, 250e6)},
		{"an offset without a colon is read", "2024-05-02T09:30:00+0200", utc(2024, 5, 2, 7, 30, 0, 0)},
		{"a time without a zone is taken as UTC", "2024-05-02T09:30:00", utc(2024, 5, 2, 9, 30, 0, 0)},
		{"a time without seconds is read", "2024-05-02T09:30+01:00", utc(2024, 5, 2, 8, 30, 0, 0)},
		{"a time without seconds or zone is read", "2024-05-02T09:30", utc(2024, 5, 2, 9, 30, 0, 0)},
		{"a space may replace the T", "2024-05-02 09:30:00", utc(2024, 5, 2, 9, 30, 0, 0)},
		{"a space-separated time with a zone is read", "2024-05-02 09:30:00+02:00", utc(2024, 5, 2, 7, 30, 0, 0)},
		{"RFC 1123 with a numeric zone is read", "Thu, 02 May 2024 09:30:00 +0200", utc(2024, 5, 2, 7, 30, 0, 0)},
		{"RFC 1123 in GMT is read", "Thu, 02 May 2024 09:30:00 GMT", utc(2024, 5, 2, 9, 30, 0, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseDate(tc.in)
			if err != nil || !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	for _, in := range []string{"", "yesterday", "02/05/2024", "2024-5-2", "2024-13-01", "2024-05-02T25:00:00Z",
		"0000-01-01 00:00:00+01:00", "9999-12-31T23:00:00-05:00"} {
		t.Run(fmt.Sprintf("%q is refused with an error that quotes it and says which forms to use", in), func(t *testing.T) {
			got, err := ParseDate(in)
			if err == nil || !got.IsZero() {
				t.Fatalf("ParseDate(%q) = %v, %v; want a zero time and an error", in, got, err)
			}
			if want := `"` + in + `" is not a date (use YYYY-MM-DD or RFC 3339)`; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		})
	}
}

func TestParseDateKeepsHistoricalDates(t *testing.T) {
	// A member may import an old article with its "published" date: ParseDate takes any
	// year; only dates found in a page or a file are checked for plausibility.
	for _, in := range []string{"1850-06-01", "1970-01-01", "2099-01-01"} {
		t.Run(in+" is read by ParseDate", func(t *testing.T) {
			if _, err := ParseDate(in); err != nil {
				t.Errorf("ParseDate(%q): %v", in, err)
			}
		})
	}
}

func TestPlausiblePublished(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		t    time.Time
		want bool
	}{
		{"a date last week is plausible", now.AddDate(0, 0, -7), true},
		{"a date in 1995 is plausible", time.Date(1995, 8, 1, 0, 0, 0, 0, time.UTC), true},
		{"a date in 1900 is plausible", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"a date a few hours ahead, from a zone east of ours, is plausible", now.Add(10 * time.Hour), true},
		{"year 0000 is a placeholder", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"a date before 1900 is not plausible", time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{"the Unix epoch is a placeholder", time.Unix(0, 0), false},
		{"a small timestamp on the epoch's day is a placeholder", time.Unix(3600, 0), false},
		{"9999-12-31 is a placeholder", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{"a date two days ahead is not plausible", now.Add(48 * time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := plausiblePublished(tc.t, now); got != tc.want {
				t.Errorf("plausiblePublished(%v) = %v, want %v", tc.t, got, tc.want)
			}
		})
	}
}
