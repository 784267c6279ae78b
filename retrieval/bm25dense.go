package retrieval

import (
	"container/heap"
	"math/bits"
	"sync"
)

// Term at a time: a search's postings are summed into a table indexed by passage id, one
// term after another in the question's term order, instead of merging the terms' lists in id
// order. Each passage's score is the same sum, added in the same order, as merge makes it,
// so the two rank alike to the last bit; the table only costs less per posting. A question
// of common words reads hundreds of thousands of postings at 1M passages: merging them, and
// joining each term's blocks into one sorted list first, took most of the 110 ms of Go CPU of
// the slowest questions (README, "Scale").

// denseSpanMax is the widest span of passage ids a search sums in a table (8 bytes of score
// and a bit a passage: 32 MB at most, reused across searches).
const denseSpanMax = 1 << 22

// denseMinFill is the span a table may have per posting summed into it, beyond the first
// denseSpanFree ids. Scanning a table costs about what summing a posting does per 8 to 16
// ids, so a sparser table (a collection whose ids are spread among other collections', or a
// few rare postings far apart) is merged instead.
const (
	denseMinFill  = 16
	denseSpanFree = 1 << 16
)

// scoreTable holds the scores of the passages with ids in [base, base+span) and which of
// them some posting touched.
type scoreTable struct {
	base int64
	span int
	acc  []float64
	seen []uint64
}

var scoreTables = sync.Pool{New: func() any { return new(scoreTable) }}

// denseSpan returns the span of the ids in blocks and whether a table should sum them.
func denseSpan(blocks [][]blockRow) (lo int64, span int, ok bool) {
	n := 0
	lo, hi := int64(0), int64(-1)
	for _, bs := range blocks {
		for _, b := range bs {
			if len(b.ids) == 0 {
				continue
			}
			first, last := b.ids[0], b.ids[len(b.ids)-1]
			if n == 0 || first < lo {
				lo = first
			}
			if n == 0 || last > hi {
				hi = last
			}
			n += len(b.ids)
		}
	}
	if n == 0 || hi < lo {
		return 0, 0, false
	}
	w := hi - lo + 1
	if w > denseSpanMax || w > int64(denseMinFill)*int64(n)+denseSpanFree {
		return 0, 0, false
	}
	return lo, int(w), true
}

// sum adds every posting of blocks to a table over [lo, lo+span), term by term.
func (ls lexicalSearch) sum(blocks [][]blockRow, lo int64, span int) *scoreTable {
	st := scoreTables.Get().(*scoreTable)
	if cap(st.acc) < span {
		st.acc = make([]float64, span)
		st.seen = make([]uint64, (span+63)/64)
	}
	st.base, st.span = lo, span
	acc, seen := st.acc[:span], st.seen[:(span+63)/64]
	for t, bs := range blocks {
		w := ls.weights[t]
		for _, b := range bs {
			for i, id := range b.ids {
				x := id - lo
				acc[x] += ls.score(w, float64(b.tfs[i]), float64(b.lens[i]))
				seen[x>>6] |= 1 << (x & 63)
			}
		}
	}
	return st
}

// each calls fn with every touched passage that allow (when not nil) holds, in id order.
func (st *scoreTable) each(allow map[int64]bool, fn func(id int64, score float64)) {
	for i, word := range st.seen[:(st.span+63)/64] {
		for word != 0 {
			x := i<<6 + bits.TrailingZeros64(word)
			word &= word - 1
			if id := st.base + int64(x); allow == nil || allow[id] {
				fn(id, st.acc[x])
			}
		}
	}
}

// release clears the table and gives it back to the pool.
func (st *scoreTable) release() {
	clear(st.acc[:st.span])
	clear(st.seen[:(st.span+63)/64])
	scoreTables.Put(st)
}

// visit calls fn with every passage of blocks (among allow) and its score over them, in
// passage id order: by a table when the ids are dense enough, else by merging the terms'
// lists.
func (ls lexicalSearch) visit(blocks [][]blockRow, allow map[int64]bool, fn func(id int64, score float64)) {
	if lo, span, ok := denseSpan(blocks); ok {
		st := ls.sum(blocks, lo, span)
		st.each(allow, fn)
		st.release()
		return
	}
	lists := make([]postingList, len(blocks))
	for t, bs := range blocks {
		lists[t] = joinBlocks(bs)
	}
	ls.merge(lists, allow, fn)
}

// accumulateBlocks returns every passage of blocks (among allow) with its score over them,
// in passage id order.
func (ls lexicalSearch) accumulateBlocks(blocks [][]blockRow, allow map[int64]bool) ([]int64, []float64) {
	var ids []int64
	var scores []float64
	ls.visit(blocks, allow, func(id int64, score float64) {
		ids, scores = append(ids, id), append(scores, score)
	})
	return ids, scores
}

// topKBlocks returns the k best passages of blocks (among allow), best first.
func (ls lexicalSearch) topKBlocks(blocks [][]blockRow, k int, allow map[int64]bool) []hit {
	h := make(worstFirst, 0, k+1)
	ls.visit(blocks, allow, func(id int64, score float64) {
		c := hit{chunkID: id, score: score}
		if len(h) < k {
			heap.Push(&h, c)
		} else if better(c, h[0]) {
			h[0] = c
			heap.Fix(&h, 0)
		}
	})
	out := make([]hit, len(h))
	for i := len(h) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&h).(hit)
	}
	return out
}
