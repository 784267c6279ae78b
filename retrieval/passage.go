package retrieval

import "context"

// PassageView is one passage with its article, for showing the full text of a citation.
type PassageView struct {
	Result
	ArticleText string
}

// Passage returns one passage of coll with its article's text, for showing a citation in
// full. A passage of another collection is ErrNotFound.
func (e *Engine) Passage(ctx context.Context, coll string, chunkID int64) (*PassageView, error) {
	return e.store.loadPassage(ctx, coll, chunkID)
}
