package retrieval

import "context"

// RemoveCollection deletes every article of coll (and everything under them), its
// questions and feedback, and returns how many articles it removed.
func (e *Engine) RemoveCollection(ctx context.Context, coll string) (int, error) {
	return e.store.deleteCollection(ctx, coll)
}
