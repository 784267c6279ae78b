package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// firstBatch is the last line of an import's first transaction (one batch, importBatch; the
// second takes two, lines 65-192, as maxWriteUnits says): once it is
// reported, that batch is committed and the next one is about to be written.
const firstBatch = 64

// outageFile is an import file of n articles, several batches long.
func outageFile(t *testing.T, n int) string {
	var docs []doc
	for i := range n {
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/outage/%d", i),
			Text: fmt.Sprintf("Report %d on the harbour works.\n\nThe quay reopens after repairs number %d.", i, i)})
	}
	return jsonl(t, docs...)
}

// logLines is a slog handler that keeps the messages logged, for tests that wait for one.
type logLines struct {
	mu   sync.Mutex
	msgs []string
	seen chan string // every message, when a test listens; never blocks
}

func newLogLines() *logLines { return &logLines{seen: make(chan string, 100)} }

func (h *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (h *logLines) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	h.msgs = append(h.msgs, r.Message)
	h.mu.Unlock()
	select {
	case h.seen <- r.Message:
	default:
	}
	return nil
}
func (h *logLines) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logLines) WithGroup(string) slog.Handler      { return h }

// has reports whether a message containing s was logged.
func (h *logLines) has(s string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.ContainsFunc(h.msgs, func(m string) bool { return strings.Contains(m, s) })
}

// checkStoredOnce fails unless coll holds exactly n articles, each once and each with its
// passages, and no passage without its article.
func checkStoredOnce(t *testing.T, coll string, n int) {
	t.Helper()
	c := conn(t)
	for _, q := range []struct {
		what string
		sql  string
		want int
	}{
		{"articles", `SELECT count(*) FROM articles WHERE collection = $1`, n},
		{"distinct URLs", `SELECT count(DISTINCT url) FROM articles WHERE collection = $1`, n},
		{"articles without passages", `SELECT count(*) FROM articles a WHERE collection = $1
			AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.article_id = a.id)`, 0},
		{"passages without their article", `SELECT count(*) FROM chunks c WHERE collection = $1
			AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = c.article_id)`, 0},
	} {
		if got := count(t, c, q.sql, coll); got != q.want {
			t.Errorf("%s: %d, want %d", q.what, got, q.want)
		}
	}
}

func TestImportStopsWhenTheDatabaseStaysAwayAndARerunResumes(t *testing.T) {
	const articles = 200
	proxy, dsn := retrievaltest.NewProxy(t)
	e, coll := retrievaltest.EngineOn(t, retrievaltest.StoreAt(t, dsn), retrievaltest.WithOutageWait(700*time.Millisecond))
	t.Cleanup(proxy.Restore) // before the collection is removed through the proxy
	file := outageFile(t, articles)

	var reports []retrieval.LineReport
	st, err := e.Import(context.Background(), coll, strings.NewReader(file), func(r retrieval.LineReport) {
		reports = append(reports, r)
		if r.Line == firstBatch {
			proxy.Cut()
		}
	})
	t.Run("the import fails, saying the database is unavailable", func(t *testing.T) {
		if !errors.Is(err, retrieval.ErrUnavailable) || !retrieval.IsUnavailable(err) {
			t.Fatalf("Import = %v, want an error wrapping ErrUnavailable", err)
		}
		if !strings.Contains(err.Error(), "store lines 65-192: database unavailable: no answer for") {
			t.Errorf("error %q does not say which lines waited, and how long", err)
		}
	})
	t.Run("no line is blamed for the outage", func(t *testing.T) {
		var failed []int
		for _, r := range reports {
			if r.Err != nil {
				failed = append(failed, r.Line)
			}
		}
		if st.Failed != 0 || len(failed) > 0 || len(reports) != firstBatch || st.Added != firstBatch {
			t.Errorf("stats %+v, %d lines reported, failed %v; want the first %d added and none failed",
				st, len(reports), failed, firstBatch)
		}
	})

	proxy.Restore()
	t.Run("running the same import again stores the rest, each article once", func(t *testing.T) {
		again, err := e.Import(context.Background(), coll, strings.NewReader(file), nil)
		if err != nil {
			t.Fatalf("second Import: %v", err)
		}
		if again.Unchanged != firstBatch || again.Added != articles-firstBatch || again.Failed != 0 {
			t.Errorf("second import %+v, want %d unchanged and %d added", again, firstBatch, articles-firstBatch)
		}
		checkStoredOnce(t, coll, articles)
	})
}

