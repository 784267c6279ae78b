package retrieval

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// embedProbeEvery is how long questions skip the dense arm after embedding one failed,
// before a single question tries the embedding server again. Without it every question
// would wait out the embedder's retries (seconds, against a server that refuses
// connections) only to be answered on keywords anyway; with it, an outage costs one slow
// question per interval, and the dense arm is back at most this long after the server is.
const embedProbeEvery = 30 * time.Second

// keywordsOnly remembers what the operator has been told about searches that run without
// their dense arm, so that each cause is logged once (per collection, per process) instead
// of once per question, and when to try a failed embedding server again.
type keywordsOnly struct {
	staleSpace sync.Map     // collection name -> struct{}: told it is indexed with another model
	embedDown  atomic.Bool  // told that embedding questions fails; cleared when it works again
	nextProbe  atomic.Int64 // while embedDown: Unix nanoseconds before which questions skip embedding
}

// warnStaleSpace says, once per collection, that coll's passages are embedded with another
// model than the configured one (the space whose id is active), so its questions are
// answered on keywords only until a reindex, and how to run one.
func (e *Engine) warnStaleSpace(ctx context.Context, coll string, active int) {
	if _, told := e.keywordsOnly.staleSpace.LoadOrStore(coll, struct{}{}); told {
		return
	}
	indexed := fmt.Sprintf("embedding space %d", active)
	if sp, err := e.store.lookupSpace(ctx, active); err == nil {
		indexed = "model " + sp.Name()
	}
	e.log.WarnContext(ctx, fmt.Sprintf("collection %s is indexed with %s but FOOTNOTE_EMBED_MODEL and FOOTNOTE_EMBED_DIMS give %s: "+
		"answering on keywords only until `footnote reindex --collection %s` (or /reindex) runs",
		coll, indexed, e.Space().Name(), coll), "collection", coll)
}

// embedFailed says that embedding a question failed, at warn level when it had worked until
// now and at debug level while it keeps failing, so a dead embedding server is reported
// once and not per question, and rests the dense arm for embedProbeEvery.
//
// Any failure counts, not only those oai.Retryable reports: a 401 or 404 (a wrong key,
// model or URL) fails every question the same way until the operator fixes it, just as a
// refused connection does. The question itself is an unlikely cause: its length is bounded
// (FOOTNOTE_MAX_QUESTION_CHARS, at most 6000 characters), so a reply refusing one
// question's input is rare, and resting on it costs only embedProbeEvery of keyword-only
// answers, which is safe.
func (e *Engine) embedFailed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the search was abandoned: the server may be fine
	}
	const msg = "cannot embed questions with %s: answering on keywords only until the embedding server " +
		"answers again (is it running at OPENAI_BASE_URL?)"
	e.keywordsOnly.nextProbe.Store(time.Now().Add(embedProbeEvery).UnixNano())
	if e.keywordsOnly.embedDown.CompareAndSwap(false, true) {
		e.log.WarnContext(ctx, fmt.Sprintf(msg, e.Space().Name()), "err", err, "next_try", embedProbeEvery)
		return
	}
	e.log.DebugContext(ctx, fmt.Sprintf(msg, e.Space().Name()), "err", err, "next_try", embedProbeEvery)
}

// skipEmbed reports whether a question should leave out the dense arm because embedding
// failed less than embedProbeEvery ago. Once that time has passed, exactly one caller is
// told to try (and moves the next try on), so a dead server is not asked by every question
// that arrives at that moment.
func (e *Engine) skipEmbed() bool {
	k := &e.keywordsOnly
	if !k.embedDown.Load() {
		return false
	}
	now, next := time.Now().UnixNano(), k.nextProbe.Load()
	if now < next {
		return true
	}
	return !k.nextProbe.CompareAndSwap(next, now+int64(embedProbeEvery))
}

// embedWorked notes that a question was embedded, saying so once after failures.
func (e *Engine) embedWorked(ctx context.Context) {
	if e.keywordsOnly.embedDown.CompareAndSwap(true, false) {
		e.log.InfoContext(ctx, "embedding questions works again: searching on keywords and meaning", "space", e.Space().Name())
	}
}
