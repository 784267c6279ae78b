package retrieval_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestDeadConnectionsAreDroppedAtTheFirstSign plays what a restart of Postgres leaves in a
// pool: every connection ended by the server (pg_terminate_backend sends the same 57P01 a
// fast shutdown does), and used again within a second, before pgxpool would ping it. The
// restart itself is played in bot's TestAskAcrossAPostgresRestart; this test does not
// depend on how long a restart takes.
func TestDeadConnectionsAreDroppedAtTheFirstSign(t *testing.T) {
	app := strings.ReplaceAll(retrievaltest.Collection(t), "_", "")
	dsn := retrievaltest.DSN()
	if strings.Contains(dsn, "?") {
		dsn += "&application_name=" + app
	} else {
		dsn += "?application_name=" + app
	}
	e, coll := retrievaltest.EngineOn(t, retrievaltest.StoreAt(t, dsn))
	admin := conn(t)
	ctx := context.Background()
	if _, err := e.Import(ctx, coll, strings.NewReader(jsonl(t,
		doc{URL: "https://news.example/quay", Text: "The harbour council reopened the quay on Monday after repairs to the sea wall."},
		doc{URL: "https://news.example/ferry", Text: "The ferry timetable changes in May, the port authority said on Friday."},
	)), nil); err != nil {
		t.Fatal(err)
	}
	const q = "When did the council reopen the quay?"
	// endSessions fills the pool with idle connections (questions at once, each running its
	// two searches at once) and has the server end them all; it returns how many it ended.
	endSessions := func() int {
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				if _, err := e.Ask(ctx, coll, q, retrieval.AskOptions{}); err != nil {
					t.Errorf("Ask before the sessions end: %v", err)
				}
			})
		}
		wg.Wait()
		return terminate(t, admin, app)
	}

	t.Run("the next search fails as unavailable, and the one after it works", func(t *testing.T) {
		if n := endSessions(); n < 2 {
			t.Fatalf("%d sessions ended; the test needs the pool to hold at least 2", n)
		}
		_, err := e.Search(ctx, coll, q, 5, retrieval.Filter{})
		if !retrieval.IsUnavailable(err) {
			t.Fatalf("first search after the sessions ended: %v, want an unavailable database", err)
		}
		if _, err := e.Search(ctx, coll, q, 5, retrieval.Filter{}); err != nil {
			t.Errorf("second search: %v; the pool kept a dead connection", err)
		}
	})
	t.Run("the next question is answered", func(t *testing.T) {
		if n := endSessions(); n < 2 {
			t.Fatalf("%d sessions ended; the test needs the pool to hold at least 2", n)
		}
		ans, err := e.Ask(ctx, coll, q, retrieval.AskOptions{})
		if err != nil || !ans.Covered {
			t.Errorf("Ask = %+v, %v; want the answer", ans, err)
		}
	})
}
