package retrieval

import (
	"context"
	"errors"
	"sync/atomic"
	"time"
)

// DefaultAnswerTimeout is the default deadline for a whole question: retrieval (the
// database work), embedding the question and the chat model together. A member waits for the answer with Discord's
// "thinking…" showing; a good model answers in 2 to 8 s, and past 20 s an answer quoted
// from keyword search now is worth more than a model's answer later. Without it a hung
// model server held a worker for up to 3 minutes (chat) or 2.5 minutes (embeddings), the
// clients' own timeouts and retries.
const DefaultAnswerTimeout = 20 * time.Second

// SlowModelNote is Answer.Note on a covered answer when the deadline cut a model call (the
// chat model's answer, or the embedding of the question for the dense arm): the answer was
// made without it, by quoting the passages search found. A "not covered" answer gets no
// note: it cites nothing the reader should weigh against the model's absence.
const SlowModelNote = "The language model was too slow, so this answer quotes the articles directly."

// recordGrace bounds recording the question (for coverage reports and feedback) once the
// answer is made: the record runs after the question's deadline may have passed, and a
// slow database must not hold the reply for long. A single-row insert takes milliseconds;
// half a second is room for a loaded machine, and a record that misses it is only logged.
const recordGrace = 500 * time.Millisecond

// modelReserve is the part of a question's deadline kept back from the models, for what
// must still run after a model call is cut: loading and reranking the passages, the
// extractive answer. A tenth (2 s of the default 20 s) is a hundred times the whole
// offline answer's 99th percentile on the BBC collection (under 20 ms, README's quality
// table), room for a loaded machine. Short deadlines keep at least minModelReserve, or half
// the deadline when that is less.
func modelReserve(d time.Duration) time.Duration { return max(d/10, min(d/2, minModelReserve)) }

// minModelReserve is the least kept back for the fallback. A tenth of the shortest
// FOOTNOTE_ANSWER_TIMEOUT (1 s) is 100 ms, and the fallback's database reads took longer
// than that, and at times longer than half a second, with the test suite running under
// -race on two shared cores (load average 18): a question whose model hung then failed
// instead of being answered. A second is kept from deadlines of 2 s and more (up to 10 s,
// where the tenth takes over); a shorter one keeps half of itself for the model.
const minModelReserve = time.Second

// errModelSlow is the cause of a model call's context ending at the question's deadline.
var errModelSlow = errors.New("the question's deadline for model calls passed")

// budget is one question's deadline for its model calls. Ask carries it in the context it
// hands search, so that embedding the question is bounded too; cut records that a call
// ran out of it, which the answer then says (SlowModelNote).
type budget struct {
	deadline time.Time
	cut      atomic.Bool
}

type budgetKey struct{}

func withBudget(ctx context.Context, b *budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

// modelContext returns ctx bounded by the deadline of the budget ctx carries (none: ctx as
// it is, for Search), and the function to call with the model call's error when it is
// over: it ends the context and, when the error is the budget's deadline passing (not a
// server error that merely came late, nor the caller giving up), records that the answer
// was made without the model.
func modelContext(ctx context.Context) (context.Context, func(err error)) {
	b, _ := ctx.Value(budgetKey{}).(*budget)
	if b == nil {
		return ctx, func(error) {}
	}
	mctx, cancel := context.WithDeadlineCause(ctx, b.deadline, errModelSlow)
	return mctx, func(err error) {
		if cutBy(err, mctx) {
			b.cut.Store(true)
		}
		cancel()
	}
}

// cutBy reports whether err is the failure of a call made under mctx because mctx's
// deadline for model calls passed.
func cutBy(err error, mctx context.Context) bool {
	if err == nil || !errors.Is(context.Cause(mctx), errModelSlow) {
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errModelSlow)
}
