package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []int
		bad      bool
	}{
		{name: "thousands are written with k", in: "10k,50k", want: []int{10000, 50000}},
		{name: "plain numbers and spaces are read too", in: " 1200, 75K ", want: []int{1200, 75000}},
		{name: "a word is refused", in: "10k,big", bad: true},
		{name: "zero is refused", in: "0", bad: true},
		{name: "an empty item is refused", in: "10k,", bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseSizes(tc.in)
			if tc.bad != (err != nil) {
				t.Fatalf("parseSizes(%q) = %v, %v", tc.in, got, err)
			}
			if !tc.bad && !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseSizes(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestSizeName(t *testing.T) {
	for n, want := range map[int]string{10000: "10k", 280000: "280k", 1200: "1200"} {
		if got := sizeName(n); got != want {
			t.Errorf("sizeName(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestWriteCorpus(t *testing.T) {
	shared := fakeShared(t, 5)
	for _, tc := range []struct {
		name   string
		n      int
		lines  int
		synths int
	}{
		{name: "a size under the BBC set takes its first articles and no synthetic one", n: 3, lines: 2 + 3},
		{name: "a size over the BBC set adds synthetic articles up to it", n: 12, lines: 2 + 12, synths: 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "corpus.jsonl")
			n, err := writeCorpus(context.Background(), shared, path, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
			if n != tc.lines || len(got) != tc.lines {
				t.Fatalf("wrote %d lines (said %d), want %d:\n%s", len(got), n, tc.lines, b)
			}
			if !strings.Contains(got[0], "wikipedia.org/wiki/Harbour") {
				t.Errorf("the squad-dev articles do not come first: %s", got[0])
			}
			if c := strings.Count(string(b), "/synth/"); c != tc.synths {
				t.Errorf("%d synthetic articles, want %d", c, tc.synths)
			}
			if tc.synths > 0 && !strings.Contains(string(b), "/synth/0\"") {
				t.Errorf("synthetic articles do not start at 0:\n%s", b)
			}
		})
	}
}

func TestCopyHead(t *testing.T) {
	var out bytes.Buffer
	n, err := copyHead(&out, strings.NewReader("a\n\nb\r\nc"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 || out.String() != "a\nb\n" {
		t.Errorf("copied %d lines %q: want the first two non-empty lines, each ending in one newline", n, out.String())
	}
	out.Reset()
	if n, _ := copyHead(&out, strings.NewReader("a\nb"), -1); n != 2 || out.String() != "a\nb\n" {
		t.Errorf("copied %d lines %q: want every line, the last one given its newline", n, out.String())
	}
}
