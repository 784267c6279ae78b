package embed

import (
	"context"
	"strings"
	"testing"
)

func BenchmarkHashEmbed(b *testing.B) {
	h := NewHash(256)
	passage := strings.Repeat("The council voted on Tuesday to approve a tram line linking the harbour to the university. ", 10)
	texts := []string{passage}
	b.SetBytes(int64(len(passage)))
	for b.Loop() {
		if _, err := h.Embed(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
	}
}
