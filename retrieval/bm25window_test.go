package retrieval

import (
	"cmp"
	"math"
	"math/rand"
	"reflect"
	"slices"
	"sort"
	"testing"
)

// The reference the windows are checked against: each term's blocks joined into one list
// sorted by passage id, and the lists merged in id order (what the keyword arm did before).

// joinBlocks joins a term's blocks into one list sorted by passage id. Blocks may overlap
// (two writers' ids interleaved); then the list is sorted whole.
func joinBlocks(bs []blockRow) postingList {
	byFirst := func(a, b blockRow) int { return cmp.Compare(a.first, b.first) }
	if !slices.IsSortedFunc(bs, byFirst) {
		slices.SortFunc(bs, byFirst)
	}
	n := 0
	for _, b := range bs {
		n += len(b.ids)
	}
	// Sized once: a common term's list is thousands of postings, and growing it by
	// appends copied it again and again (memmove was an eighth of a search's CPU at 1M
	// passages; with sort.Slice's reflection, joins were a fifth).
	l := postingList{ids: make([]int64, 0, n), tfs: make([]int16, 0, n), lens: make([]int16, 0, n)}
	sorted := true
	for i, b := range bs {
		if i > 0 && b.first <= bs[i-1].last {
			sorted = false
		}
		l.ids, l.tfs, l.lens = append(l.ids, b.ids...), append(l.tfs, b.tfs...), append(l.lens, b.lens...)
	}
	if !sorted {
		sort.Sort(byPassage(l))
	}
	return l
}

// merge walks lists in passage id order and calls fn with each passage that some list
// holds (and allow, when not nil, holds) and its score summed over the lists in term order.
func (ls lexicalSearch) merge(lists []postingList, allow map[int64]bool, fn func(id int64, score float64)) {
	cur := make([]int, len(lists))
	for {
		next, found := int64(math.MaxInt64), false
		for t, l := range lists {
			if cur[t] < len(l.ids) && l.ids[cur[t]] < next {
				next, found = l.ids[cur[t]], true
			}
		}
		if !found {
			return
		}
		score := 0.0
		for t, l := range lists {
			if c := cur[t]; c < len(l.ids) && l.ids[c] == next {
				score += ls.score(ls.weights[t], float64(l.tfs[c]), float64(l.lens[c]))
				cur[t]++
			}
		}
		if allow == nil || allow[next] {
			fn(next, score)
		}
	}
}

