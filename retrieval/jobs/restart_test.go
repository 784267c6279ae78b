package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
	"github.com/footnote-bot/footnote/retrieval/text"
)

func TestMain(m *testing.M) { retrievaltest.RunWithClusters(m) }

// restartPassages is the size of the collection reindexed across a restart: more than one
// batch of the keyword-index rebuild (500) and of the embedding (256), so that the server
// goes away between two of them.
const restartPassages = 600

// gateReporter is a reindex job's reporter that holds the reindex, once, when the passages
// done reach at: the test plays its outage while the reindex waits.
type gateReporter struct {
	at      int
	reached chan struct{} // closed when the reindex is held
	release chan struct{} // closed by the test to let it go on

	mu       sync.Mutex
	held     bool
	finishes []string // each attempt's end: "done: R relexed, E embedded" or "failed: ..."
	failed   chan struct{}
}

func newGateReporter(at int) *gateReporter {
	return &gateReporter{at: at, reached: make(chan struct{}), release: make(chan struct{}), failed: make(chan struct{}, 10)}
}

func (g *gateReporter) Start(context.Context, retrieval.ReindexPlan) {}
func (g *gateReporter) MessageID() string                            { return "" }

func (g *gateReporter) Update(done, _ int) {
	g.mu.Lock()
	hold := !g.held && done >= g.at
	g.held = g.held || hold
	g.mu.Unlock()
	if hold {
		close(g.reached)
		<-g.release
	}
}

func (g *gateReporter) Finish(_ context.Context, st retrieval.ReindexStats, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if err != nil {
		g.finishes = append(g.finishes, "failed: "+err.Error())
		g.failed <- struct{}{}
		return
	}
	g.finishes = append(g.finishes, fmt.Sprintf("done: %d relexed, %d embedded", st.Relexed, st.Embedded))
}

func (g *gateReporter) seen() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.finishes...)
}

// waitDone waits up to a minute for job id to be done, through e, which may meet the
// database still coming back (those reads are tried again), and returns it.
func waitDone(t *testing.T, e *retrieval.Engine, id int64) retrieval.Job {
	t.Helper()
	var j retrieval.Job
	deadline := time.Now().Add(time.Minute)
	for {
		var err error
		j, err = e.Job(context.Background(), id)
		if err != nil && !retrieval.IsUnavailable(err) {
			t.Fatalf("Job(%d): %v", id, err)
		}
		if err == nil && (j.Phase == retrieval.JobDone || j.Phase == retrieval.JobFailed) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d not done after a minute: %+v, %v", id, j, err)
		}
		time.Sleep(50 * time.Millisecond) // polling for a condition, not waiting for nothing
	}
}

// checkIndexes fails unless every passage of coll on pg has exactly one vector in space,
// postings that add up to its length (none missing, none twice, none stale), and the
// collection's statistics match its passages, on the current tokeniser and space.
func checkIndexes(t *testing.T, pg *retrievaltest.Cluster, coll string, space int) {
	t.Helper()
	vectors := fmt.Sprintf(`SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = %d`, space)
	for _, q := range []struct {
		what string
		sql  string
		want int
	}{
		{"passages", `SELECT count(*) FROM chunks WHERE collection = $1`, restartPassages},
		{"vectors in the new space", vectors, restartPassages},
		{"passages with a vector in the new space", vectors + ` AND chunk_id IN (SELECT id FROM chunks)`, restartPassages},
		{"vectors left in the old space", fmt.Sprintf(`SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id <> %d`, space), 0},
		{"passages whose postings do not add up to their length", `SELECT count(*) FROM chunks c WHERE collection = $1
			AND c.token_count IS DISTINCT FROM (SELECT sum(tf) FROM postings p WHERE p.chunk_id = c.id)`, 0},
		{"postings whose length is not their passage's", `SELECT count(*) FROM postings p JOIN chunks c ON c.id = p.chunk_id
			WHERE p.collection = $1 AND p.doc_len <> c.token_count`, 0},
		{"statistics off the passages", `SELECT count(*) FROM collections k, (SELECT count(*) AS n, sum(token_count) AS len
			FROM chunks WHERE collection = $1) c WHERE k.name = $1 AND (k.chunk_count, k.token_total) IS DISTINCT FROM (c.n, c.len)`, 0},
		{"collections not on the new space and tokeniser", fmt.Sprintf(`SELECT count(*) FROM collections WHERE name = $1
			AND (active_space IS DISTINCT FROM %d OR lexicon <> %d)`, space, text.Version), 0},
	} {
		if got := pg.Count(q.sql, coll); got != q.want {
			t.Errorf("%s: %d, want %d", q.what, got, q.want)
		}
	}
}

func TestReindexJobAcrossAPostgresRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   int  // passages done when the server goes away
		stop bool // stop, and start only once the attempt has failed; else pg_ctl restart
		// resumed is the last report of an attempt after the first: only what the first had
		// not done when the server went away is done again.
		resumed string
		// work is what the client works: WorkAll as `footnote serve` and `worker` do, whose
		// periodic jobs share the engine's pool, or WorkReindex as `footnote reindex` does
		// with no worker running, the reindex alone on it.
		work Work
	}{
		// The keyword index is rebuilt first (600 passages), then the 600 are embedded.
		{name: "a stop during the keyword-index rebuild fails one attempt, and the next finishes",
			at: 500, stop: true, resumed: "done: 100 relexed, 600 embedded", work: WorkAll},
		{name: "a restart during the embedding is recovered from, embedding only what is left",
			at: restartPassages + 256, resumed: "done: 0 relexed, 344 embedded", work: WorkReindex},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg := retrievaltest.NewCluster(t)
			e, coll := pg.Engine()
			ctx := context.Background()
			var lines strings.Builder
			for i := range restartPassages {
				fmt.Fprintf(&lines, `{"url":"https://news.example/berth/%d","text":"Berth %d reopened after repairs to the quay, the harbour council said."}`+"\n", i, i)
			}
			if st, err := e.Import(ctx, coll, strings.NewReader(lines.String()), nil); err != nil || st.Passages != restartPassages {
				t.Fatalf("import: %+v, %v", st, err)
			}
			// The keyword index is stale (an older tokeniser) and wrong: half the passages
			// have no postings, the others' counts are off. The embedding model changed.
			pg.Exec(`UPDATE collections SET lexicon = 1 WHERE name = $1`, coll)
			pg.Exec(`SELECT footnote_remove_postings($1, array_agg(c.id), array_agg(t.term))
				FROM chunks c, string_to_table(c.terms, ' ') AS t(term) WHERE c.collection = $1 AND c.id % 2 = 0`, coll)
			pg.Exec(`UPDATE chunks SET terms = '' WHERE collection = $1 AND id % 2 = 0`, coll)
			pg.Exec(`UPDATE term_blocks b SET postings = (
				 SELECT footnote_pack_postings(array_agg(u.chunk_id ORDER BY u.chunk_id), array_agg(u.tf + 7 ORDER BY u.chunk_id),
				        array_agg(u.doc_len ORDER BY u.chunk_id))
				 FROM footnote_unpack_postings(b.first_id, b.postings) AS u)
				 WHERE collection = $1`, coll)
			next, _ := pg.Engine(retrievaltest.WithEmbedder(embed.NewHash(128)))

			rep := newGateReporter(tc.at)
			c := start(t, pg.DSN(), Config{Engine: next, Work: tc.work, Reporter: func(ReindexArgs) ReindexReporter { return rep }})
			j, err := c.EnqueueReindex(ctx, ReindexArgs{Collection: coll})
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-rep.reached:
			case <-time.After(time.Minute):
				t.Fatalf("the reindex never reached %d passages; reports %q", tc.at, rep.seen())
			}
			went := time.Now()
			if tc.stop {
				pg.Stop("fast")
				close(rep.release)
				select {
				case <-rep.failed:
				case <-time.After(time.Minute):
					t.Fatalf("the attempt did not fail with the server stopped; reports %q", rep.seen())
				}
				pg.Start()
			} else {
				pg.Restart()
				close(rep.release)
			}
			back := time.Now()
			done := waitDone(t, e, j.ID) // not through next: its pool is the reindex's own
			t.Logf("server away %s; the job was done %s after it was back, in %d attempts; reports %q",
				back.Sub(went).Round(time.Millisecond), time.Since(back).Round(time.Millisecond), done.Attempt, rep.seen())

			if done.Phase != retrieval.JobDone {
				t.Fatalf("job %+v, want done", done)
			}
			// After a restart, the reindex's next statement meets a dead connection (the
			// attempt fails and River runs another), unless the restart took over a second
			// (pgxpool pings a connection idle that long, and drops it) or another user of
			// the pool met one first (the pool was emptied; in WorkAll, a periodic job): then it
			// goes on, until the lease's check (every 2 s) finds the lease's connection dead
			// too and interrupts it, using no attempt, unless it is done first. Whichever way
			// an attempt ended, the next resumes.
			if tc.stop && done.Attempt != 2 {
				t.Errorf("the job took %d attempts, want 2: one failed by the stop, one that finished", done.Attempt)
			}
			got := rep.seen()
			want := fmt.Sprintf("done: %d relexed, %d embedded", restartPassages, restartPassages)
			if len(got) > 1 {
				want = tc.resumed
			}
			if got[len(got)-1] != want {
				t.Errorf("reports %q, want the last %q", got, want)
			}
			checkIndexes(t, pg, coll, next.Space().ID)
		})
	}
}
