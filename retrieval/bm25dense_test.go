package retrieval

import (
	"math/rand"
	"slices"
	"testing"
)

// randomBlocks makes terms' postings over ids from base, in blocks of up to 128 (a term's
// ids ascend and no id is in two of its blocks), the way term_blocks holds them.
func randomBlocks(r *rand.Rand, terms int, base int64, span int, share []float64) [][]blockRow {
	blocks := make([][]blockRow, terms)
	for t := range terms {
		var cur blockRow
		for x := range span {
			if r.Float64() >= share[t] {
				continue
			}
			cur.ids = append(cur.ids, base+int64(x))
			cur.tfs = append(cur.tfs, int16(1+r.Intn(6)))
			cur.lens = append(cur.lens, int16(5+r.Intn(300)))
			if len(cur.ids) == 128 {
				blocks[t] = append(blocks[t], cur)
				cur = blockRow{}
			}
		}
		if len(cur.ids) > 0 {
			blocks[t] = append(blocks[t], cur)
		}
		for i := range blocks[t] {
			b := &blocks[t][i]
			b.term, b.first, b.last, b.n = t, b.ids[0], b.ids[len(b.ids)-1], len(b.ids)
		}
		// Blocks come from Postgres in no particular order.
		r.Shuffle(len(blocks[t]), func(i, j int) { blocks[t][i], blocks[t][j] = blocks[t][j], blocks[t][i] })
	}
	return blocks
}

type scored struct {
	id    int64
	score float64
}

// TestTheScoreTableSumsAsMergingDoes: a search sums its postings in a table by passage id,
// term by term; every passage must come out with the score, to the last bit, and in the
// order that merging the terms' sorted lists gives, with and without a filter, so that the
// two ways rank alike (ties included).
func TestTheScoreTableSumsAsMergingDoes(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for round := range 40 {
		terms := 1 + r.Intn(6)
		share := make([]float64, terms)
		ls := lexicalSearch{avglen: 120, weights: make([]float64, terms)}
		for i := range terms {
			share[i] = []float64{0.9, 0.3, 0.05, 0.002}[r.Intn(4)]
			ls.weights[i] = 0.1 + 5*r.Float64()
		}
		span := 1000 + r.Intn(30000)
		blocks := randomBlocks(r, terms, int64(1+r.Intn(1e9)), span, share)
		var allow map[int64]bool
		if round%3 == 2 {
			allow = map[int64]bool{}
			for _, bs := range blocks {
				for _, b := range bs {
					for _, id := range b.ids {
						if r.Intn(4) == 0 {
							allow[id] = true
						}
					}
				}
			}
		}
		var want []scored
		lists := make([]postingList, terms)
		for i, bs := range blocks {
			lists[i] = joinBlocks(slices.Clone(bs))
		}
		ls.merge(lists, allow, func(id int64, s float64) { want = append(want, scored{id, s}) })

		lo, w, ok := denseSpan(blocks)
		if !ok {
			continue
		}
		var got []scored
		st := ls.sum(blocks, lo, w)
		st.each(allow, func(id int64, s float64) { got = append(got, scored{id, s}) })
		st.release()
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d terms, span %d): the table gave %d passages, merging %d, or other scores", round, terms, span, len(got), len(want))
		}
		// The pooled table comes back clean: a second search over other ids sees only its own.
		other := randomBlocks(r, 1, lo+int64(w)/2, 50, []float64{0.5})
		var again []scored
		ls.visit(other, nil, func(id int64, s float64) { again = append(again, scored{id, s}) })
		if n := len(slices.Concat(func() [][]int64 {
			var ids [][]int64
			for _, b := range other[0] {
				ids = append(ids, b.ids)
			}
			return ids
		}()...)); len(again) != n {
			t.Fatalf("round %d: a reused table gave %d passages for a search of %d postings", round, len(again), n)
		}

		k := 1 + r.Intn(20)
		top := ls.topKBlocks(blocks, k, allow)
		slices.SortFunc(want, func(a, b scored) int {
			if better(hit{chunkID: a.id, score: a.score}, hit{chunkID: b.id, score: b.score}) {
				return -1
			}
			return 1
		})
		if len(top) != min(k, len(want)) {
			t.Fatalf("round %d: top %d gave %d", round, k, len(top))
		}
		for i, h := range top {
			if h.chunkID != want[i].id || h.score != want[i].score {
				t.Fatalf("round %d: top %d's %d is %d (%v), merging ranks %d (%v) there", round, k, i, h.chunkID, h.score, want[i].id, want[i].score)
			}
		}
	}
}

// TestSparseIdsAreMergedNotTabled: a table is used only where the ids are dense enough to
// pay for scanning it; a few postings spread over a wide span are merged.
func TestSparseIdsAreMergedNotTabled(t *testing.T) {
	b := func(ids ...int64) []blockRow {
		return []blockRow{{ids: ids, tfs: make([]int16, len(ids)), lens: make([]int16, len(ids))}}
	}
	if _, _, ok := denseSpan([][]blockRow{b(10, 20, 30)}); !ok {
		t.Error("three postings within 21 ids were not tabled")
	}
	if _, _, ok := denseSpan([][]blockRow{b(10), b(10 + 1<<20)}); ok {
		t.Error("two postings a million ids apart were tabled")
	}
	if _, _, ok := denseSpan([][]blockRow{b(), nil}); ok {
		t.Error("no postings were tabled")
	}
	lo, w, ok := denseSpan([][]blockRow{b(500, 900), b(400)})
	if !ok || lo != 400 || w != 501 {
		t.Errorf("span of 400..900 = %d+%d (%v)", lo, w, ok)
	}
}
