package retrieval

import "context"

// RemoveCollection deletes every article of coll (and everything under them), its
// questions and feedback and its statistics, and returns how many articles it removed.
// The server's settings (/settings) and any scheduled removal are kept, so an operator
// can clear the articles and re-import them; only RemoveDue, for a server that removed
// the bot, deletes those too.
func (e *Engine) RemoveCollection(ctx context.Context, coll string) (int, error) {
	return e.store.deleteCollection(ctx, coll)
}
