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

// reporter records what a reindex job reports.
type reporter struct {
	mu       sync.Mutex
	args     ReindexArgs
	events   []string
	finished chan struct{}
}

func newReporter() *reporter { return &reporter{finished: make(chan struct{}, 10)} }

func (r *reporter) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *reporter) Start(context.Context) { r.add("start") }
func (r *reporter) Update(_ context.Context, done, total int) {
	r.add(fmt.Sprintf("%d/%d", done, total))
}
func (r *reporter) Finish(_ context.Context, st retrieval.ReindexStats, err error) {
	if err != nil {
		r.add("failed: " + err.Error())
	} else {
		r.add(fmt.Sprintf("done: %d embedded", st.Embedded))
	}
	r.finished <- struct{}{}
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
	c := start(t, dsn, Config{Engine: e, Work: WorkAll, Reporter: func(a ReindexArgs) ReindexReporter {
		rep.args = a
		return rep
	}})
	j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll, ChannelID: "chan-9", RequestedBy: "boss"})
	if err != nil {
		t.Fatal(err)
	}
	done := waitJob(t, e, j.ID, retrieval.JobDone, retrieval.JobRetrying, retrieval.JobFailed)
	<-rep.finished

	t.Run("the job is done, with the stats and the progress in its output", func(t *testing.T) {
		out, err := ParseReindexOutput(done.Output)
		if done.Phase != retrieval.JobDone || err != nil || out.Stats == nil || out.Stats.Passages == 0 || out.Done != out.Total {
			t.Fatalf("job %+v, output %+v, %v; want done, with stats and all passages done", done, out, err)
		}
	})
	t.Run("the reporter the job asked for saw it start, progress and finish", func(t *testing.T) {
		ev := rep.seen()
		if rep.args.ChannelID != "chan-9" || rep.args.RequestedBy != "boss" || len(ev) < 3 || ev[0] != "start" ||
			!strings.HasPrefix(ev[len(ev)-1], "done: ") {
			t.Errorf("reporter for %+v saw %q; want start, progress, done", rep.args, ev)
		}
	})
}

func TestAFailedReindexSaysItIsRetried(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	var calls atomic.Int32
	eng := &blockingEngine{Engine: e, reindexF: func(context.Context) (retrieval.ReindexStats, error) {
		calls.Add(1)
		return retrieval.ReindexStats{}, errors.New("embedder unreachable")
	}}
	rep := newReporter()
	c := start(t, dsn, Config{Engine: eng, Work: WorkAll, Reporter: func(ReindexArgs) ReindexReporter { return rep }})
	j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll})
	if err != nil {
		t.Fatal(err)
	}
	<-rep.finished
	var got retrieval.Job
	waitFor(t, "the failure recorded", func() bool {
		got, err = e.Job(ctx, j.ID)
		return err != nil || got.LastError != ""
	})
	if err != nil || got.Attempt < 1 || got.Phase == retrieval.JobFailed || !strings.Contains(got.LastError, "embedder unreachable") {
		t.Errorf("job %+v, %v; want an attempt spent, with the error, and more to come", got, err)
	}
	if ev := rep.seen(); ev[len(ev)-1] != "failed: attempt 1 of 5 failed: embedder unreachable. It is tried again shortly, from where it stopped" {
		t.Errorf("reporter saw %q", ev)
	}
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
