package retrieval

import (
	"cmp"
	"container/heap"
	"math/bits"
	"slices"
	"sync"
)

// Window at a time: a search's postings are summed into a small table indexed by passage
// id, one window of ids after another, and within a window term by term in the question's
// term order. Each passage's score is the same sum, added in the same order, as merging the
// terms' id-sorted lists makes it, and passages come out in id order, so the two rank alike
// to the last bit (a test compares them); the table only costs less per posting. A question
// of common words reads hundreds of thousands of postings at 1M passages: joining each
// term's blocks into one sorted list and merging the lists took most of the 110 ms of Go
// CPU of the slowest questions (README, "Scale"). One table over the whole span of ids was
// faster than merging but slower than windows: every posting then missed the CPU's caches,
// and a fresh 8 MB table a search cost more to clear than to fill.

// windowIDs is the span of passage ids one window covers: its scores (8 bytes each) fit a
// core's L2 cache.
const windowIDs = 1 << 15

// scoreWindow holds the scores of the passages with ids in [base, base+windowIDs) and which
// of them some posting touched.
type scoreWindow struct {
	acc  [windowIDs]float64
	seen [windowIDs / 64]uint64
}

var scoreWindows = sync.Pool{New: func() any { return new(scoreWindow) }}

// termCursor walks one term's blocks in id order: blocks sorted by first id, and where
// each has got to (blocks of one term may overlap when two writers' ids interleaved).
type termCursor struct {
	blocks []blockRow
	at     []int
	front  int // blocks before it are used up
}

// next is the lowest id not yet summed, and false when none is left.
func (c *termCursor) next() (int64, bool) {
	best, found := int64(0), false
	for i := c.front; i < len(c.blocks); i++ {
		b := &c.blocks[i]
		if found && b.first > best {
			break // sorted by first: no later block holds a lower id
		}
		if c.at[i] < len(b.ids) {
			if id := b.ids[c.at[i]]; !found || id < best {
				best, found = id, true
			}
		}
	}
	return best, found
}

// visit calls fn with every passage of blocks (blocks[t] are term t's; among allow, when
// not nil) and its score summed over the terms in term order, in passage id order.
func (ls lexicalSearch) visit(blocks [][]blockRow, allow map[int64]bool, fn func(id int64, score float64)) {
	byFirst := func(a, b blockRow) int { return cmp.Compare(a.first, b.first) }
	curs := make([]termCursor, len(blocks))
	for t, bs := range blocks {
		if !slices.IsSortedFunc(bs, byFirst) {
			slices.SortFunc(bs, byFirst)
		}
		curs[t] = termCursor{blocks: bs, at: make([]int, len(bs))}
	}
	win := scoreWindows.Get().(*scoreWindow)
	defer scoreWindows.Put(win)
	for {
		base, found := int64(0), false
		for t := range curs {
			if id, ok := curs[t].next(); ok && (!found || id < base) {
				base, found = id, true
			}
		}
		if !found {
			return
		}
		end := base + windowIDs
		lo, hi := windowIDs, -1 // touched offsets
		for t := range curs {
			c, w := &curs[t], ls.weights[t]
			for i := c.front; i < len(c.blocks) && c.blocks[i].first < end; i++ {
				b := &c.blocks[i]
				j := c.at[i]
				for ; j < len(b.ids) && b.ids[j] < end; j++ {
					x := int(b.ids[j] - base)
					win.acc[x] += ls.score(w, float64(b.tfs[j]), float64(b.lens[j]))
					win.seen[x>>6] |= 1 << (x & 63)
					lo, hi = min(lo, x), max(hi, x)
				}
				c.at[i] = j
			}
			for c.front < len(c.blocks) && c.at[c.front] == len(c.blocks[c.front].ids) {
				c.front++
			}
		}
		for wi := lo >> 6; wi <= hi>>6; wi++ {
			word := win.seen[wi]
			win.seen[wi] = 0
			for word != 0 {
				x := wi<<6 + bits.TrailingZeros64(word)
				word &= word - 1
				s := win.acc[x]
				win.acc[x] = 0
				if id := base + int64(x); allow == nil || allow[id] {
					fn(id, s)
				}
			}
		}
	}
}

// accumulateBlocks returns every passage of blocks (among allow) with its score over them,
// in passage id order, in arrays of mem.
func (ls lexicalSearch) accumulateBlocks(blocks [][]blockRow, allow map[int64]bool, mem *postingArena) ([]int64, []float64) {
	n := 0 // passages: at most the postings
	for _, bs := range blocks {
		for _, b := range bs {
			n += len(b.ids)
		}
	}
	ids, scores := resize(mem.cands, n)[:0], resize(mem.partial, n)[:0]
	ls.visit(blocks, allow, func(id int64, score float64) {
		ids, scores = append(ids, id), append(scores, score)
	})
	mem.cands, mem.partial = ids, scores
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

// postingArena holds the postings one search decodes, carved from a few large slabs that
// the next search reuses. Decoding each block into slices of its own allocated about 4 MB
// a search (9 MB for a question of common words at 1M passages), and the collector, run
// every few searches, took a sixth of the CPU of `footnote search`. It also keeps the
// search's other working arrays (the blocks' rows, the candidates, the floor's segments),
// which came to about 0.6 MB a search at 264k passages, most of what was left: the fewer
// bytes a search allocates, the less often the collector runs beside it.
type postingArena struct {
	ids  [][]int64
	vals [][]int16
	at   int // the slab being carved
	used int // postings carved from it

	rows, more        []blockRow // the two block reads' rows (readBlocks, readBlockPostings)
	grouped, grouped2 []blockRow // their rows grouped by term (groupByTerm)
	cands, live, pts  []int64
	partial, diff     []float64
	sum               []float64
	liveBefore        []int
	need              []bool
}

// resize returns buf with length n, reusing its array when it is large enough; the
// elements are not cleared.
func resize[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n, n+n/4)
	}
	return buf[:n]
}

// arenaSlab is the postings a new slab holds at least.
const arenaSlab = 1 << 16

var postingArenas = sync.Pool{New: func() any { return new(postingArena) }}

// take returns room for n postings: ids, tfs and lengths.
func (a *postingArena) take(n int) (ids []int64, tfs, lens []int16) {
	for a.at < len(a.ids) && len(a.ids[a.at])-a.used < n {
		a.at, a.used = a.at+1, 0
	}
	if a.at == len(a.ids) {
		size := max(n, arenaSlab)
		a.ids, a.vals = append(a.ids, make([]int64, size)), append(a.vals, make([]int16, 2*size))
		a.used = 0
	}
	ids = a.ids[a.at][a.used : a.used+n : a.used+n]
	vals := a.vals[a.at][2*a.used : 2*(a.used+n)]
	a.used += n
	return ids, vals[:n:n], vals[n:]
}

// release gives the arena back for another search; nothing it handed out may be used after.
func (a *postingArena) release() {
	a.at, a.used = 0, 0
	postingArenas.Put(a)
}
