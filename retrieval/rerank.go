package retrieval

import (
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
// Results keep their fused score in Score.
func rerank(q queryTerms, res []Result, lex map[int64]float64) []Result {
	if len(res) < 2 || len(q.terms) == 0 {
		return res
	}
	question := text.NewQuestion(q.text, q.weights())
	var bestLex float64
	for _, s := range lex {
		bestLex = max(bestLex, s)
	}
	type scored struct {
		r Result
		s float64
	}
	out := make([]scored, len(res))
	for i, r := range res {
		var one, two float64
		title := question.TitleTerms(r.Title)
		var prev text.Sentence
		for j, sp := range text.Sentences(r.Text) {
			cur := question.Read(r.Text[sp.Start:sp.End])
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
		out[i] = scored{r, sc}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].s > out[j].s })
	for i := range out {
		res[i] = out[i].r
	}
	return res
}
