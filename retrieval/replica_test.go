package retrieval_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestMain(m *testing.M) { retrievaltest.RunWithClusters(m) }

// syncBuffer is a log destination the store's checks and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// A real primary and a real streaming replica (pg_basebackup, hot standby), on private
// ports: searches and listings run on the replica, the author of an article finds it at
// once even while the replica's replay is paused, and a stopped replica leaves the reads
// to the primary. That the replica served a search is shown by what it cannot know: with
// its replay paused, an article another process added is missing from the search.
func TestReadReplicas(t *testing.T) {
	primary := retrievaltest.NewCluster(t)
	replica := primary.StartReplica()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := primary.Store(retrieval.WithReplicas([]string{replica.DSN()}, log))
	e, coll := primary.EngineOn(s)
	other, _ := primary.EngineOn(primary.Store()) // another process, without replicas: it marks its writes in the primary only
	add := func(e *retrieval.Engine, name, text string) {
		t.Helper()
		if _, err := e.AddFile(ctx, coll, name, []byte(text), "alice"); err != nil {
			t.Fatalf("add %s: %v", name, err)
		}
	}
	// found searches for the words of an article's title and says whether that article
	// came back.
	found := func(title string) bool {
		t.Helper()
		res, err := e.Search(ctx, coll, title, 5, retrieval.Filter{})
		if err != nil {
			t.Fatalf("search %q: %v", title, err)
		}
		for _, r := range res {
			if r.Title == title {
				return true
			}
		}
		return false
	}
	reads := func(target, reason string) float64 { return retrieval.ReplicaReads(s, target, reason) }

	t.Run("searches and listings run on the replica once it has replayed the primary's writes", func(t *testing.T) {
		add(other, "harbour.txt", "Granite harbour wall\n\nThe harbour wall was repaired with granite in spring.")
		replica.WaitForReplay(primary)
		before := reads("replica", "ok")
		if !found("Granite harbour wall") {
			t.Fatal("the search found nothing of the article on the replica")
		}
		if _, _, err := e.ListArticles(ctx, coll, "", 0, 10); err != nil {
			t.Fatalf("list articles: %v", err)
		}
		if _, err := e.Feeds(ctx, coll); err != nil {
			t.Fatalf("list feeds: %v", err)
		}
		if _, err := e.JobCounts(ctx); err != nil {
			t.Fatalf("count jobs: %v", err)
		}
		if got := reads("replica", "ok") - before; got != 4 {
			t.Errorf("%v reads ran on the replica, want one for the search and one per listing (articles, feeds, jobs)", got)
		}
		if got := reads("primary", "down") + reads("primary", "lagging") + reads("primary", "failed"); got != 0 {
			t.Errorf("%v reads went to the primary, want none", got)
		}
	})

	t.Run("the store's series are there to register for /metrics", func(t *testing.T) {
		reg := prometheus.NewRegistry()
		reg.MustRegister(s.Collectors()...)
		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range families {
			names = append(names, f.GetName())
		}
		if got := strings.Join(names, " "); got != "footnote_db_reads_total footnote_db_replica_lag_seconds" {
			t.Errorf("the store's series are %q", got)
		}
	})

	replica.PauseReplay()
	t.Run("a write that left no mark is missing while the replica's replay is paused, so the replica served the search", func(t *testing.T) {
		add(other, "lighthouse.txt", "Vermilion lighthouse\n\nThe lighthouse keeper painted the tower vermilion.")
		primary.Exec(`DELETE FROM write_marks`) // as a writer that marks nothing would leave it
		if found("Vermilion lighthouse") {
			t.Fatal("the search found an article the paused replica cannot hold: it did not run on the replica")
		}
	})

	t.Run("an article added by a process without replicas is found at once by one that reads from them: the primary has standbys, so it marked its write", func(t *testing.T) {
		before := reads("primary", "recent_write")
		add(other, "bollards.txt", "Iron harbour bollards\n\nThe harbour bollards were recast in iron this year.")
		if !found("Iron harbour bollards") {
			t.Fatal("a search through this server right after another process's add did not find the article")
		}
		if reads("primary", "recent_write") == before {
			t.Error("the search was not counted as sent to the primary for another process's recent write")
		}
	})

	t.Run("an article added through another server that reads from the replica is found at once: the primary holds its mark", func(t *testing.T) {
		peer, _ := primary.EngineOn(primary.Store(retrieval.WithReplicas([]string{replica.DSN()}, log)))
		before := reads("primary", "recent_write")
		add(peer, "lanterns.txt", "Copper quay lanterns\n\nThe quay lanterns were cast in copper last winter.")
		if !found("Copper quay lanterns") {
			t.Fatal("a search through this server right after another server's add did not find the article")
		}
		if reads("primary", "recent_write") == before {
			t.Error("the search was not counted as sent to the primary for another server's recent write")
		}
	})

	t.Run("the author finds an article at once while the replica lags: the read goes to the primary", func(t *testing.T) {
		before := reads("primary", "own_write")
		add(e, "ferry.txt", "Ferry to the island at dawn\n\nThe ferry now sails to the island at dawn, twice a week.")
		if !found("Ferry to the island at dawn") {
			t.Fatal("the author's search right after the add did not find the article")
		}
		if reads("primary", "own_write") == before {
			t.Error("the author's search was not counted as sent to the primary for the author's own write")
		}
	})

	replica.ResumeReplay()
	t.Run("once the replica has replayed the author's write, the author's reads go back to it", func(t *testing.T) {
		replica.WaitForReplay(primary)
		before := reads("replica", "ok")
		deadline := time.Now().Add(10 * time.Second)
		for reads("replica", "ok") == before { // the replica's position is checked again within replicaCheckEvery
			if time.Now().After(deadline) {
				t.Fatal("the author's searches did not go back to the replica after it replayed the write")
			}
			if !found("Ferry to the island at dawn") {
				t.Fatal("the search did not find the author's article")
			}
			time.Sleep(50 * time.Millisecond)
		}
	})

	t.Run("a question asked leaves no read-your-writes mark: the next search still reads the replica", func(t *testing.T) {
		before := reads("primary", "own_write")
		if _, err := e.Ask(ctx, coll, "When does the ferry sail to the island?", retrieval.AskOptions{}); err != nil {
			t.Fatalf("ask: %v", err)
		}
		if !found("Ferry to the island at dawn") {
			t.Fatal("the search after the question did not find the article")
		}
		if got := reads("primary", "own_write") - before; got != 0 {
			t.Errorf("%v reads went to the primary for the question's own record, want none", got)
		}
	})

	t.Run("a replica cut off from a quiet primary serves while it holds all the primary wrote, and not after", func(t *testing.T) {
		// Nothing on the primary writes WAL while the test waits (no autovacuum, no timed
		// checkpoint), so the replica stays as current as it was when it was cut off.
		primary.Exec(`ALTER SYSTEM SET autovacuum = off`)
		primary.Exec(`ALTER SYSTEM SET checkpoint_timeout = '1d'`)
		primary.Exec(`SELECT pg_reload_conf()`)
		replica.WaitForReplay(primary)
		reconnect := replica.CutOff()
		defer func() {
			// Streaming again, and serving again, for the next test.
			reconnect()
			replica.WaitForReplay(primary)
			before := reads("replica", "ok")
			deadline := time.Now().Add(10 * time.Second)
			for reads("replica", "ok") == before {
				if time.Now().After(deadline) {
					t.Fatal("the replica did not serve searches again once it streamed again")
				}
				found("Cobalt quay lamps")
				time.Sleep(50 * time.Millisecond)
			}
		}()
		// Past the lag bound since the replica's last replayed transaction: measured by
		// that alone, the replica would count as lagging now.
		time.Sleep(retrieval.MaxReplicaLag + time.Second)
		before, lagging := reads("replica", "ok"), reads("primary", "lagging")
		if !found("Vermilion lighthouse") {
			t.Fatal("the search did not find the article")
		}
		if reads("replica", "ok") == before || reads("primary", "lagging") != lagging {
			t.Errorf("the current, cut-off replica did not serve the search (replica ok %v -> %v, primary lagging %v -> %v)",
				before, reads("replica", "ok"), lagging, reads("primary", "lagging"))
		}
		// Another process writes: the cut-off replica cannot have it, so it is behind.
		add(other, "quay.txt", "Cobalt quay lamps\n\nThe quay lamps were painted cobalt blue.")
		time.Sleep(300 * time.Millisecond) // past replicaCheckEvery: the replica is checked again
		if !found("Cobalt quay lamps") {
			t.Error("the search missed another process's article: it ran on the cut-off replica, which cannot hold it")
		}
		if reads("primary", "lagging") == lagging {
			t.Error("no read was counted as sent to the primary for the lagging replica")
		}
	})

	replica.Stop("fast")
	t.Run("a stopped replica is skipped with a log line and the primary answers", func(t *testing.T) {
		if !found("Vermilion lighthouse") {
			t.Fatal("with the replica stopped, the search found nothing")
		}
		if got := reads("primary", "failed") + reads("primary", "down"); got == 0 {
			t.Error("no read was counted as sent to the primary for the stopped replica")
		}
		if got := reads("primary", "failed"); got > 1 {
			t.Errorf("%v of the search's queries failed on the stopped replica first, want at most one: once a query finds it down, the rest go straight to the primary", got)
		}
		if !strings.Contains(logs.String(), "read replica is down") {
			t.Errorf("no log line says the replica is down; the log:\n%s", logs.String())
		}
		if strings.Contains(logs.String(), "password") {
			t.Errorf("the log names a password:\n%s", logs.String())
		}
	})
}

