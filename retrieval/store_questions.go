package retrieval

import (
	"context"
	"encoding/json"
	"fmt"
)

// insertQuestion records a question of coll asked by by (a Discord user id, or "") with its
// answer, for coverage reports and feedback, and returns its id. It fails on a database
// error.
func (s *Store) insertQuestion(ctx context.Context, coll, by, question string, a *Answer) (int64, error) {
	cites, err := json.Marshal(a.Citations)
	if err != nil {
		return 0, fmt.Errorf("record question: %w", err)
	}
	var id int64
	_, err = s.query(ctx, unseenIn(coll), `
		INSERT INTO questions (collection, asked_by, question, answer, mode, covered, citations)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		[]any{coll, by, question, a.Text, a.Mode, a.Covered, cites}, into(&id))
	if err != nil {
		return 0, fmt.Errorf("record question: %w", err)
	}
	return id, nil
}

// upsertFeedback records a member's verdict on an answer of the same collection; a second
// verdict from the same member replaces the first. It returns ErrNotFound when the question
// is not in fb.Collection.
func (s *Store) upsertFeedback(ctx context.Context, fb Feedback) error {
	// INSERT ... SELECT from questions: a question of another collection inserts nothing,
	// so a member cannot judge another guild's answers by guessing ids.
	tag, err := s.exec(ctx, unseenIn(fb.Collection), `
		INSERT INTO feedback (collection, question_id, user_id, helpful, reason, comment)
		SELECT $1, id, $3, $4, $5, $6 FROM questions WHERE id = $2 AND collection = $1
		ON CONFLICT (question_id, user_id) DO UPDATE SET helpful = EXCLUDED.helpful,
			reason = EXCLUDED.reason, comment = EXCLUDED.comment, created_at = now()`,
		fb.Collection, fb.QuestionID, fb.User, fb.Helpful, fb.Reason, fb.Comment)
	if err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("question %d: %w", fb.QuestionID, ErrNotFound)
	}
	return nil
}