// randomBlocks makes terms' postings over ids from base, in blocks of up to 128 (no id
// is in two of a term's blocks), the way term_blocks holds them. With writers > 1 each
// posting goes to one of that many writers' blocks, so that a term's blocks overlap, as
// when two imports' ids interleaved.
func randomBlocks(r *rand.Rand, terms int, base int64, span int, share []float64, writers int) [][]blockRow {
	blocks := make([][]blockRow, terms)
	for t := range terms {
		cur := make([]blockRow, writers)
		for x := range span {
			if r.Float64() >= share[t] {
				continue
			}
			c := &cur[r.Intn(writers)]
			c.ids = append(c.ids, base+int64(x))
			c.tfs = append(c.tfs, int16(1+r.Intn(6)))
			c.lens = append(c.lens, int16(5+r.Intn(300)))
			if len(c.ids) == 128 {
				blocks[t] = append(blocks[t], *c)
				*c = blockRow{}
			}
		}
		for _, c := range cur {
			if len(c.ids) > 0 {
				blocks[t] = append(blocks[t], c)
			}
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

// TestWindowsSumAsMergingDoes: a search sums its postings window by window of passage
// ids, term by term; every passage must come out with the score, to the last bit, and in
// the order that merging the terms' sorted lists gives, with and without a filter, over
// blocks that overlap and spans of many windows, most of them empty, so that the two ways
// rank alike (ties included). The pooled window must come back clean: each round reuses it.
func TestWindowsSumAsMergingDoes(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	for round := range 30 {
		terms := 1 + r.Intn(6)
		share := make([]float64, terms)
		ls := lexicalSearch{avglen: 120, weights: make([]float64, terms)}
		for i := range terms {
			share[i] = []float64{0.5, 0.2, 0.05, 0.002, 0.00005}[r.Intn(5)]
			ls.weights[i] = 0.1 + 5*r.Float64()
		}
		// Spans of one window to five, some sparse enough that most windows are empty.
		span := 1000 + r.Intn(5*windowIDs)
		blocks := randomBlocks(r, terms, int64(1+r.Intn(1e9)), span, share, 1+r.Intn(3))
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

		var got []scored
		ls.visit(blocks, allow, func(id int64, s float64) { got = append(got, scored{id, s}) })
		if !slices.Equal(got, want) {
			t.Fatalf("round %d (%d terms, span %d): windows gave %d passages, merging %d, or other scores", round, terms, span, len(got), len(want))
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

// TestNeededBlocksAreReadByRuns: a run of a term's needed blocks is read as one range; a
// block not needed ends a run; ranges of one term never overlap, even where two writers'
// blocks did, and every needed block's first id lies in exactly one range of its term.
func TestNeededBlocksAreReadByRuns(t *testing.T) {
	b := func(term int, first, last int64) blockRow { return blockRow{term: term, first: first, last: last} }
	bounds := []blockRow{
		b(1, 300, 390), b(0, 10, 19), b(0, 20, 29), b(0, 30, 39), b(0, 40, 49), b(0, 50, 59),
		b(1, 100, 250), b(1, 120, 200), b(1, 260, 290), // term 1: overlapping blocks
	}
	need := []bool{true, true, true, false, true, true, true, false, true}
	got := blockRanges(bounds, need)
	want := []blockRange{{0, 10, 29}, {0, 40, 59}, {1, 100, 250}, {1, 260, 390}}
	if !slices.Equal(got, want) {
		t.Fatalf("ranges %v, want %v", got, want)
	}
	// Term 1's unneeded block at 120 lies inside a needed one: it is read with it, once.
	r := rand.New(rand.NewSource(3))
	for round := range 200 {
		var bs []blockRow
		for term := range 3 {
			for w := range 1 + r.Intn(2) { // one or two writers' runs of blocks
				at := int64(w * r.Intn(50))
				for range r.Intn(20) {
					n := int64(1 + r.Intn(30))
					bs = append(bs, b(term, at, at+n))
					at += n + 1 + int64(r.Intn(5))
				}
			}
		}
		need := make([]bool, len(bs))
		for i := range need {
			need[i] = r.Intn(3) > 0
		}
		rs := blockRanges(bs, need)
		for i := 1; i < len(rs); i++ {
			if rs[i].term == rs[i-1].term && rs[i].first <= rs[i-1].last {
				t.Fatalf("round %d: ranges %v and %v of term %d overlap", round, rs[i-1], rs[i], rs[i].term)
			}
		}
		for i, blk := range bs {
			in := 0
			for _, rg := range rs {
				if rg.term == blk.term && blk.first >= rg.first && blk.first <= rg.last {
					in++
				}
			}
			if need[i] && in != 1 {
				t.Fatalf("round %d: needed block %v lies in %d ranges of %v", round, blk, in, rs)
			}
			if in > 1 {
				t.Fatalf("round %d: block %v lies in %d ranges", round, blk, in)
			}
		}
	}
}

// TestKthBestIsTheKthLargest: the floor a search prunes by is the k-th largest partial
// score, repeats counted, or 0 when there are fewer than k.
func TestKthBestIsTheKthLargest(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	for range 500 {
		scores := make([]float64, r.Intn(60))
		for i := range scores {
			scores[i] = float64(r.Intn(20)) / 4
		}
		k := 1 + r.Intn(30)
		want := 0.0
		if len(scores) >= k {
			c := slices.Clone(scores)
			slices.Sort(c)
			want = c[len(c)-k]
		}
		if got := kthBest(scores, k); got != want {
			t.Fatalf("kthBest(%v, %d) = %v, want %v", scores, k, got, want)
		}
	}
}

// groupByTerm puts each kept term's rows together in their order, the others after, and
// caps each group so that appending to one cannot overwrite the next; a search reuses its
// array, so stale rows from a larger search must not show through.
func TestGroupByTermKeepsOrderAndBounds(t *testing.T) {
	row := func(term int, first int64) blockRow { return blockRow{term: term, first: first} }
	rows := []blockRow{row(2, 10), row(0, 1), row(1, 5), row(2, 11), row(0, 2), row(1, 6)}
	stale := make([]blockRow, 10)
	for i := range stale {
		stale[i] = row(9, -1)
	}
	groups, rest, buf := groupByTerm(rows, stale, 3, []bool{true, false, true})
	firsts := func(bs []blockRow) (out []int64) {
		for _, b := range bs {
			out = append(out, b.first)
		}
		return out
	}
	if got := [][]int64{firsts(groups[0]), firsts(groups[1]), firsts(groups[2]), firsts(rest)}; !reflect.DeepEqual(got, [][]int64{{1, 2}, nil, {10, 11}, {5, 6}}) {
		t.Fatalf("groups and rest by first id: %v", got)
	}
	if len(buf) != len(rows) {
		t.Errorf("buffer of %d rows returned, want %d", len(buf), len(rows))
	}
	groups[0] = append(groups[0], row(0, 3))
	if groups[2][0].first != 10 {
		t.Errorf("appending to term 0's group overwrote term 2's: %v", firsts(groups[2]))
	}
	all, rest, _ := groupByTerm(rows, nil, 3, nil)
	if len(rest) != 0 || !reflect.DeepEqual(firsts(all[1]), []int64{5, 6}) {
		t.Errorf("with no keep every term is grouped: %v, rest %v", firsts(all[1]), firsts(rest))
	}
}
