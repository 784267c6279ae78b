//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// outageLines is an import file of n articles, one a line.
func outageLines(n int) []string {
	var lines []string
	for i := range n {
		lines = append(lines, fmt.Sprintf(`{"url":"https://news.example/outage/%d","text":"Report %d: the quay reopens after repairs."}`, i, i))
	}
	return lines
}

// gate is a reader that runs fn when it is first read, then ends: between two readers of
// an io.MultiReader, it holds the input back until fn returns.
type gate struct{ fn func() }

func (g *gate) Read([]byte) (int, error) {
	if g.fn != nil {
		g.fn()
		g.fn = nil
	}
	return 0, io.EOF
}

// waitForArticles waits until coll holds n articles, looking through c, and fails the test
// after 30 s. It may run on any goroutine.
func waitForArticles(t *testing.T, c *pgx.Conn, coll string, n int) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var got int
		if err := c.QueryRow(context.Background(), `SELECT count(*) FROM articles WHERE collection = $1`, coll).Scan(&got); err != nil {
			t.Errorf("count articles: %v", err)
			return
		}
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("the import stored %d articles in 30 s, want %d", got, n)
			return
		}
		time.Sleep(20 * time.Millisecond) // polling for a condition, not waiting for nothing
	}
}

func TestCLIImportStopsOnADatabaseOutageAndResumes(t *testing.T) {
	_, coll, _, _ := newCLI(t)
	db := retrievaltest.Conn(t) // straight to the database, whatever the proxy does
	proxy, dsn := retrievaltest.NewProxy(t)
	t.Cleanup(proxy.Restore)
	viaProxy := cli{env: map[string]string{"DATABASE_URL": dsn, "FOOTNOTE_DB_WAIT": "1s"}}
	lines := outageLines(200)
	head, tail := strings.Join(lines[:100], "\n")+"\n", strings.Join(lines[100:], "\n")+"\n"

	// The first 64 lines (one batch) are stored; then the database goes away for good,
	// before the import's next statement: not as the first batch's COMMIT is answered
	// (the articles are visible to others a moment before the answer is back), which the
	// next test plays.
	var out, errb bytes.Buffer
	stdin := io.MultiReader(strings.NewReader(head), &gate{fn: func() {
		waitForArticles(t, db, coll, 64)
		proxy.CutBeforeNextSend()
	}}, strings.NewReader(tail))
	err := run(context.Background(), []string{"import", "--collection", coll, "-"}, stdin, &out, &errb, viaProxy.getenv)

	t.Run("the import stops with exit status 75 and says the database went away and how to resume", func(t *testing.T) {
		if err == nil || exitCode(err) != exitTempFail {
			t.Fatalf("import = %v (exit %d), want exit %d", err, exitCode(err), exitTempFail)
		}
		var b bytes.Buffer
		report(&b, err)
		t.Logf("REPORT %s\nSTDERR %s\nSTDOUT %s", b.String(), errb.String(), out.String())
		for _, want := range []string{"footnote: import standard input stopped: the database went away (",
			"database unavailable: no answer for", "lines 1-64 are done. Run the same command again to resume"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("reported %q, want it to say %q", b.String(), want)
			}
		}
	})
	t.Run("no line is reported as failed for the outage", func(t *testing.T) {
		if want := regexp.MustCompile(`^imported 64 lines in \S+: 64 added, 0 updated, 0 unchanged, 0 duplicates, 0 failed; 64 passages\n$`); !want.MatchString(out.String()) {
			t.Errorf("stdout = %q, want 64 added and none failed", out.String())
		}
		if regexp.MustCompile(`line \d+: `).MatchString(errb.String()) {
			t.Errorf("stderr blames lines: %s", errb.String())
		}
	})

	proxy.Restore()
	t.Run("running it again stores the rest, each article once", func(t *testing.T) {
		out, stderr := viaProxy.must(t, head+tail, "import", "--collection", coll, "-")
		if want := regexp.MustCompile(`: 136 added, 0 updated, 64 unchanged, 0 duplicates, 0 failed;`); !want.MatchString(out) {
			t.Errorf("stdout = %q (stderr %q), want the other 136 added and the first 64 unchanged", out, stderr)
		}
		var n, urls int
		if err := db.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT url) FROM articles WHERE collection = $1`, coll).Scan(&n, &urls); err != nil || n != 200 || urls != 200 {
			t.Errorf("the collection holds %d articles, %d URLs (%v); want 200 of each", n, urls, err)
		}
	})
}

// The database goes away as the first batch is committed: the batch is stored, and the
// import cannot know it. It must not say that no line was stored, nor blame a line; running
// it again finds the batch stored.
func TestCLIImportCutAsABatchCommitsSaysItMayBeStored(t *testing.T) {
	_, coll, _, _ := newCLI(t)
	db := retrievaltest.Conn(t)
	proxy, dsn := retrievaltest.NewProxy(t)
	t.Cleanup(proxy.Restore)
	viaProxy := cli{env: map[string]string{"DATABASE_URL": dsn, "FOOTNOTE_DB_WAIT": "1s"}}
	input := strings.Join(outageLines(100), "\n") + "\n"

	proxy.CutAfterCommit()
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"import", "--collection", coll, "-"}, strings.NewReader(input), &out, &errb, viaProxy.getenv)
	var b bytes.Buffer
	report(&b, err)
	t.Logf("REPORT %s\nSTDERR %s\nSTDOUT %s", b.String(), errb.String(), out.String())
	if exitCode(err) != exitTempFail {
		t.Fatalf("import = %v (exit %d), want exit %d", err, exitCode(err), exitTempFail)
	}
	var n int
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM articles WHERE collection = $1`, coll).Scan(&n); err != nil || n != 64 {
		t.Fatalf("the collection holds %d articles (%v); want the first batch's 64, committed", n, err)
	}
	for _, want := range []string{"stopped: the database went away (store lines 1-64: database unavailable: no answer for",
		"); lines 1-64 may be stored (the database went away as they were committed). Run the same command again to resume"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("reported %q, want it to say %q", b.String(), want)
		}
	}
	if strings.Contains(b.String(), "no line was stored") || regexp.MustCompile(`line \d+: `).MatchString(errb.String()) {
		t.Errorf("the report says no line was stored, or blames a line: %q, stderr %q", b.String(), errb.String())
	}

	proxy.Restore()
	again, stderr := viaProxy.must(t, input, "import", "--collection", coll, "-")
	if want := regexp.MustCompile(`: 36 added, 0 updated, 64 unchanged, 0 duplicates, 0 failed;`); !want.MatchString(again) {
		t.Errorf("again: stdout = %q (stderr %q), want the first 64 found stored, the other 36 added", again, stderr)
	}
}

