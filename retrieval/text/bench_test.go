package text

import (
	"strings"
	"testing"
)

var benchText = strings.Repeat("The Apollo program was conceived during the Eisenhower administration in early 1960, as a follow-up to Project Mercury. ", 8)

func BenchmarkTerms(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Terms(benchText)
	}
}

func BenchmarkSentences(b *testing.B) {
	b.SetBytes(int64(len(benchText)))
	for b.Loop() {
		Sentences(benchText)
	}
}
