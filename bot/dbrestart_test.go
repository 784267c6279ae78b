package bot

import (
	"context"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestMain(m *testing.M) { retrievaltest.RunWithClusters(m) }

// outageReplyBound is how soon a member must be told to try again while the database is
// down. The server refuses connections at once, so the reply takes milliseconds; the
// bound is far under the question's own deadline (retrieval.DefaultAnswerTimeout, 20 s),
// which a reply that waited for the database would reach, and leaves room for a loaded
// machine.
const outageReplyBound = 3 * time.Second

// unavailableText is what a member reads when the database is out of reach (explain).
const unavailableText = "footnote's database is unavailable right now; nothing is wrong with your request. Try again in a minute."

func TestAskAcrossAPostgresRestart(t *testing.T) {
	pg := retrievaltest.NewCluster(t)
	eng, _ := pg.Engine()
	importArticles(t, eng, guildA, councilArticle, bridgeArticle)
	h := newHarness(t, eng)
	const q = "When did the council approve the budget?"
	want, err := eng.Ask(context.Background(), guildA, q, retrieval.AskOptions{})
	if err != nil || !want.Covered {
		t.Fatalf("the engine does not answer the test question: %+v, %v", want, err)
	}
	answered := func(content string) bool { return content == want.Text }
	// ask asks q through Discord and returns what the member was shown, and how long after
	// the interaction arrived.
	ask := func() (string, time.Duration) {
		start := time.Now()
		s := h.ask(guildA, alice, q)
		cb := h.callback(s)
		if cb.data().num("flags") != 0 {
			return h.ephemeralError(s), time.Since(start)
		}
		// A public reply: an answer edits it, an error deletes it and follows up.
		c := h.discord.waitFor(t, "the reply to "+s.token, 1, func(c call) bool {
			return (editOf(s.token)(c) && c.str("content") != "") || followupOf(s.token)(c)
		})[0]
		return c.str("content"), time.Since(start)
	}

	t.Run("before the restart the question is answered", func(t *testing.T) {
		if got, _ := ask(); !answered(got) {
			t.Fatalf("reply %q, want the answer %q", got, want.Text)
		}
	})
	pg.Stop("fast")
	t.Run("while the server is down the member is told to try again, at once", func(t *testing.T) {
		got, took := ask()
		if got != unavailableText {
			t.Errorf("reply %q, want %q", got, unavailableText)
		}
		if took > outageReplyBound {
			t.Errorf("the reply took %s, want under %s", took, outageReplyBound)
		}
		t.Logf("told to try again after %s", took.Round(time.Millisecond))
	})
	pg.Start()
	t.Run("once the server is back the same bot answers again", func(t *testing.T) {
		if got, _ := ask(); !answered(got) {
			t.Errorf("reply %q, want the answer %q", got, want.Text)
		}
	})
	t.Run("a restart between two questions goes unnoticed", func(t *testing.T) {
		ask() // the pool holds connections again
		start := time.Now()
		pg.Restart()
		restarted := time.Since(start)
		got, took := ask()
		if !answered(got) {
			t.Errorf("reply %q, want the answer %q", got, want.Text)
		}
		// Under a second, the pool's dead connections are handed out without a ping
		// (retrieval.TestDeadConnectionsAreDroppedAtTheFirstSign plays that however long a
		// restart takes).
		t.Logf("pg_ctl restart -m fast took %s; the next question was answered in %s",
			restarted.Round(time.Millisecond), took.Round(time.Millisecond))
	})
}
