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

// fillArticleFacts gives each citation of ans the added and updated dates and the gone mark
// of its article, and the other articles that ran its passage, from the results it was
// answered from (answerers copy the passage's fields they quote, not these).
func fillArticleFacts(ans *Answer, res []Result) {
	byArticle := make(map[int64]Result, len(res))
	byPassage := make(map[int64]Result, len(res))
	for _, r := range res {
		byArticle[r.ArticleID] = r
		byPassage[r.ChunkID] = r
	}
	for i := range ans.Citations {
		c := &ans.Citations[i]
		if c.Also == nil {
			c.Also = byPassage[c.ChunkID].Also
		}
		r := byArticle[c.ArticleID]
		if c.Added.IsZero() {
			c.Added = r.Added
		}
		if c.Updated.IsZero() {
			c.Updated = r.Updated
		}
		if c.Gone.IsZero() {
			c.Gone = r.Gone
		}
	}
}
