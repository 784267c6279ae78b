package retrieval_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestImportAccountsForEveryByte checks that each byte of an import file is either imported
// or reported on its line: nothing is dropped because of how lines end, what follows an
// object, or a byte-order mark.
func TestImportAccountsForEveryByte(t *testing.T) {
	obj := func(slug string) string {
		return `{"url":"https://news.example/` + slug + `","text":"The ` + slug + ` story: the harbour ferry runs again."}`
	}
	tests := []struct {
		name  string
		input string
		added []string // slugs that must be stored
		lines []int    // lines reported, in order
		bad   []int    // lines reported as failed
		cause error    // what each bad line wraps
	}{
		{
			name:  "two objects on one line are refused as that line's error, and the next line still imports",
			input: obj("a") + obj("b") + "\n" + obj("c") + "\n",
			added: []string{"c"}, lines: []int{1, 2}, bad: []int{1}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "two objects separated by a space are refused too",
			input: obj("a") + " " + obj("b") + "\n",
			lines: []int{1}, bad: []int{1}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "text after an object is refused",
			input: obj("a") + " trailing words\n" + obj("b") + "\n",
			added: []string{"b"}, lines: []int{1, 2}, bad: []int{1}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "a stray closing brace after an object is refused",
			input: obj("a") + "}\n",
			lines: []int{1}, bad: []int{1}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "white space after an object is fine",
			input: obj("a") + " \t \n",
			added: []string{"a"}, lines: []int{1},
		},
		{
			name:  "lines ending in a lone CR are separate lines",
			input: obj("a") + "\r" + obj("b") + "\r" + obj("c") + "\r",
			added: []string{"a", "b", "c"}, lines: []int{1, 2, 3},
		},
		{
			name:  "CRLF ends one line, not two",
			input: obj("a") + "\r\n" + obj("b") + "\r\n\r\n" + obj("c"),
			added: []string{"a", "b", "c"}, lines: []int{1, 2, 4},
		},
		{
			name:  "LF, CRLF and CR mixed in one file number lines as an editor does",
			input: obj("a") + "\n" + obj("b") + "\r\n" + obj("c") + "\r" + "not json\n" + obj("d"),
			added: []string{"a", "b", "c", "d"}, lines: []int{1, 2, 3, 4, 5}, bad: []int{4}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "a UTF-8 byte-order mark at the start is skipped",
			input: "\uFEFF" + obj("a") + "\n" + obj("b") + "\n",
			added: []string{"a", "b"}, lines: []int{1, 2},
		},
		{
			name:  "a byte-order mark inside the file is an error on its line",
			input: obj("a") + "\n\uFEFF" + obj("b") + "\n",
			added: []string{"a"}, lines: []int{1, 2}, bad: []int{2}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "bytes that are not UTF-8 are refused, not replaced",
			input: `{"url":"https://news.example/a","text":"Caf` + "\xe9" + ` opens."}` + "\n" + obj("b") + "\n",
			added: []string{"b"}, lines: []int{1, 2}, bad: []int{1}, cause: retrieval.ErrInvalidInput,
		},
		{
			name:  "a last line without a line end is imported",
			input: obj("a") + "\n" + obj("b"),
			added: []string{"a", "b"}, lines: []int{1, 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, coll := retrievaltest.Engine(t)
			var lines, bad []int
			st, err := e.Import(context.Background(), coll, strings.NewReader(tt.input), func(r retrieval.LineReport) {
				lines = append(lines, r.Line)
				if r.Err == nil {
					return
				}
				bad = append(bad, r.Line)
				if !errors.Is(r.Err, tt.cause) {
					t.Errorf("line %d: %v, want it to wrap %v", r.Line, r.Err, tt.cause)
				}
			})
			if err != nil {
				t.Fatalf("Import: %v", err)
			}
			if !slices.Equal(lines, tt.lines) || !slices.Equal(bad, tt.bad) {
				t.Errorf("reported lines %v (failed %v), want %v (failed %v)", lines, bad, tt.lines, tt.bad)
			}
			list, _, err := e.ListArticles(context.Background(), coll, "", 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range list {
				got = append(got, strings.TrimPrefix(a.URL, "https://news.example/"))
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.added) || st.Added != len(tt.added) {
				t.Errorf("stored %v (%d added), want %v", got, st.Added, tt.added)
			}
		})
	}
}