// A process without read replicas marks its writes in write_marks only while the primary
// has a standby streaming from it, for the processes that read from the standbys; with
// none (most installations) a write costs no statement more and leaves no mark.
func TestWritesAreMarkedOnlyWhenThePrimaryHasStandbys(t *testing.T) {
	primary := retrievaltest.NewCluster(t)
	ctx := context.Background()
	e, coll := primary.Engine()
	if _, err := e.AddFile(ctx, coll, "pier.txt", []byte("Oak pier\n\nThe pier was rebuilt in oak after the storm."), "alice"); err != nil {
		t.Fatal(err)
	}
	if n := primary.Count(`SELECT count(*) FROM write_marks`); n != 0 {
		t.Errorf("%d write marks without a standby; want none", n)
	}
	primary.StartReplica()
	// A process started now (the first finds out within standbyCheckEvery).
	later, _ := primary.EngineOn(primary.Store())
	if _, err := later.AddFile(ctx, coll, "slip.txt", []byte("Slipway\n\nThe slipway was lengthened for the lifeboat."), "alice"); err != nil {
		t.Fatal(err)
	}
	if n := primary.Count(`SELECT count(*) FROM write_marks WHERE collection = $1`, coll); n != 1 {
		t.Errorf("%d write marks for the collection with a standby streaming; want 1", n)
	}
}
