package retrieval

import (
	"context"
	"time"
)

// LexicalURLs returns the URLs of the passages the lexical arm alone ranks best for query in
// coll, best first, for tests in package retrieval_test: in a full search the reranker and
// the dense arm could hide a broken BM25.
func LexicalURLs(ctx context.Context, e *Engine, coll, query string, k int) ([]string, error) {
	q, err := e.store.lookupTerms(ctx, coll, query)
	if err != nil {
		return nil, err
	}
	hits, err := e.store.searchLexical(ctx, coll, q, Filter{}, k)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		p, err := e.store.loadPassage(ctx, coll, h.chunkID)
		if err != nil {
			return nil, err
		}
		out[i] = p.URL
	}
	return out, nil
}

// TryEmbedderNow lets the next question try the embedding server again at once, as if
// embedProbeEvery had passed since it failed.
func TryEmbedderNow(e *Engine) { e.keywordsOnly.nextProbe.Store(0) }

// NearTerms returns the collection's likely correct spellings of unseen terms.
func NearTerms(ctx context.Context, e *Engine, coll string, unseen []string) (map[string][]string, error) {
	return e.store.nearTerms(ctx, coll, unseen)
}

// Jitter and FailureWait expose the feed scheduling for tests in package retrieval_test.
var (
	Jitter      = jitter
	FailureWait = failureWait
)

// SetFeedItemsDeadline shortens the time a feed poll may spend on its items
// (feedItemsDeadline), for tests that poll a slow site.
func SetFeedItemsDeadline(e *Engine, d time.Duration) { e.feedItemsDeadline = d }

// IsConflict reports whether err is a conflict between transactions (classify), which a
// write runs again at once.
func IsConflict(err error) bool { return classify(err) == faultConflict }

// SocketError marks err as a failure of a database connection's socket, as the store's
// connections do.
func SocketError(err error) error { return markSocket(err) }

// Retrying exposes the retry loops of database writes for tests in package retrieval_test.
var (
	AgainOnConflict = againOnConflict
	WaitOutOutage   = waitOutOutage
)

// ModelReserve is modelReserve, for tests in package retrieval_test.
func ModelReserve(d time.Duration) time.Duration { return modelReserve(d) }
