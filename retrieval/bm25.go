package retrieval

import (
	"cmp"
	"container/heap"
	"context"
	"math"
	"slices"
	"sort"
)

// The keyword arm: exact top-k BM25 over the blocks of term_blocks (migration 016), with
// MaxScore-style pruning by the blocks' bounds.
//
//  1. The question's rarest terms, up to fullReadPostings postings in all, are read whole,
//     and of the others only the blocks' bounds (first and last passage id, largest tf,
//     smallest length). One round trip.
//  2. The rare terms' passages are the candidates, each with a partial score; the k-th best
//     is a floor under the final k-th score. A passage can only reach it with the common
//     terms' help: its partial score plus the bounds of the common terms' blocks covering it.
//     Only the blocks covering a passage (a candidate, or any passage between the candidates)
//     that can reach the floor are read, a run of a term's needed blocks at a time
//     (blockRanges). A second round trip, or none.
//  3. Every passage whose true score reaches the floor now has all its postings read, so the
//     top k of the scores summed over what was read is the exact top k.
//
// Scores are summed window by window of passage ids and, within a window, term by term in
// the question's term order (bm25window.go), so they are reproducible; ties go to the lower
// passage id, as the SQL BM25 this replaced ordered them.

// fullReadPostings is how many postings of its rarest terms a search reads whole before
// pruning by bounds. More makes a sharper floor for pruning the common terms, and lets
// more questions finish in one round trip, at the price of reading rare terms' postings
// that pruning might have skipped.
const fullReadPostings = 16384

// filterSetMax is the most passages a filter may pass for a search to read them all and
// rank only those; a wider filter ranks without it, more passages at a time until enough of
// the best pass. Higher makes wide filters cheaper to rank and their passage list dearer to
// read.
const filterSetMax = 20000

// boundSlack widens bounds and lowers floors by a relative margin, so that rounding in
// sums of bounds never prunes a passage whose exact score reaches the floor.
const boundSlack = 1e-9

// lexicalSearch is one question's BM25 weights over a collection.
type lexicalSearch struct {
	terms   []string  // the question's terms (q.terms)
	weights []float64 // idf × qtf, in terms' order; 0 for a term no passage holds or of no weight
	df      []float64
	maxTF   []int32
	minLen  []int32
	avglen  float64
	// fullRead and filterMax are fullReadPostings and filterSetMax (tests lower them).
	fullRead, filterMax int
}

// newLexicalSearch returns q's weights, and false when no term can score.
func newLexicalSearch(q queryTerms) (lexicalSearch, bool) {
	ls := lexicalSearch{terms: q.terms, df: q.df, maxTF: q.maxTF, minLen: q.minLen, avglen: q.avglen,
		weights: make([]float64, len(q.terms)), fullRead: fullReadPostings, filterMax: filterSetMax}
	scorable := false
	for i := range q.terms {
		if q.idf[i] > 0 && q.df[i] > 0 && i < len(q.maxTF) {
			ls.weights[i] = q.idf[i] * q.qtf[i]
			scorable = true
		}
	}
	return ls, scorable && q.n > 0 && q.avglen > 0
}

// score is one term's BM25 contribution: the formula, and the order of its operations, of
// the SQL it replaced.
func (ls lexicalSearch) score(w float64, tf, dl float64) float64 {
	return w * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/ls.avglen))
}

// bound is the most a passage in a block (or of a term) whose largest tf is maxTF and
// smallest length minLen can get from term t.
func (ls lexicalSearch) bound(t int, maxTF, minLen int32) float64 {
	return ls.score(ls.weights[t], float64(maxTF), float64(minLen)) * (1 + boundSlack)
}

// searchLexical ranks the passages of coll that pass f with BM25 and returns the best k.
func (s *Store) searchLexical(ctx context.Context, coll string, q queryTerms, f Filter, k int) ([]hit, error) {
	ls, ok := newLexicalSearch(q)
	if !ok || k <= 0 {
		return nil, nil
	}
	return s.rankLexical(ctx, coll, ls, f, k)
}

// rankLexical is searchLexical with the weights worked out.
func (s *Store) rankLexical(ctx context.Context, coll string, ls lexicalSearch, f Filter, k int) ([]hit, error) {
	cond, _ := filterSQL(f, 1)
	if cond == "" {
		return s.lexicalTopK(ctx, coll, ls, k, nil)
	}
	ids, err := s.filterPassages(ctx, coll, f, ls.filterMax+1)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) <= ls.filterMax {
		return s.lexicalTopK(ctx, coll, ls, k, idSet(ids))
	}
	// A wide filter: rank without it, 4k at a time more, until k of the best pass (or no
	// passage is left). The first k that pass among the best n are the best k that pass.
	for n := 4 * k; ; n *= 4 {
		hits, err := s.lexicalTopK(ctx, coll, ls, n, nil)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.chunkID
		}
		pass, err := s.passingFilter(ctx, coll, f, ids)
		if err != nil {
			return nil, err
		}
		var out []hit
		for _, h := range hits {
			if pass[h.chunkID] && len(out) < k {
				out = append(out, h)
			}
		}
		if len(out) == k || len(hits) < n {
			return out, nil
		}
	}
}