func TestImportWaitsOutABriefOutage(t *testing.T) {
	const articles = 200
	proxy, dsn := retrievaltest.NewProxy(t)
	logs := newLogLines()
	e, coll := retrievaltest.EngineOn(t, retrievaltest.StoreAt(t, dsn),
		retrievaltest.WithLog(slog.New(logs)), retrievaltest.WithOutageWait(time.Minute))
	t.Cleanup(proxy.Restore)

	// The database comes back once the import has noticed that it is gone.
	back, stop := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(back)
		for {
			select {
			case m := <-logs.seen:
				if strings.Contains(m, "database is unavailable") {
					proxy.Restore()
					return
				}
			case <-stop:
				return
			}
		}
	}()
	st, err := e.Import(context.Background(), coll, strings.NewReader(outageFile(t, articles)), func(r retrieval.LineReport) {
		if r.Err != nil {
			t.Errorf("line %d failed: %v", r.Line, r.Err)
		}
		if r.Line == firstBatch {
			proxy.Cut()
		}
	})
	close(stop)
	<-back
	if err != nil || st.Added != articles || st.Failed != 0 {
		t.Fatalf("Import = %+v, %v; want all %d added", st, err, articles)
	}
	if !logs.has("the database is back") {
		t.Errorf("log %q does not say the database came back", logs.msgs)
	}
	checkStoredOnce(t, coll, articles)
}

func TestImportRecoversWhenItsConnectionsAreTerminated(t *testing.T) {
	const articles = 200
	app := strings.ReplaceAll(retrievaltest.Collection(t), "_", "")
	dsn := retrievaltest.DSN()
	if strings.Contains(dsn, "?") {
		dsn += "&application_name=" + app
	} else {
		dsn += "?application_name=" + app
	}
	logs := newLogLines()
	e, coll := retrievaltest.EngineOn(t, retrievaltest.StoreAt(t, dsn), retrievaltest.WithLog(slog.New(logs)))
	admin := conn(t)
	terminated := 0
	st, err := e.Import(context.Background(), coll, strings.NewReader(outageFile(t, articles)), func(r retrieval.LineReport) {
		if r.Err != nil {
			t.Errorf("line %d failed: %v", r.Line, r.Err)
		}
		if r.Line == firstBatch {
			// pg_terminate_backend is what an administrator's shutdown does to a session:
			// the server ends it with SQLSTATE 57P01. The import's sessions are found
			// first, by their application name, so no other session can be touched.
			terminated = terminate(t, admin, app)
		}
	})
	if terminated == 0 {
		t.Fatal("no backend of the import was found to terminate")
	}
	if err != nil || st.Added != articles || st.Failed != 0 {
		t.Fatalf("Import = %+v, %v; want all %d added", st, err, articles)
	}
	if logs.has("storing its articles one by one") {
		t.Errorf("the terminated connection was taken for a bad batch: log %q", logs.msgs)
	}
	checkStoredOnce(t, coll, articles)
}

// terminate ends every session of the test database whose application name is app, and
// returns how many it ended.
func terminate(t *testing.T, c *pgx.Conn, app string) int {
	ctx := context.Background()
	rows, err := c.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
	if err != nil {
		t.Errorf("find the import's sessions: %v", err)
		return 0
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		t.Errorf("find the import's sessions: %v", err)
		return 0
	}
	n := 0
	for _, pid := range pids {
		var ok bool
		if err := c.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil {
			t.Errorf("terminate session %d: %v", pid, err)
		} else if ok {
			n++
		}
	}
	return n
}