func TestCLIAddDuringAnOutageSaysTheDatabaseIsUnavailable(t *testing.T) {
	_, coll, dir, _ := newCLI(t)
	proxy, dsn := retrievaltest.NewProxy(t)
	t.Cleanup(proxy.Restore)
	viaProxy := cli{env: map[string]string{"DATABASE_URL": dsn}}
	// add opens the file once it has connected: a FIFO lets the test cut the database
	// between the two, when its writer's open returns.
	fifo := filepath.Join(dir, "ferry.md")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- run(context.Background(), []string{"add", "--collection", coll, fifo}, strings.NewReader(""), &out, &errb, viaProxy.getenv)
	}()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatalf("open the FIFO: %v", err)
	}
	proxy.Cut()
	fmt.Fprint(w, "# Ferry resumes\n\nThe harbour ferry runs again from Monday, the port said.")
	w.Close()
	err = <-done

	var b bytes.Buffer
	report(&b, err)
	t.Logf("REPORT %s", b.String())
	if exitCode(err) != exitTempFail || !strings.Contains(b.String(), "database unavailable") ||
		!strings.Contains(b.String(), "(try again once the database is back: the input is not at fault)") ||
		strings.Contains(b.String(), "invalid input") {
		t.Errorf("add = %q (exit %d), want the database named as unavailable, a retry, exit %d", b.String(), exitCode(err), exitTempFail)
	}
}
