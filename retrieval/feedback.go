package retrieval

import "context"

// Feedback is a member's verdict on an answer.
type Feedback struct {
	Collection string
	QuestionID int64
	User       string
	Helpful    bool
	Reason     string // "wrong_source", "outdated", "incomplete", "other" or ""
	Comment    string // what the member wrote about the answer, or ""
}

// RecordFeedback stores a member's verdict on an answer of the same collection; a second
// verdict from the same member replaces the first. It returns ErrNotFound when the question
// is not in the collection.
func (e *Engine) RecordFeedback(ctx context.Context, fb Feedback) error {
	return e.store.upsertFeedback(ctx, fb)
}
