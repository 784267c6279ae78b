package retrieval_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestRecordFeedback(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/tram", Text: "The tram extension opens in March 2027."})
	ans, err := e.Ask(ctx, coll, "When does the tram extension open?", retrieval.AskOptions{AskedBy: "alice"})
	if err != nil || ans.QuestionID == 0 {
		t.Fatalf("Ask: %v, %+v", err, ans)
	}
	c := conn(t)
	type row struct {
		helpful bool
		reason  string
		comment string
	}
	stored := func(user string) []row {
		rs, err := c.Query(ctx, `SELECT helpful, reason, comment FROM feedback WHERE question_id = $1 AND user_id = $2 AND collection = $3`, ans.QuestionID, user, coll)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []row
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.helpful, &r.reason, &r.comment); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	steps := []struct {
		name string
		fb   retrieval.Feedback
		want error
		user string
		rows []row
	}{
		{"a verdict is stored", retrieval.Feedback{User: "bob", Helpful: true}, nil, "bob", []row{{true, "", ""}}},
		{"a second verdict from the same member replaces the first, with its comment",
			retrieval.Feedback{User: "bob", Helpful: false, Reason: "outdated", Comment: "The date moved to May."}, nil, "bob",
			[]row{{false, "outdated", "The date moved to May."}}},
		{"another member's verdict is stored beside it", retrieval.Feedback{User: "carol", Helpful: true}, nil, "carol", []row{{true, "", ""}}},
		{"an unknown question is not found", retrieval.Feedback{QuestionID: -1, User: "dave", Helpful: true}, retrieval.ErrNotFound, "dave", nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.fb.Collection = coll
			if s.fb.QuestionID == 0 {
				s.fb.QuestionID = ans.QuestionID
			}
			err := e.RecordFeedback(ctx, s.fb)
			if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
				t.Fatalf("RecordFeedback: %v, want %v", err, s.want)
			}
			if got := stored(s.user); !slices.Equal(got, s.rows) {
				t.Errorf("feedback rows of %s = %+v, want %+v", s.user, got, s.rows)
			}
		})
	}
}
