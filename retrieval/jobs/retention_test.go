package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
)

// With a question retention, the departures sweep forgets the questions asked longer ago
// (and their feedback) and keeps the later ones.
func TestTheSweepForgetsQuestionsPastTheirRetention(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	ask := func(q string) int64 {
		a, err := e.Ask(ctx, coll, q, retrieval.AskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return a.QuestionID
	}
	old, recent := ask("How many moons does Neptune have?"), ask("Which river does the Rhine flow into?")
	exec(t, dsn, `UPDATE questions SET asked_at = now() - interval '3 days' WHERE id = $1`, old)
	left := func() int {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var n int
		if err := c.QueryRow(ctx, `SELECT count(*) FROM questions WHERE id IN ($1, $2)`, old, recent).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := left(); n != 2 {
		t.Fatalf("%d questions before the sweep; want 2", n)
	}
	// The leader runs the sweep at start.
	start(t, dsn, Config{Engine: e, Work: WorkAll, QuestionRetention: 48 * time.Hour})
	waitFor(t, "the old question forgotten", func() bool { return left() == 1 })
	var kept int64
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT id FROM questions WHERE id IN ($1, $2)`, old, recent).Scan(&kept); err != nil || kept != recent {
		t.Errorf("kept question %d (%v); want the recent one, %d", kept, err, recent)
	}
}
