package chunk

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// render lists each passage with its offsets, for the golden files.
func render(s string, spans []Span) string {
	var b strings.Builder
	for i, sp := range spans {
		fmt.Fprintf(&b, "--- passage %d [%d:%d] %d bytes\n%s\n", i, sp.Start, sp.End, sp.End-sp.Start, s[sp.Start:sp.End])
	}
	return b.String()
}

func TestSplitGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no inputs in testdata: %v", err)
	}
	for _, in := range inputs {
		t.Run("passages of "+filepath.Base(in)+" match the golden file", func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got := render(string(src), Split(string(src), Options{Target: 300, Max: 500}))
			golden := strings.TrimSuffix(in, ".txt") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run with -update to create): %v", err)
			}
			if got != string(want) {
				t.Errorf("passages differ from %s:\n%s", golden, got)
			}
		})
	}
}

func checkSpans(t *testing.T, s string, spans []Span, o Options) {
	t.Helper()
	prev := -1
	for i, sp := range spans {
		if sp.Start < 0 || sp.End > len(s) || sp.Start >= sp.End {
			t.Fatalf("passage %d has invalid offsets [%d:%d] in %d bytes", i, sp.Start, sp.End, len(s))
		}
		if sp.End-sp.Start > o.Max {
			t.Fatalf("passage %d is %d bytes, over the cap %d", i, sp.End-sp.Start, o.Max)
		}
		if sp.Start <= prev {
			t.Fatalf("passage %d starts at %d, not after the previous start %d", i, sp.Start, prev)
		}
		prev = sp.Start
		if utf8.ValidString(s) && !utf8.ValidString(s[sp.Start:sp.End]) {
			t.Fatalf("passage %d cuts a UTF-8 sequence", i)
		}
		if !strings.Contains(s, s[sp.Start:sp.End]) || strings.TrimSpace(s[sp.Start:sp.End]) != s[sp.Start:sp.End] {
			t.Fatalf("passage %d is not a trimmed substring", i)
		}
	}
}

func TestSplitProperties(t *testing.T) {
	long := strings.Repeat("word ", 1000)
	tests := []struct{ name, in string }{
		{"an empty text has no passages", ""},
		{"white space alone has no passages", " \n\n \t "},
		{"one sentence without stops longer than the cap is cut between words", long},
		{"a run with no spaces longer than the cap is cut anyway", strings.Repeat("é", 2000)},
		{"many short paragraphs are merged", strings.Repeat("Short one.\n\n", 200)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := Split(tt.in, DefaultOptions())
			checkSpans(t, tt.in, spans, DefaultOptions())
			if strings.TrimSpace(tt.in) == "" && len(spans) != 0 {
				t.Fatalf("got %d passages for blank text", len(spans))
			}
			if strings.TrimSpace(tt.in) != "" && len(spans) == 0 {
				t.Fatalf("got no passages for %d bytes of text", len(tt.in))
			}
		})
	}
}

func TestSplitFillsInUnsetOptions(t *testing.T) {
	src, err := os.ReadFile("testdata/news.txt")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Repeat(string(src)+"\n\n", 4) // long enough that the target matters
	want := render(s, Split(s, DefaultOptions()))
	tests := []struct {
		name string
		o    Options
	}{
		{"zero options cut like the defaults", Options{}},
		{"a zero target takes the default target", Options{Max: DefaultMax}},
		{"a zero cap takes the default cap", Options{Target: DefaultTarget}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(s, Split(s, tt.o)); got != want {
				t.Fatalf("Split(%+v) differs from Split(DefaultOptions())", tt.o)
			}
		})
	}
	if small := Split(s, Options{Target: 300, Max: 500}); len(small) <= strings.Count(want, "--- passage") {
		t.Fatalf("a 300-byte target gave %d passages, no more than the default's: the test text is too short to tell the options apart", len(small))
	}
}

func TestSplitCoversEveryWord(t *testing.T) {
	s, _ := os.ReadFile("testdata/news.txt")
	spans := Split(string(s), Options{Target: 300, Max: 500})
	covered := make([]bool, len(s))
	for _, sp := range spans {
		for i := sp.Start; i < sp.End; i++ {
			covered[i] = true
		}
	}
	for i, c := range s {
		if !covered[i] && c != ' ' && c != '\n' {
			t.Fatalf("byte %d (%q) is in no passage", i, c)
		}
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("One. Two.\n\nThree", 50, 80)
	f.Add(strings.Repeat("A sentence here. ", 100), 300, 500)
	f.Add("\xff\xfe broken utf8 \n\n\n.", 10, 20)
	f.Fuzz(func(t *testing.T, s string, target, max int) {
		o := Options{Target: target%2000 + 1, Max: max%2000 + 1}
		if o.Max < 8 {
			o.Max = 8 // room for one UTF-8 sequence
		}
		spans := Split(s, o)
		if o.Target > o.Max {
			o.Target = o.Max
		}
		checkSpans(t, s, spans, o)
	})
}
