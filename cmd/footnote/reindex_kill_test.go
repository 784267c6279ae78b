package main

// A reindex killed with SIGKILL part-way through, then run again: the real binary, in
// processes of its own, against a fresh database and a slow fake embedding server.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// buildFootnote builds the footnote binary into a directory of the test's and returns its
// path. One test runs the binary; a second would share the build through a sync.Once.
func buildFootnote(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build footnote: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "footnote")
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// killCorpus is n articles of six paragraphs each, as `footnote import` reads them.
func killCorpus(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"url":"https://gazette.example/%d","title":"Harbour story %d","published":"2024-05-02","text":"`, i, i)
		for p := range 6 {
			fmt.Fprintf(&b, "Paragraph %d of story %d. The harbour council met residents about berth %d, the ferry timetable, noise on the quay and parking near the fish market; ", p, i, i*3+p)
			b.WriteString("the chair said the works would take two summers and cost less than the tram extension, and residents asked for a second meeting in the autumn. ")
			b.WriteString(`\n\n`)
		}
		b.WriteString("\"}\n")
	}
	return b.String()
}

// subprocess is a footnote process the test runs, with its output.
type subprocess struct {
	cmd            *exec.Cmd
	stdout, stderr lockedBuffer
	done           chan error
}

// startFootnote starts bin with args and env (and nothing else of the test's environment
// but PATH, HOME and PGPASSFILE, where the cluster's passwords are), killed when the test
// ends if still running.
func startFootnote(t *testing.T, bin string, env map[string]string, args ...string) *subprocess {
	t.Helper()
	p := &subprocess{cmd: exec.Command(bin, args...), done: make(chan error, 1)}
	p.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if pf := os.Getenv("PGPASSFILE"); pf != "" {
		p.cmd.Env = append(p.cmd.Env, "PGPASSFILE="+pf)
	}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start footnote %s: %v", strings.Join(args, " "), err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// wait waits up to d for the process to exit and returns its error, failing the test
// (with the process's stderr) when it is still running by then.
func (p *subprocess) wait(t *testing.T, d time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		return err
	case <-time.After(d):
		t.Fatalf("footnote %s still running after %s; stderr:\n%s", strings.Join(p.cmd.Args[1:], " "), d, p.stderr.String())
		return nil
	}
}

