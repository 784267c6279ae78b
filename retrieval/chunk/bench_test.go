package chunk

import (
	"os"
	"strings"
	"testing"
)

func BenchmarkSplit(b *testing.B) {
	src, err := os.ReadFile("testdata/news.txt")
	if err != nil {
		b.Fatal(err)
	}
	s := strings.Repeat(string(src)+"\n\n", 10)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Split(s, DefaultOptions())
	}
}
