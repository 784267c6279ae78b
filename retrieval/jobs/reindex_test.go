package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

// reporter records what a reindex job reports. Like the bot's report, it posts a message
// on Start unless its arguments name one, and remembers the message's id.
type reporter struct {
	mu       sync.Mutex
	args     []ReindexArgs // of each attempt
	events   []string
	msgID    string
	finished chan struct{}
}

func newReporter() *reporter { return &reporter{finished: make(chan struct{}, 10)} }

// attempt is Config.Reporter: the same reporter for every attempt, given its arguments.
func (r *reporter) attempt(a ReindexArgs) ReindexReporter {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.args, r.msgID = append(r.args, a), a.MessageID
	return r
}

func (r *reporter) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *reporter) Start(_ context.Context, p retrieval.ReindexPlan) {
	r.mu.Lock()
	if r.msgID == "" {
		r.msgID = fmt.Sprintf("posted-%d", len(r.args))
	}
	r.mu.Unlock()
	r.add(fmt.Sprintf("start: %d passages, %d to do", p.Passages, p.Total()))
}

func (r *reporter) Update(done, total int) { r.add(fmt.Sprintf("%d/%d", done, total)) }

func (r *reporter) Finish(_ context.Context, st retrieval.ReindexStats, err error) {
	var end *retrieval.AttemptError
	switch {
	case errors.As(err, &end):
		r.add(end.Next + ": " + err.Error())
	case err != nil:
		r.add("failed without saying what comes next: " + err.Error())
	default:
		r.add(fmt.Sprintf("done: %d embedded", st.Embedded))
	}
	r.finished <- struct{}{}
}

func (r *reporter) MessageID() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgID
}

func (r *reporter) seen() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func TestReindexRunsAsAJob(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	for i := range 3 {
		text := fmt.Sprintf("Story %d. The harbour council met about berth %d and the ferry timetable with residents of the quay.", i, i)
		if _, err := e.AddFile(ctx, coll, fmt.Sprintf("story-%d.txt", i), []byte(text), "alice"); err != nil {
			t.Fatal(err)
		}
	}
	rep := newReporter()
	c := start(t, dsn, Config{Engine: e, Work: WorkAll, Reporter: rep.attempt})
	j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll, ChannelID: "chan-9", MessageID: "queued-1", RequestedBy: "boss", Locale: "pt-BR"})
	if err != nil {
		t.Fatal(err)
	}
	done := waitJob(t, e, j.ID, retrieval.JobDone, retrieval.JobRetrying, retrieval.JobFailed)
	<-rep.finished
	out, err := ParseReindexOutput(done.Output)

	t.Run("the job is done, with its plan, the stats and the progress in its output", func(t *testing.T) {
		if done.Phase != retrieval.JobDone || err != nil || out.Stats == nil || out.Stats.Passages == 0 || out.Done != out.Total {
			t.Fatalf("job %+v, output %+v, %v; want done, with stats and all passages done", done, out, err)
		}
		if out.Plan == nil || out.Plan.Passages != out.Stats.Passages || out.Plan.Space != out.Stats.Space {
			t.Errorf("plan %+v, want the %d passages in %s", out.Plan, out.Stats.Passages, out.Stats.Space)
		}
	})
	t.Run("the reporter the job asked for, in the asker's language, was told the plan first, then the progress and the end", func(t *testing.T) {
		ev := rep.seen()
		want := fmt.Sprintf("start: %d passages, 0 to do", out.Stats.Passages)
		if len(rep.args) != 1 || rep.args[0].ChannelID != "chan-9" || rep.args[0].RequestedBy != "boss" || rep.args[0].Locale != "pt-BR" ||
			len(ev) < 3 || ev[0] != want || !strings.HasPrefix(ev[len(ev)-1], "done: ") {
			t.Errorf("reporter for %+v saw %q; want %q, progress, done", rep.args, ev, want)
		}
	})
	t.Run("the message the job was queued with is the one it reports in, and its output keeps it", func(t *testing.T) {
		if rep.MessageID() != "queued-1" || out.MessageID != "queued-1" {
			t.Errorf("reported in %q, output keeps %q; want queued-1", rep.MessageID(), out.MessageID)
		}
	})
}

func TestAFailedReindexSaysItIsRetriedAndTheRetryReportsInTheSameMessage(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	var calls atomic.Int32
	eng := &blockingEngine{Engine: e, reindexF: func(context.Context) (retrieval.ReindexStats, error) {
		if calls.Add(1) == 1 {
			return retrieval.ReindexStats{}, errors.New("embedder unreachable")
		}
		return retrieval.ReindexStats{Passages: 3, Embedded: 3}, nil
	}}
	rep := newReporter()
	c := start(t, dsn, Config{Engine: eng, Work: WorkAll, Reporter: rep.attempt})
	j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll, ChannelID: "chan-9"})
	if err != nil {
		t.Fatal(err)
	}
	<-rep.finished
	var got retrieval.Job
	waitFor(t, "the failure recorded", func() bool {
		got, err = e.Job(ctx, j.ID)
		return err != nil || got.LastError != ""
	})

	t.Run("the failure is recorded and the reporter is told it is tried again", func(t *testing.T) {
		if err != nil || got.Attempt < 1 || got.Phase == retrieval.JobFailed || !strings.Contains(got.LastError, "embedder unreachable") {
			t.Errorf("job %+v, %v; want an attempt spent, with the error, and more to come", got, err)
		}
		if ev := rep.seen(); ev[len(ev)-1] != "retrying: attempt 1 of 5 failed: embedder unreachable. It is tried again shortly, from where it stopped" {
			t.Errorf("reporter saw %q", ev)
		}
	})
	t.Run("the retry edits the message the first attempt posted", func(t *testing.T) {
		<-rep.finished // River retries after a second or so
		rep.mu.Lock()
		args := rep.args
		rep.mu.Unlock()
		if len(args) != 2 || args[0].MessageID != "" || args[1].MessageID != "posted-1" {
			t.Errorf("attempts were given %+v; want no message, then the first attempt's", args)
		}
		if ev := rep.seen(); !strings.HasPrefix(ev[len(ev)-1], "done: ") {
			t.Errorf("reporter saw %q, want the retry done", ev)
		}
	})
}

// recrawler counts its calls.
type recrawler struct{ calls atomic.Int32 }

func (r *recrawler) RecrawlDue(context.Context) error { r.calls.Add(1); return nil }

func TestPeriodicJobsAreQueuedByTheLeaderAtStart(t *testing.T) {
	dsn, e, _ := newDB(t)
	eng := &blockingEngine{Engine: e}
	rc := &recrawler{}
	start(t, dsn, Config{Engine: eng, Work: WorkAll, Recrawler: rc})
	waitFor(t, "the sweep and the recrawl to run", func() bool { return eng.sweeps.Load() >= 1 && rc.calls.Load() >= 1 })
	idle(t, e, KindPollDue, KindSweepDepartures, KindRecrawlDue)
	counts, err := e.JobCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]int{}
	for _, c := range counts {
		done[c.Kind] = c.Done
	}
	for _, k := range []string{KindPollDue, KindSweepDepartures, KindRecrawlDue} {
		if done[k] != 1 {
			t.Errorf("%s done %d times, want once (at start)", k, done[k])
		}
	}
}
