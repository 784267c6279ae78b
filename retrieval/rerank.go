package retrieval

import (
	"sort"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// rerankDepth is how many fused candidates the reranker reads.
const rerankDepth = 30

// Reranking weights (see rerank).
// Measured on ../shared/data (see README): the sentence features lift hit@1 from 0.82
// (BM25 alone) to 0.85.
const (
	rerankBM25   = 0.5
	rerankSent   = 1.0
	rerankWindow = 1.0
	rerankPairs  = 0.2
)

// rerank reorders candidates by how closely the question's terms sit together in them.
// BM25 scores a passage as a bag of words; a question is usually answered by one or two
// sentences that hold most of its terms. So each candidate scores
//
//	rerankBM25 * bm25 / best bm25
//	+ rerankSent * the best single sentence's share of the question's IDF weight
//	+ rerankWindow * the best pair of adjacent sentences' share
//
// where a term in the article title counts half in every sentence (the title names what
// "it" refers to), plus rerankPairs times the share of the question's adjacent term pairs
// that stand side by side in the passage (a shared phrase). Results keep their fused score
// in Score.
func rerank(q queryTerms, res []Result, lex map[int64]float64) []Result {
	var total, bestLex float64
	w := make(map[string]float64, len(q.terms))
	for i, t := range q.terms {
		w[t] = q.idf[i] * q.qtf[i]
		total += w[t]
	}
	for _, s := range lex {
		bestLex = max(bestLex, s)
	}
	qpairs := map[[2]string]bool{}
	for i := 1; i < len(q.seq); i++ {
		qpairs[[2]string{q.seq[i-1], q.seq[i]}] = true
	}
	if total == 0 || len(res) < 2 {
		return res
	}
	type scored struct {
		r Result
		s float64
	}
	out := make([]scored, len(res))
	for i, r := range res {
		title := map[string]bool{}
		for _, t := range text.Terms(r.Title) {
			title[t] = true
		}
		var sents []map[string]bool
		pairs := map[[2]string]bool{}
		for _, sp := range text.Sentences(r.Text) {
			have := map[string]bool{}
			prev := ""
			for _, t := range text.Terms(r.Text[sp.Start:sp.End]) {
				if w[t] > 0 {
					have[t] = true
				}
				if qpairs[[2]string{prev, t}] {
					pairs[[2]string{prev, t}] = true
				}
				prev = t
			}
			sents = append(sents, have)
		}
		share := func(a, b map[string]bool) float64 {
			var got float64
			for t, wt := range w {
				switch {
				case a[t] || b[t]:
					got += wt
				case title[t]:
					got += wt / 2
				}
			}
			return got / total
		}
		var one, two float64
		for j, s := range sents {
			one = max(one, share(s, nil))
			if j+1 < len(sents) {
				two = max(two, share(s, sents[j+1]))
			}
		}
		two = max(two, one)
		sc := rerankSent*one + rerankWindow*two
		if len(qpairs) > 0 {
			sc += rerankPairs * float64(len(pairs)) / float64(len(qpairs))
		}
		if bestLex > 0 {
			sc += rerankBM25 * lex[r.ChunkID] / bestLex
		}
		out[i] = scored{r, sc}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].s > out[j].s })
	for i := range out {
		res[i] = out[i].r
	}
	return res
}
