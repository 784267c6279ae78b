package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestASearchStillReadsABlockWhoseFirstPassageWasRemoved: a search reads a common term's
// block bounds first and the postings of the blocks it needs in a second statement. An
// article removed in between, whose passage was a block's first, moves that block's start;
// the second read must still find the block, or every other passage in it would lose the
// term's score for that query.
func TestASearchStillReadsABlockWhoseFirstPassageWasRemoved(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	var docs []doc
	for i := range 5 {
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/harbour-%d", i), Title: fmt.Sprintf("Harbour note %d", i),
			Text: fmt.Sprintf("The harbour pilots met on day %d to discuss the tides.", i)})
	}
	importDocs(t, e, coll, docs...)
	bounds, err := retrieval.BlockBounds(ctx, e, coll, "harbour")
	if err != nil || len(bounds) == 0 {
		t.Fatalf("bounds of harbour's blocks: %v, err %v", bounds, err)
	}
	before, err := retrieval.BlockPostings(ctx, e, coll, "harbour", bounds)
	if err != nil || len(before) != len(docs) {
		t.Fatalf("harbour's postings before the removal: %v, err %v; want one passage per article", before, err)
	}
	// The first article's passages hold the lowest ids: the start of harbour's first block.
	if _, err := e.RemoveArticle(ctx, coll, docs[0].URL, "", true); err != nil {
		t.Fatal(err)
	}
	after, err := retrieval.BlockPostings(ctx, e, coll, "harbour", bounds)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(after, before[1:]) {
		t.Errorf("harbour's postings read by the old bounds after its first passage went: %v, want %v", after, before[1:])
	}
}
