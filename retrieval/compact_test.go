package retrieval_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestCompactionPacksEveryTermFull: after a keyword rebuild, compactBlocks rewrites each
// term's blocks full (128 postings, only the last short), a batch of terms at a time,
// unpacking and packing in Go, and keeps every posting as it was.
func TestCompactionPacksEveryTermFull(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	var docs []doc
	for i := range 150 {
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/tide-%d", i), Title: fmt.Sprintf("Tide table %d", i),
			Text: fmt.Sprintf("The harbour tide rose %d centimetres on day %d, the pilots said.", i%9, i)})
	}
	importDocs(t, e, coll, docs...)
	c := conn(t)
	postings := func() string {
		t.Helper()
		var s string
		if err := c.QueryRow(ctx, `SELECT string_agg(concat_ws(':', term, chunk_id, tf, doc_len), ' ' ORDER BY term, chunk_id)
			FROM postings WHERE collection = $1`, coll).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := postings()
	// What a rebuild's batches leave: every posting in a block of its own.
	for _, q := range []string{
		`CREATE TEMP TABLE split AS SELECT b.term, u.* FROM term_blocks b, footnote_unpack_postings(b.first_id, b.postings) AS u
		 WHERE b.collection = $1`,
		`DELETE FROM term_blocks WHERE collection = $1`,
		`INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, n, postings)
		 SELECT $1, term, chunk_id, chunk_id, tf, doc_len, 1, footnote_pack_postings(ARRAY[chunk_id], ARRAY[tf], ARRAY[doc_len])
		 FROM split`,
	} {
		if _, err := c.Exec(ctx, q, coll); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if n := count(t, c, `SELECT count(*) FROM term_blocks WHERE collection = $1 AND n = 1`, coll); n < 1000 {
		t.Fatalf("%d one-posting blocks, want over 1,000", n)
	}
	// 7 blocks a batch: most terms' 150 one-posting blocks span several batches.
	if err := retrieval.CompactBlocks(ctx, e, coll, 7); err != nil {
		t.Fatal(err)
	}
	if got := postings(); got != before {
		t.Error("postings after compaction differ from before")
	}
	if n := count(t, c, `SELECT count(*) FROM (SELECT term FROM term_blocks WHERE collection = $1 AND n < 128
		GROUP BY term HAVING count(*) > 1) short`, coll); n != 0 {
		t.Errorf("%d terms have several short blocks", n)
	}
	if n := count(t, c, `SELECT count(*) FROM term_blocks b JOIN term_stats s USING (collection, term)
		WHERE b.collection = $1 AND b.first_id = (SELECT min(first_id) FROM term_blocks x WHERE x.collection = $1 AND x.term = b.term)
		  AND b.n <> least(s.df, 128)`, coll); n != 0 {
		t.Errorf("%d terms' first blocks are not full", n)
	}
	if got := searchURLs(t, e, coll, "harbour tide"); len(got) == 0 {
		t.Error("a search after compaction finds nothing")
	}
}

func searchURLs(t *testing.T, e *retrieval.Engine, coll, q string) []string {
	t.Helper()
	return urls(search(t, e, coll, q, 5, retrieval.Filter{}))
}
