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
	for _, in := range []string{"", "yesterday", "02/05/2024", "2024-5-2", "2024-13-01", "2024-05-02T25:00:00Z"} {
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
