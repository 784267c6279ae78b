package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// testClock is a clock the test moves; the bot's edit goroutine reads it meanwhile.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestReindexReport(t *testing.T) {
	const channel = "300000000000000777"
	ctx := context.Background()
	plan := retrieval.ReindexPlan{Articles: 12, Passages: 300, ToEmbed: 300, Tokens: 48_712, Remote: true,
		Space: "text-embedding-3-small/1536"}
	header := "Reindexing this server's articles… Will embed 300 passages with text-embedding-3-small/1536 " +
		"(about 49,000 tokens, counting 4 characters a token)."
	// start gives a report a clock of its own and starts it.
	start := func(t *testing.T, messageID string) (*harness, *ReindexReport, *testClock) {
		h := newHarness(t, newFakeEngine())
		clk := newTestClock()
		h.bot.now = clk.now
		r := h.bot.NewReindexReport(channel, messageID, "", "")
		r.Start(ctx, plan)
		return h, r, clk
	}
	// update reports progress and waits until the message shows it.
	update := func(t *testing.T, h *harness, r *ReindexReport, done int) call {
		t.Helper()
		r.Update(done, 300)
		edits := h.discord.waitFor(t, fmt.Sprintf("an edit showing %d done", done), 1, func(c call) bool {
			return channelEdit(channel, r.MessageID())(c) && strings.Contains(c.str("content"), fmt.Sprintf(" %d / 300 ", done))
		})
		return edits[0]
	}

	t.Run("it posts one message in the channel, edits it as the job goes, and ends with the time taken", func(t *testing.T) {
		h, r, clk := start(t, "")
		posts := h.discord.recorded(channelPost(channel))
		if len(posts) != 1 {
			t.Fatalf("%d messages posted, want 1:\n%s", len(posts), h.discord.dump())
		}
		if got, want := posts[0].str("content"), header+"\n▱▱▱▱▱▱▱▱▱▱ 0 / 300 passages"; got != want {
			t.Errorf("first message = %q, want %q", got, want)
		}
		id := r.MessageID()
		if id == "" {
			t.Fatal("no message id after Start")
		}
		clk.advance(5 * time.Second)
		if got, want := update(t, h, r, 100).str("content"), header+"\n▰▰▰▱▱▱▱▱▱▱ 100 / 300 passages · 20/s · about 10 s left"; got != want {
			t.Errorf("progress edit = %q, want %q", got, want)
		}
		clk.advance(5 * time.Second)
		update(t, h, r, 200)
		clk.advance(5 * time.Second)
		r.Update(300, 300)
		r.Finish(ctx, retrieval.ReindexStats{Articles: 12, Passages: 300, Embedded: 300, Tokens: 48_712,
			Space: "text-embedding-3-small/1536", Deleted: 300, SpacesDeleted: 1, Took: 14 * time.Second}, nil)

		final := "Reindex done in 15 s: 12 articles, 300 passages, 300 embedded. Now answering from embedding space " +
			"text-embedding-3-small/1536. Deleted 300 vectors of the old embedding space.\n▰▰▰▰▰▰▰▰▰▰ 300 passages in 15 s · 20/s"
		edits := h.discord.recorded(channelEdit(channel, id))
		if got := edits[len(edits)-1].str("content"); got != final {
			t.Errorf("last edit = %q, want %q", got, final)
		}
		if n := len(h.discord.recorded(channelPost(channel))); n != 1 {
			t.Errorf("%d messages posted in all, want the one", n)
		}
		h.discord.mu.Lock()
		shown, _ := h.discord.history[channel][0]["content"].(string)
		h.discord.mu.Unlock()
		if got := shown; got != final {
			t.Errorf("the channel shows %q, want the final text", got)
		}
	})

	t.Run("a job that runs again edits its earlier message instead of posting another", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		h.discord.addHistory(channel, map[string]any{"id": "500000000000000099", "content": "an earlier run"})
		r := h.bot.NewReindexReport(channel, "500000000000000099", "", "")
		r.Start(ctx, plan)
		r.Finish(ctx, retrieval.ReindexStats{Passages: 300, Embedded: 120, Took: time.Second}, nil)
		if n := len(h.discord.recorded(channelPost(channel))); n != 0 {
			t.Errorf("%d messages posted, want none", n)
		}
		if n := len(h.discord.recorded(channelEdit(channel, "500000000000000099"))); n < 2 {
			t.Errorf("%d edits of the earlier message, want the start and the end", n)
		}
	})

	t.Run("a message posted when the job was queued is the one every run edits", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		queued := h.bot.NewReindexReport(channel, "", "", "")
		if err := queued.Queued(ctx); err != nil {
			t.Fatalf("Queued: %v", err)
		}
		for run := range 2 { // a first run that fails, and River's retry
			r := h.bot.NewReindexReport(channel, queued.MessageID(), "", "")
			r.Start(ctx, plan)
			var err error
			if run == 0 {
				err = context.Canceled
			}
			r.Finish(ctx, retrieval.ReindexStats{Passages: 300, Embedded: 300}, err)
		}
		posts := h.discord.recorded(channelPost(channel))
		if len(posts) != 1 || posts[0].str("content") != reindexQueuedText("", "") {
			t.Fatalf("%d messages posted, want the queued one:\n%s", len(posts), h.discord.dump())
		}
		edits := h.discord.recorded(channelEdit(channel, queued.MessageID()))
		if len(edits) != 4 || !strings.HasPrefix(edits[1].str("content"), "Reindex stopped after ") ||
			!strings.HasPrefix(edits[3].str("content"), "Reindex done in ") {
			t.Errorf("edits of the queued message:\n%s", h.discord.dump())
		}
	})

	t.Run("when the earlier message was deleted it posts a new one", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		r := h.bot.NewReindexReport(channel, "500000000000000098", "", "")
		r.Start(ctx, plan)
		if n := len(h.discord.recorded(channelPost(channel))); n != 1 || r.MessageID() == "500000000000000098" {
			t.Errorf("%d messages posted, message id %s; want a new message", n, r.MessageID())
		}
	})

	t.Run("a failed reindex says where it stopped, with an error id the log carries", func(t *testing.T) {
		h, r, clk := start(t, "")
		clk.advance(10 * time.Second)
		update(t, h, r, 120)
		r.Finish(ctx, retrieval.ReindexStats{}, errors.New("write vectors: connection reset"))
		edits := h.discord.recorded(channelEdit(channel, r.MessageID()))
		got := edits[len(edits)-1].str("content")
		want := regexp.MustCompile(`^Reindex stopped after 10 s: something went wrong on footnote's side \(error id ([0-9a-f]{8})\)\. ` +
			`What it did is kept; the next run continues from there\.\n▰▰▰▰▱▱▱▱▱▱ 120 / 300 passages$`)
		m := want.FindStringSubmatch(got)
		if m == nil {
			t.Fatalf("last edit = %q, want it to match %s", got, want)
		}
		if log := h.logs.String(); !strings.Contains(log, "error_id="+m[1]) || !strings.Contains(log, "connection reset") {
			t.Errorf("the log does not carry error id %s with the cause:\n%s", m[1], log)
		}
		if strings.Contains(got, "connection reset") {
			t.Error("the channel message shows the internal error")
		}
	})

	t.Run("the message names who asked for the reindex", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		r := h.bot.NewReindexReport(channel, "", boss.id, "")
		if err := r.Queued(ctx); err != nil {
			t.Fatal(err)
		}
		r.Start(ctx, plan)
		want := "Reindexing this server's articles, asked for by <@" + boss.id + ">… Will embed 300 passages"
		if got := h.discord.recorded(channelEdit(channel, r.MessageID())); len(got) != 1 || !strings.HasPrefix(got[0].str("content"), want) {
			t.Errorf("edits %v, want the start to begin %q", got, want)
		}
		r.Finish(ctx, retrieval.ReindexStats{}, context.Canceled)
	})

	t.Run("the end of a job's attempt says what comes next", func(t *testing.T) {
		unreachable := errors.New("embed passages: embedder unreachable")
		for _, tt := range []struct {
			name, want string
			end        *retrieval.AttemptError
		}{
			{"a failed attempt is tried again, and the message says which attempt comes",
				`^Reindex stopped after 10 s: something went wrong on footnote's side \(error id [0-9a-f]{8}\)\. What it did is kept; ` +
					`it is tried again shortly \(attempt 2 of 5\), from there\.\n`,
				&retrieval.AttemptError{Err: unreachable, Attempt: 1, MaxAttempts: 5, Next: retrieval.JobRetrying}},
			{"the last failed attempt says the reindex was given up and how to start it again",
				`^Reindex stopped after 10 s: something went wrong on footnote's side \(error id [0-9a-f]{8}\)\. What it did is kept; ` +
					`it was tried 5 times and is given up; /reindex starts it again from there\.\n`,
				&retrieval.AttemptError{Err: unreachable, Attempt: 5, MaxAttempts: 5, Next: retrieval.JobFailed}},
			{"an attempt that used its time slice is paused, not failed",
				`^Reindex paused after 10 s: it carries on from there as soon as a worker is free\.\n▰▰▰▰▱▱▱▱▱▱ 120 / 300 passages$`,
				&retrieval.AttemptError{Err: errors.New("this part took 45m0s"), Attempt: 1, MaxAttempts: 5, Next: retrieval.JobQueued}},
			{"an attempt handed back because footnote is stopping says so",
				`^Reindex stopped after 10 s: footnote was stopped\. What it did is kept; the next run continues from there\.\n`,
				&retrieval.AttemptError{Err: fmt.Errorf("interrupted (%w)", context.Canceled), Attempt: 1, MaxAttempts: 5, Next: retrieval.JobQueued}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				h, r, clk := start(t, "")
				clk.advance(10 * time.Second)
				update(t, h, r, 120)
				r.Finish(ctx, retrieval.ReindexStats{}, tt.end)
				edits := h.discord.recorded(channelEdit(channel, r.MessageID()))
				got := edits[len(edits)-1].str("content")
				if !regexp.MustCompile(tt.want).MatchString(got) {
					t.Errorf("last edit = %q, want it to match %s", got, tt.want)
				}
				if strings.Contains(got, "unreachable") {
					t.Error("the channel message shows the internal error")
				}
			})
		}
	})
}
