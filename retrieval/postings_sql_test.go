package retrieval_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

// TestGoAndSQLPackPostingsAlike: retrieval packs and unpacks a block's postings in Go (the
// search, imports, compaction) and migration 019's footnote_pack_postings and
// footnote_unpack_postings do in SQL (chunks' delete trigger, the postings view, the
// migration). Each must read what the other writes, byte for byte.
func TestGoAndSQLPackPostingsAlike(t *testing.T) {
	ctx := context.Background()
	c := conn(t)
	r := rand.New(rand.NewPCG(1, 2))
	type block struct {
		ids       []int64
		tfs, lens []int32
	}
	blocks := []block{
		{[]int64{1}, []int32{1}, []int32{1}},
		{[]int64{5, 6, 7}, []int32{0, 127, 128}, []int32{32767, 16383, 16384}},
		{[]int64{9, 9 + 1<<33, 1 << 62, math.MaxInt64}, []int32{2, 3, 4, 5}, []int32{300, 20, 1, 0}},
	}
	for range 20 { // random blocks of up to 128 postings, gaps from 1 to 2^40
		n := 1 + r.IntN(128)
		b := block{ids: make([]int64, n), tfs: make([]int32, n), lens: make([]int32, n)}
		id := r.Int64N(1 << 40)
		for i := range n {
			id += 1 + r.Int64N(int64(1)<<r.IntN(41))
			b.ids[i], b.tfs[i], b.lens[i] = id, r.Int32N(32768), r.Int32N(32768)
		}
		blocks = append(blocks, b)
	}
	for i, b := range blocks {
		goPacked, err := retrieval.PackPostings(b.ids[0], b.ids, b.tfs, b.lens)
		if err != nil {
			t.Fatal(err)
		}
		var sqlPacked []byte
		if err := c.QueryRow(ctx, `SELECT footnote_pack_postings($1, $2, $3)`, b.ids, b.tfs, b.lens).Scan(&sqlPacked); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(goPacked, sqlPacked) {
			t.Errorf("block %d: Go packs %x, SQL %x", i, goPacked, sqlPacked)
		}
		// SQL unpacks what Go packed...
		var ids []int64
		var tfs, lens []int32
		if err := c.QueryRow(ctx, `SELECT array_agg(chunk_id ORDER BY chunk_id), array_agg(tf ORDER BY chunk_id),
			array_agg(doc_len ORDER BY chunk_id) FROM footnote_unpack_postings($1, $2)`, b.ids[0], goPacked).Scan(&ids, &tfs, &lens); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids, b.ids) || !slices.Equal(tfs, b.tfs) || !slices.Equal(lens, b.lens) {
			t.Errorf("block %d: SQL unpacks Go's bytes to other postings", i)
		}
		// ...and Go what SQL packed.
		gIDs, gTFs, gLens, err := retrieval.UnpackPostings(b.ids[0], len(b.ids), sqlPacked)
		if err != nil {
			t.Fatalf("block %d: %v", i, err)
		}
		for j := range b.ids {
			if gIDs[j] != b.ids[j] || int32(gTFs[j]) != b.tfs[j] || int32(gLens[j]) != b.lens[j] {
				t.Fatalf("block %d posting %d: Go unpacks SQL's bytes to (%d, %d, %d), want (%d, %d, %d)",
					i, j, gIDs[j], gTFs[j], gLens[j], b.ids[j], b.tfs[j], b.lens[j])
			}
		}
	}

	t.Run("SQL refuses what Go refuses", func(t *testing.T) {
		for _, q := range []string{
			`SELECT footnote_pack_postings('{5,4}', '{1,1}', '{1,1}')`,
			`SELECT footnote_pack_postings('{5}', '{32768}', '{1}')`,
			`SELECT footnote_pack_postings('{5}', '{1}', '{-1}')`,
			`SELECT footnote_pack_postings('{5,6}', '{1}', '{1,1}')`,
			`SELECT count(*) FROM footnote_unpack_postings(1, '\x0001ac')`, // cut inside a varint
		} {
			if _, err := c.Exec(ctx, q); err == nil {
				t.Errorf("%s: no error", q)
			}
		}
	})
}
