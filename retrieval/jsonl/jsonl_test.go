package jsonl

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// line is one line as Next returns it: its number, its text, and whether it was too long.
type line struct {
	n       int
	text    string
	tooLong bool
}

// readAll returns every line of r.
func readAll(t *testing.T, r io.Reader, max int) []line {
	t.Helper()
	lr := NewReader(r, max)
	var out []line
	for {
		n, b, err := lr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil && !errors.Is(err, ErrTooLong) {
			t.Fatalf("Next: %v", err)
		}
		out = append(out, line{n, string(b), err != nil})
	}
}

func TestReaderSplitsLinesAsEditorsDo(t *testing.T) {
	tests := []struct {
		name  string
		input string
		max   int
		want  []line
	}{
		{"LF ends a line", "a\nb\n", 10, []line{{1, "a", false}, {2, "b", false}}},
		{"CRLF ends one line, not two", "a\r\nb\r\n", 10, []line{{1, "a", false}, {2, "b", false}}},
		{"a lone CR ends a line", "a\rb\rc", 10, []line{{1, "a", false}, {2, "b", false}, {3, "c", false}}},
		{"LF CR is two line ends", "a\n\rb", 10, []line{{1, "a", false}, {2, "", false}, {3, "b", false}}},
		{"mixed line ends number lines in order", "a\nb\r\nc\rd", 10,
			[]line{{1, "a", false}, {2, "b", false}, {3, "c", false}, {4, "d", false}}},
		{"empty lines are lines", "\n\r\n\r", 10, []line{{1, "", false}, {2, "", false}, {3, "", false}}},
		{"text after the last line end is a line", "a\nb", 10, []line{{1, "a", false}, {2, "b", false}}},
		{"an empty input has no line", "", 10, nil},
		{"a byte-order mark at the start is skipped", "\uFEFFa\nb", 10, []line{{1, "a", false}, {2, "b", false}}},
		{"a byte-order mark alone is no line", "\uFEFF", 10, nil},
		{"a byte-order mark later is kept", "a\n\uFEFFb", 10, []line{{1, "a", false}, {2, "\uFEFFb", false}}},
		{"a line at the limit is whole", "abcd\nx", 4, []line{{1, "abcd", false}, {2, "x", false}}},
		{"a line over the limit is reported and the next one read", "abcde\r\nx", 4, []line{{1, "", true}, {2, "x", false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []struct {
				how string
				r   io.Reader
			}{
				{"at once", strings.NewReader(tt.input)},
				{"a byte at a time", iotest.OneByteReader(strings.NewReader(tt.input))},
			} {
				got := readAll(t, r.r, tt.max)
				if !equalLines(got, tt.want) {
					t.Errorf("read %s: %+v, want %+v", r.how, got, tt.want)
				}
				n, err := CountLines(strings.NewReader(strings.TrimPrefix(tt.input, "\uFEFF")))
				if err != nil || n != int64(len(tt.want)) {
					t.Errorf("CountLines = %d, %v; want %d, as many as the reader returns", n, err, len(tt.want))
				}
			}
		})
	}
}

func TestCountLinesSeesACRLFSplitBetweenReads(t *testing.T) {
	n, err := CountLines(iotest.OneByteReader(strings.NewReader("a\r\nb\r\nc")))
	if err != nil || n != 3 {
		t.Errorf("CountLines = %d, %v; want 3", n, err)
	}
}

func equalLines(a, b []line) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecodeTakesExactlyOneValue(t *testing.T) {
	type obj struct {
		URL string `json:"url"`
	}
	tests := []struct {
		name string
		line string
		want error // nil: decodes to url "a"
		msg  string
	}{
		{"one object decodes", `{"url":"a"}`, nil, ""},
		{"white space around it is fine", " \t{\"url\":\"a\"}\t \r", nil, ""},
		{"two objects are refused", `{"url":"a"}{"url":"b"}`, ErrSeveralValues, "it holds 2"},
		{"three values apart are counted", `{"url":"a"} {"url":"b"} 3`, ErrSeveralValues, "it holds 3"},
		{"words after the object are refused", `{"url":"a"} and more`, ErrTrailing, `"and more"`},
		{"a stray brace is refused", `{"url":"a"}}`, ErrTrailing, `"}"`},
		{"an unfinished second object is trailing text", `{"url":"a"}{"url"`, ErrTrailing, ""},
		{"a long tail is quoted short", `{"url":"a"}` + strings.Repeat("x", 500), ErrTrailing, "…"},
		{"bytes that are not UTF-8 are refused", "{\"url\":\"a\xe9\"}", ErrNotUTF8, "offset 9"},
		{"a blank line holds no value", "  \t", ErrEmpty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o obj
			err := Decode([]byte(tt.line), &o)
			switch {
			case tt.want == nil && (err != nil || o.URL != "a"):
				t.Errorf("Decode = %v, url %q; want url \"a\"", err, o.URL)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Errorf("Decode = %v, want %v", err, tt.want)
			case tt.want != nil && !strings.Contains(err.Error(), tt.msg):
				t.Errorf("Decode = %q, want it to say %q", err, tt.msg)
			}
		})
	}
	t.Run("malformed JSON is encoding/json's own error", func(t *testing.T) {
		var o obj
		err := Decode([]byte(`{"url":`), &o)
		if err == nil || errors.Is(err, ErrTrailing) || errors.Is(err, ErrSeveralValues) {
			t.Errorf("Decode = %v, want a JSON syntax error", err)
		}
	})
}
