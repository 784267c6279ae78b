package retrieval

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Gap is what members asked that the articles do not answer: a question footnote abstained
// on, or one whose answer members marked unhelpful (👎). Questions written alike (case,
// spacing and the final question mark aside) are one gap. Who asked is not shown.
type Gap struct {
	Question   string    // as it was last asked
	Asked      int       // how many times
	Last       time.Time // when it was last asked
	NotCovered int       // how many of those footnote abstained on
	Unhelpful  int       // 👎 given to its answers
}

// MaxGaps bounds one listing of gaps.
const MaxGaps = 200

// Gaps lists coll's gaps asked since `since` (zero for all), most asked first, then most
// recent, at most limit (at most MaxGaps): what an admin would add articles about.
func (e *Engine) Gaps(ctx context.Context, coll string, since time.Time, limit int) ([]Gap, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxGaps {
		limit = MaxGaps
	}
	var out []Gap
	_, err := e.store.query(ctx, readIn(coll), `
		WITH q AS (
			SELECT q.id, q.question, q.asked_at, q.covered,
				lower(regexp_replace(regexp_replace(btrim(q.question), '[\s?？!！.。]+$', ''), '\s+', ' ', 'g')) AS key,
				(SELECT count(*) FROM feedback f WHERE f.collection = q.collection AND f.question_id = q.id AND NOT f.helpful) AS down
			FROM questions q
			WHERE q.collection = $1 AND q.asked_at >= $2)
		SELECT (array_agg(question ORDER BY asked_at DESC))[1], count(*), max(asked_at),
			count(*) FILTER (WHERE NOT covered), sum(down)::bigint
		FROM q GROUP BY key
		HAVING bool_or(NOT covered) OR sum(down) > 0
		ORDER BY count(*) DESC, max(asked_at) DESC
		LIMIT $3`, []any{coll, since, limit}, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Gap, error) {
			var g Gap
			err := r.Scan(&g.Question, &g.Asked, &g.Last, &g.NotCovered, &g.Unhelpful)
			return g, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list gaps of %s: %w", coll, err)
	}
	return out, nil
}

// forgetBatch is how many questions one statement of ForgetQuestions deletes: a long
// backlog (the first sweep after retention is set) is deleted in short transactions.
const forgetBatch = 5000

// ForgetQuestions deletes, in every collection, the questions asked before `before`, and
// the feedback on their answers (FOOTNOTE_QUESTION_RETENTION: the sweep_departures job
// calls it), and returns how many questions it deleted.
func (e *Engine) ForgetQuestions(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		// Across collections: retention is the operator's, the same for every server.
		tag, err := e.store.exec(ctx, allCollections, `
			DELETE FROM questions WHERE id IN (
				SELECT id FROM questions WHERE asked_at < $1 ORDER BY asked_at LIMIT $2)`, before, forgetBatch)
		if err != nil {
			return total, fmt.Errorf("forget questions asked before %s: %w", before.UTC().Format(time.RFC3339), err)
		}
		n := int(tag.RowsAffected())
		total += n
		if n < forgetBatch {
			return total, nil
		}
	}
}