// queryInt runs a query returning one integer on conn.
func queryInt(t *testing.T, conn *pgx.Conn, q string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// killResumeBound is how long the second `footnote reindex` may take to finish after the
// first was killed: its start-up, taking the dead process's job back (jobs.orphanAfter,
// 10 s after it first looks), and embedding what was left (about 1.5 s against the slow
// server). It took 12 s here; the bound leaves room for a loaded machine.
const killResumeBound = 60 * time.Second

func TestAReindexKilledMidwayResumesWhenRunAgain(t *testing.T) {
	bin := buildFootnote(t)
	dsn := retrievaltest.FreshDatabase(t)
	ctx := context.Background()
	fast := oaitest.New(t)
	const model = "kill-model"
	env := map[string]string{"DATABASE_URL": retrievaltest.RuntimeDSN(dsn), "DATABASE_OWNER_URL": dsn, "OPENAI_BASE_URL": fast.URL, "FOOTNOTE_EMBED_MODEL": model,
		"FOOTNOTE_EMBED_DIMS": "8"}
	imp := startFootnote(t, bin, env, "import", writeFile(t, t.TempDir(), "articles.jsonl", killCorpus(300)))
	if err := imp.wait(t, 2*time.Minute); err != nil {
		t.Fatalf("import: %v\n%s", err, imp.stderr.String())
	}

	// The reindex into 16 dimensions embeds against a server that takes a while over each
	// request (64 passages), so that it is killed with some of its batches written.
	slow := oaitest.New(t, oaitest.Reply{Delay: 150 * time.Millisecond})
	env["OPENAI_BASE_URL"], env["FOOTNOTE_EMBED_DIMS"] = slow.URL, "16"
	db, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	passages := queryInt(t, db, "SELECT count(*) FROM chunks")
	inSpace := func(dims int) int {
		return queryInt(t, db, `SELECT count(*) FROM embeddings e JOIN embedding_spaces s ON s.id = e.space_id
			WHERE s.model = $1 AND s.dims = $2`, model, dims)
	}
	if old := inSpace(8); passages < 500 || old != passages {
		t.Fatalf("imported %d passages, %d of them embedded; want several batches' worth, all embedded", passages, old)
	}

	first := startFootnote(t, bin, env, "reindex")
	deadline := time.Now().Add(time.Minute)
	for n := inSpace(16); n == 0 || n == passages; n = inSpace(16) {
		if n == passages || time.Now().After(deadline) {
			t.Fatalf("%d of %d passages embedded when the kill was due; stderr:\n%s", n, passages, first.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.wait(t, 10*time.Second)
	killedAt := inSpace(16)
	t.Logf("killed with %d of %d passages embedded in the new space", killedAt, passages)

	began := time.Now()
	second := startFootnote(t, bin, env, "reindex")
	err = second.wait(t, killResumeBound+30*time.Second)
	took := time.Since(began)
	t.Logf("the second reindex took %s; stderr:\n%s", took.Round(time.Millisecond), second.stderr.String())
	if err != nil {
		t.Fatalf("second reindex: %v\nstderr:\n%s", err, second.stderr.String())
	}

	t.Run("it finishes in bounded time, embedding only what the killed one had left", func(t *testing.T) {
		if took > killResumeBound {
			t.Errorf("took %s, want at most %s", took, killResumeBound)
		}
		m := regexp.MustCompile(`, (\d+) embedded, `).FindStringSubmatch(second.stdout.String())
		if m == nil {
			t.Fatalf("stdout = %q, want the stats line", second.stdout.String())
		}
		if n, _ := strconv.Atoi(m[1]); n != passages-killedAt {
			t.Errorf("embedded %d, want the %d the killed reindex had left", n, passages-killedAt)
		}
	})
	t.Run("every passage has exactly one vector in the new space", func(t *testing.T) {
		n := inSpace(16)
		distinct := queryInt(t, db, `SELECT count(DISTINCT e.chunk_id) FROM embeddings e JOIN embedding_spaces s ON s.id = e.space_id
			WHERE s.model = $1 AND s.dims = 16`, model)
		if n != passages || distinct != passages {
			t.Errorf("%d vectors for %d distinct passages in the new space, want %d of each", n, distinct, passages)
		}
	})
	t.Run("no posting is duplicated and every passage keeps its postings", func(t *testing.T) {
		dups := queryInt(t, db, `SELECT count(*) FROM (SELECT 1 FROM postings GROUP BY collection, term, chunk_id HAVING count(*) > 1) d`)
		bare := queryInt(t, db, `SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.chunk_id = c.id)`)
		if dups != 0 || bare != 0 {
			t.Errorf("%d duplicated postings, %d passages without postings; want none", dups, bare)
		}
	})
	t.Run("the old space's vectors are deleted", func(t *testing.T) {
		if n := inSpace(8); n != 0 {
			t.Errorf("%d vectors left in the old space", n)
		}
	})
	t.Run("the job is done, with the killed attempt recorded", func(t *testing.T) {
		var state string
		var errs []byte
		if err := db.QueryRow(ctx, `SELECT state::text, coalesce(array_to_json(errors)::text, '') FROM river_job WHERE kind = 'reindex'`).Scan(&state, &errs); err != nil {
			t.Fatal(err)
		}
		if state != "completed" || !bytes.Contains(errs, []byte("stopped")) {
			t.Errorf("job %s with errors %s; want completed, saying an attempt's process stopped", state, errs)
		}
	})
}
