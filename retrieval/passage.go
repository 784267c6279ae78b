package retrieval

import (
	"context"
	"time"
)

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

// fillAdded gives each citation of ans the added date of its article, from the results it
// was answered from (answerers copy the passage's fields they quote, not this one).
func fillAdded(ans *Answer, res []Result) {
	added := make(map[int64]time.Time, len(res))
	for _, r := range res {
		added[r.ArticleID] = r.Added
	}
	for i := range ans.Citations {
		if c := &ans.Citations[i]; c.Added.IsZero() {
			c.Added = added[c.ArticleID]
		}
	}
}
