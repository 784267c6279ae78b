package retrieval

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/footnote-bot/footnote/retrieval/embed"
)

// judgeTimeout bounds the judge's one request per question, within the question's own
// deadline: the encoder embeds two sentences (footnote eval's answer p50 rose by about 50 ms
// with it on this machine), so a judge that
// takes longer is stuck, and the check goes on without it rather than hold the member's
// answer. Set, not tuned.
const judgeTimeout = 2 * time.Second

// judgeQuote has the judge (Config.Judge) read the question and the quote, and records
// their cosine in sig (Semantic, Judged). When the judge fails, sig is left as it was: the
// check weighs the words alone, and the failure is logged.
func (e *Engine) judgeQuote(ctx context.Context, question, quote string, sig *Signals) {
	ctx, cancel := context.WithTimeout(ctx, judgeTimeout)
	defer cancel()
	cos, err := judgeCosine(ctx, e.cfg.Judge, question, quote)
	if err != nil {
		e.cfg.Log.Warn("the judge did not read the quote; the coverage check weighs its words alone", "err", err)
		return
	}
	sig.Semantic, sig.Judged = cos, true
}

// judgeCosine returns the cosine between the judge's vectors of a and b, or an error when
// the judge fails or returns other than two non-zero vectors of one length.
func judgeCosine(ctx context.Context, judge embed.Embedder, a, b string) (float64, error) {
	vs, err := judge.Embed(ctx, []string{a, b})
	if err != nil {
		return 0, fmt.Errorf("judge: %w", err)
	}
	if len(vs) != 2 || len(vs[0]) == 0 || len(vs[0]) != len(vs[1]) {
		return 0, fmt.Errorf("judge: want two vectors of one length, got %d", len(vs))
	}
	var dot, na, nb float64
	for i := range vs[0] {
		x, y := float64(vs[0][i]), float64(vs[1][i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0, fmt.Errorf("judge: a zero vector")
	}
	return dot / math.Sqrt(na*nb), nil
}
