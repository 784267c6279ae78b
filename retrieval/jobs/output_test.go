package jobs

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/footnote-bot/footnote/retrieval"
)

// TestAReindexRecordsItsStatsWithItsCompletion reads a reindex job's row the moment its
// work returns, before River completes it: the stats must not be there yet (a reader would
// see a job still running that says it is done), and must be there once it is completed,
// written by the same update.
func TestAReindexRecordsItsStatsWithItsCompletion(t *testing.T) {
	dsn, e, coll := newDB(t)
	ctx := context.Background()
	line := `{"url":"https://quay.example/n/1","title":"Quay note","text":"The harbour master moved the ferry's berth to the north quay on Monday."}`
	if _, err := e.Import(ctx, coll, strings.NewReader(line+"\n"), func(retrieval.LineReport) {}); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	type seen struct {
		state  rivertype.JobState
		output ReindexOutput
		err    error
	}
	atReturn := make(chan seen, 1)
	rc := riverConfig(Config{Engine: e, Work: WorkAll, Log: slog.New(slog.DiscardHandler), onlyQueues: []string{QueueReindex}}, nil)
	rc.PeriodicJobs = nil
	rc.Middleware = []rivertype.Middleware{river.WorkerMiddlewareFunc(
		func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
			err := doInner(ctx)
			var s seen
			s.err = pool.QueryRow(ctx, `SELECT state, coalesce(metadata -> 'output', 'null') FROM river_job WHERE id = $1`, job.ID).
				Scan(&s.state, &s.output)
			atReturn <- s
			return err
		})}
	client, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = client.Stop(sctx)
	}()
	res, err := client.Insert(ctx, ReindexArgs{Collection: coll}, nil)
	if err != nil {
		t.Fatal(err)
	}

	s := <-atReturn
	if s.err != nil || s.state != rivertype.JobStateRunning || s.output.Stats != nil {
		t.Errorf("when the work returned, the job was %s with output %+v (%v); want it running, without stats yet", s.state, s.output, s.err)
	}
	j := waitJob(t, e, res.Job.ID, retrieval.JobDone, retrieval.JobFailed)
	out, err := ParseReindexOutput(j.Output)
	if j.Phase != retrieval.JobDone || err != nil || out.Stats == nil || out.Stats.Passages != 1 || out.Plan == nil {
		t.Errorf("the job ended %s with output %+v (%v); want it done with its plan and stats (1 passage)", j.Phase, out, err)
	}
}