// lexicalTopK returns the k best passages of coll by ls, among allow when it is not nil.
func (s *Store) lexicalTopK(ctx context.Context, coll string, ls lexicalSearch, k int, allow map[int64]bool) ([]hit, error) {
	// Step 1: the rarest terms whole, the others' bounds.
	var active []int
	for t, w := range ls.weights {
		if w > 0 {
			active = append(active, t)
		}
	}
	sort.SliceStable(active, func(a, b int) bool { return ls.df[active[a]] < ls.df[active[b]] })
	full := make([]bool, len(ls.terms))
	read := 0.0
	for i, t := range active {
		if i > 0 && read+ls.df[t] > float64(ls.fullRead) {
			break
		}
		full[t], read = true, read+ls.df[t]
	}
	var terms []string
	var isFull []bool
	for _, t := range active {
		terms, isFull = append(terms, ls.terms[t]), append(isFull, full[t])
	}
	mem := postingArenas.Get().(*postingArena)
	defer mem.release()
	rows, err := s.readBlocks(ctx, coll, terms, isFull, mem)
	if err != nil {
		return nil, err
	}
	// readBlocks numbers terms by their place in active.
	for i := range rows {
		rows[i].term = active[rows[i].term]
	}
	blocks, bounds, grouped := groupByTerm(rows, mem.grouped, len(ls.terms), full)
	mem.grouped = grouped
	if len(bounds) == 0 {
		return ls.topKBlocks(blocks, k, allow), nil
	}

	// Step 2: the floor, and the common terms' blocks that can lift a passage to it.
	cands, partial := ls.accumulateBlocks(blocks, allow, mem)
	floor := kthBest(partial, k) * (1 - boundSlack)
	if runs := blockRanges(bounds, ls.neededBlocks(bounds, cands, partial, floor, mem)); len(runs) > 0 {
		more, err := s.readBlockPostings(ctx, coll, ls.terms, runs, mem)
		if err != nil {
			return nil, err
		}
		byTerm, _, grouped := groupByTerm(more, mem.grouped2, len(ls.terms), nil)
		mem.grouped2 = grouped
		for t, bs := range byTerm {
			// A term is read whole in step 1 or by its bounds here, never both; were it
			// both, append copies (each term's group is capped at its length).
			blocks[t] = append(blocks[t], bs...)
		}
	}
	// Step 3.
	return ls.topKBlocks(blocks, k, allow), nil
}

// groupByTerm copies rows into buf (grown as needed; returned for reuse): the rows of the
// terms whose keep[t] is set (every term's, for a nil keep) grouped by term, groups[t] in
// the rows' order and capped at its length, then the others (rest). A common term has
// thousands of blocks: counted first, so that nothing grows by doubling.
func groupByTerm(rows, buf []blockRow, terms int, keep []bool) (groups [][]blockRow, rest, _ []blockRow) {
	kept := func(t int) bool { return keep == nil || keep[t] }
	next := make([]int, terms+1) // first the count of each term, then where its next row goes
	nKept := 0
	for _, r := range rows {
		if kept(r.term) {
			next[r.term]++
			nKept++
		}
	}
	buf = resize(buf, len(rows))
	groups = make([][]blockRow, terms)
	at := 0
	for t := range terms {
		n := next[t]
		groups[t], next[t] = buf[at:at+n:at+n], at
		at += n
	}
	other := nKept
	for _, r := range rows {
		if kept(r.term) {
			buf[next[r.term]] = r
			next[r.term]++
		} else {
			buf[other] = r
			other++
		}
	}
	return groups, buf[nKept:], buf
}

