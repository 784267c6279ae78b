package retrieval_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// Gaps lists what members asked that the articles do not answer: questions footnote
// abstained on, and answers marked unhelpful, the same question asked twice (as written,
// or in other words) as one, most asked first; an answered question nobody faulted is no gap, and another collection's
// questions are not shown.
func TestGapsListWhatTheArticlesDoNotAnswer(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	_, other := retrievaltest.Engine(t)
	importDocs(t, e, coll, topicsCorpus...)
	importDocs(t, e, other, topicsCorpus...)
	ctx := context.Background()
	mustAsk := func(c, q string) *retrieval.Answer {
		t.Helper()
		a, err := e.Ask(ctx, c, q, retrieval.AskOptions{AskedBy: "100000000000000001"})
		if err != nil {
			t.Fatalf("Ask(%q): %v", q, err)
		}
		return a
	}
	mustAsk(coll, "How many moons does Neptune have?")
	mustAsk(coll, "how many moons  does NEPTUNE have?")
	mustAsk(coll, "Neptune has how many moons")
	mustAsk(coll, "Which river does the Rhine flow into?")
	mustAsk(coll, "Into which river does the Rhine flow")
	mustAsk(other, "What is the orbit of Pluto?")
	answered := mustAsk(coll, "Who transferred his controlling stake in Yukos?")
	mustAsk(coll, "Where did officials resume talks on fentanyl?")
	if !answered.Covered {
		t.Fatalf("the Yukos question was not answered: %+v", answered)
	}
	if err := e.RecordFeedback(ctx, retrieval.Feedback{Collection: coll, QuestionID: answered.QuestionID, User: "100000000000000002",
		Helpful: false, Reason: "wrong_source"}); err != nil {
		t.Fatal(err)
	}
	gaps, err := e.Gaps(ctx, coll, time.Time{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 3 {
		t.Fatalf("gaps %+v; want 3", gaps)
	}
	if g := gaps[0]; g.Question != "Neptune has how many moons" || g.Asked != 3 || g.NotCovered != 3 || g.Unhelpful != 0 || g.Last.IsZero() {
		t.Errorf("first gap %+v; want the Neptune question, asked three times in two wordings, as last asked", g)
	}
	found := map[string]retrieval.Gap{}
	for _, g := range gaps[1:] {
		found[g.Question] = g
	}
	if g := found["Into which river does the Rhine flow"]; g.Asked != 2 || g.NotCovered != 2 {
		t.Errorf("Rhine gap %+v; want the question asked in other words counted with it, shown as last asked", g)
	}
	if g := found["Who transferred his controlling stake in Yukos?"]; g.Asked != 1 || g.NotCovered != 0 || g.Unhelpful != 1 {
		t.Errorf("Yukos gap %+v; want the answer marked unhelpful once", g)
	}
	if later, err := e.Gaps(ctx, coll, time.Now().Add(time.Hour), 10); err != nil || len(later) != 0 {
		t.Errorf("gaps since an hour from now = %+v, %v; want none", later, err)
	}
	if one, err := e.Gaps(ctx, coll, time.Time{}, 1); err != nil || len(one) != 1 {
		t.Errorf("gaps limited to 1 = %+v, %v", one, err)
	}
	if _, err := e.Gaps(ctx, "", time.Time{}, 1); !errors.Is(err, retrieval.ErrInvalidInput) {
		t.Errorf("gaps of no collection: %v; want ErrInvalidInput", err)
	}
}

// ForgetQuestions deletes the questions asked before a time, in every collection, with the
// feedback on their answers, and keeps the later ones.
func TestForgetQuestionsKeepsToTheRetention(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	_, other := retrievaltest.Engine(t)
	ctx := context.Background()
	var old []int64
	for _, c := range []string{coll, other} {
		a, err := e.Ask(ctx, c, "How many moons does Neptune have?", retrieval.AskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, a.QuestionID)
		if err := e.RecordFeedback(ctx, retrieval.Feedback{Collection: c, QuestionID: a.QuestionID, User: "100000000000000002"}); err != nil {
			t.Fatal(err)
		}
	}
	c := retrievaltest.Conn(t)
	if _, err := c.Exec(ctx, `UPDATE questions SET asked_at = now() - interval '100 days' WHERE id = ANY($1)`, old); err != nil {
		t.Fatal(err)
	}
	recent, err := e.Ask(ctx, coll, "Which river does the Rhine flow into?", retrieval.AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.ForgetQuestions(ctx, time.Now().Add(-90*24*time.Hour))
	if err != nil || n < 2 {
		t.Fatalf("ForgetQuestions = %d, %v; want at least the 2 old ones", n, err)
	}
	if got := count(t, c, `SELECT count(*) FROM questions WHERE id = ANY($1)`, old); got != 0 {
		t.Errorf("%d old questions left", got)
	}
	if got := count(t, c, `SELECT count(*) FROM feedback WHERE question_id = ANY($1)`, old); got != 0 {
		t.Errorf("%d feedback rows of old questions left", got)
	}
	if got := count(t, c, `SELECT count(*) FROM questions WHERE id = $1`, recent.QuestionID); got != 1 {
		t.Errorf("the recent question was forgotten")
	}
}
