package retrieval

import (
	"maps"
	"sort"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// rerankDepth is how many fused candidates the reranker reads.
const rerankDepth = 30

// Reranking weights. Measured on ../shared/data (README: Quality): BM25 alone reaches
// hit@1 0.82 over these passages, the reranked order 0.86; either sentence feature alone
// does worse than both.
const (
	rerankBM25   = 0.5
	rerankSent   = 1.0
	rerankWindow = 1.0
)

// rerank reorders candidates by how well their best sentence, or pair of adjacent
// sentences, answers the question (text.Question.Score: the share of the question's
// weight it holds, its phrases, the kind of answer asked for). BM25 scores a passage as a
// bag of words; a question is usually answered by one or two sentences that hold most of
// its terms. Each candidate scores
//
//	rerankBM25 * bm25 / best bm25 + rerankSent * best sentence + rerankWindow * best pair
//
// Each result's Score becomes that score, so scores fall as ranks rise. rerank also
// returns, for each result in the new order, the question terms the passage or its title
// holds (for the coverage check).
func rerank(q queryTerms, res []Result, lex map[int64]float64) ([]Result, []map[string]bool) {
	question := text.NewQuestion(q.text, q.weights())
	var bestLex float64
	for _, s := range lex {
		bestLex = max(bestLex, s)
	}
	type scored struct {
		r    Result
		s    float64
		held map[string]bool
	}
	out := make([]scored, len(res))
	for i, r := range res {
		var one, two float64
		title := question.TitleTerms(r.Title)
		held := maps.Clone(title)
		var prev text.Sentence
		for j, sp := range text.Sentences(r.Text) {
			cur := question.Read(r.Text[sp.Start:sp.End])
			for _, t := range q.terms {
				if cur.Holds(t) {
					held[t] = true
				}
			}
			one = max(one, question.ScoreRead(title, cur))
			if j > 0 {
				two = max(two, question.ScoreRead(title, prev, cur))
			}
			prev = cur
		}
		two = max(two, one)
		sc := rerankSent*one + rerankWindow*two
		if bestLex > 0 {
			sc += rerankBM25 * lex[r.ChunkID] / bestLex
		}
		r.Score = sc
		out[i] = scored{r, sc, held}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].s > out[j].s })
	helds := make([]map[string]bool, len(out))
	for i := range out {
		res[i], helds[i] = out[i].r, out[i].held
	}
	return res, helds
}

// coverage is the largest share of the question's IDF weight that any one of the top three
// passages (with its article title) holds: 1 when a passage has every question term, near
// 0 when the question is about something the collection never mentions. A word no passage
// has at all counts half: it is as often a misspelling as a sign of a foreign subject.
func coverage(q queryTerms, held []map[string]bool) float64 {
	var total float64
	w := make([]float64, len(q.terms))
	for i := range q.terms {
		w[i] = q.idf[i] * q.qtf[i]
		if q.df[i] == 0 {
			w[i] /= 2
		}
		total += w[i]
	}
	if total == 0 {
		return 0
	}
	best := 0.0
	for _, h := range held[:min(3, len(held))] {
		var got float64
		for j, t := range q.terms {
			if h[t] {
				got += w[j]
			}
		}
		best = max(best, got/total)
	}
	return best
}