// neededBlocks tells which blocks among bounds (common terms' blocks, postings not read)
// cover a passage whose bound reaches floor: a candidate's partial score plus the
// bounds of the blocks covering it, or, for a passage no read term holds, those bounds
// alone.
func (ls lexicalSearch) neededBlocks(bounds []blockRow, cands []int64, partial []float64, floor float64, mem *postingArena) []bool {
	need := resize(mem.need, len(bounds))
	mem.need = need
	clear(need)
	if floor <= 0 {
		for i := range need {
			need[i] = true
		}
		return need
	}
	// The blocks' ends cut the ids into segments over which the sum of the bounds of the
	// blocks covering an id is constant: sum[i] over [pts[i], pts[i+1]).
	pts := resize(mem.pts, 2*len(bounds))[:0]
	for _, b := range bounds {
		pts = append(pts, b.first, b.last+1)
	}
	slices.Sort(pts)
	pts = compact(pts)
	mem.pts = pts
	seg := func(x int64) int { return sort.Search(len(pts), func(i int) bool { return pts[i] > x }) - 1 }
	diff := resize(mem.diff, len(pts)+1)
	mem.diff = diff
	clear(diff)
	for _, b := range bounds {
		ub := ls.bound(b.term, b.maxTF, b.minLen)
		diff[seg(b.first)] += ub
		diff[seg(b.last+1)] -= ub
	}
	sum := resize(mem.sum, len(pts))
	liveBefore := resize(mem.liveBefore, len(pts)+1) // live segments before segment i
	mem.sum, mem.liveBefore = sum, liveBefore
	liveBefore[0] = 0
	acc := 0.0
	for i := range pts {
		acc += diff[i]
		sum[i] = acc * (1 + boundSlack)
		liveBefore[i+1] = liveBefore[i]
		if sum[i] >= floor {
			liveBefore[i+1]++
		}
	}
	live := mem.live[:0] // candidates whose bound reaches floor, sorted
	for i, x := range cands {
		if j := seg(x); j >= 0 && partial[i]+sum[j] >= floor {
			live = append(live, x)
		}
	}
	mem.live = live
	for j, b := range bounds {
		lo, hi := seg(b.first), seg(b.last+1)
		if liveBefore[hi]-liveBefore[lo] > 0 {
			need[j] = true
			continue
		}
		if i := sort.Search(len(live), func(i int) bool { return live[i] >= b.first }); i < len(live) && live[i] <= b.last {
			need[j] = true
		}
	}
	return need
}

// blockRange is a span of passage ids whose blocks of term a search reads: every block
// of the term whose first id lies in [first, last].
type blockRange struct {
	term        int
	first, last int64
}

// blockRanges turns the blocks among bounds that need reads into as few ranges as cover
// them: a run of a term's needed blocks, with no block between them that is not needed,
// is one range. A common term's blocks are mostly all needed, and Postgres reads one range
// of a term's rows for a fraction of what it costs to look each block up by its own range
// (5,837 blocks at 1M passages: 7 ms against 57). Ranges of one term never overlap (where
// two writers' blocks overlapped, the ranges are joined), so no block is read twice; a
// range may take in a block not needed, whose postings then only add to what is known.
func blockRanges(bounds []blockRow, need []bool) []blockRange {
	order := make([]int, len(bounds))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(bounds[a].term, bounds[b].term), cmp.Compare(bounds[a].first, bounds[b].first))
	})
	var out []blockRange
	open := false // the last range may take the next block of its term
	for _, i := range order {
		b := bounds[i]
		if !need[i] {
			open = false
			continue
		}
		last := len(out) - 1
		switch {
		case last >= 0 && out[last].term == b.term && (open || b.first <= out[last].last):
			out[last].last = max(out[last].last, b.last)
		default:
			out = append(out, blockRange{term: b.term, first: b.first, last: b.last})
		}
		open = true
	}
	return out
}

// compact drops repeats from sorted xs.
func compact(xs []int64) []int64 {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// kthBest is the k-th largest of scores, or 0 when there are fewer.
func kthBest(scores []float64, k int) float64 {
	if len(scores) < k {
		return 0
	}
	if k <= 0 {
		return math.Inf(1)
	}
	// The k largest in a heap whose top is the least of them: O(n log k), not a sort of
	// every candidate (tens of thousands for a common rarest term).
	h := leastFirst(slices.Clone(scores[:k]))
	heap.Init(&h)
	for _, x := range scores[k:] {
		if x > h[0] {
			h[0] = x
			heap.Fix(&h, 0)
		}
	}
	return h[0]
}

// leastFirst is a heap of scores whose top is the least.
type leastFirst []float64

func (h leastFirst) Len() int           { return len(h) }
func (h leastFirst) Less(i, j int) bool { return h[i] < h[j] }
func (h leastFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *leastFirst) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *leastFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// postingList is one term's postings read, sorted by passage id.
type postingList struct {
	ids       []int64
	tfs, lens []int16
}

// byPassage sorts a posting list by passage id.
type byPassage postingList

func (l byPassage) Len() int           { return len(l.ids) }
func (l byPassage) Less(i, j int) bool { return l.ids[i] < l.ids[j] }
func (l byPassage) Swap(i, j int) {
	l.ids[i], l.ids[j] = l.ids[j], l.ids[i]
	l.tfs[i], l.tfs[j] = l.tfs[j], l.tfs[i]
	l.lens[i], l.lens[j] = l.lens[j], l.lens[i]
}

// better tells whether a ranks before b: a higher score, or the same and a lower id.
func better(a, b hit) bool {
	return a.score > b.score || (a.score == b.score && a.chunkID < b.chunkID)
}

// worstFirst is a heap of hits whose top is the one ranked last.
type worstFirst []hit

func (h worstFirst) Len() int           { return len(h) }
func (h worstFirst) Less(i, j int) bool { return better(h[j], h[i]) }
func (h worstFirst) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *worstFirst) Push(x any)        { *h = append(*h, x.(hit)) }
func (h *worstFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
