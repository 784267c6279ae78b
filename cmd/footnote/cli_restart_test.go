//go:build unix

package main

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestMain(m *testing.M) { retrievaltest.RunWithClusters(m) }

const (
	// restartLines is the size of the import the server is stopped under: several batches
	// of 64, so that the stop falls between the first and the rest.
	restartLines = 300
	// restartOutage is how long the server stays down in the tests that wait it out: the
	// time an administrator's restart or a failover takes, and several of the import's
	// tries (200 ms, then doubling).
	restartOutage = 2 * time.Second
)

// importUnderStop runs `footnote import` of restartLines lines into coll on pg, with
// FOOTNOTE_DB_WAIT set to wait. Once the first batch is stored, it stops the server as a
// crash does (pg_ctl stop -m immediate), with the rest of the input held back until then;
// back, when set, is called with the time of the stop once the import has logged that the
// database is unavailable, and may start the server again. It returns stdout, stderr, the input and run's error.
func importUnderStop(t *testing.T, pg *retrievaltest.Cluster, coll, wait string, back func(stopped time.Time)) (stdout, stderr, input string, err error) {
	t.Helper()
	c := cli{env: map[string]string{"DATABASE_URL": pg.DSN(), "FOOTNOTE_DB_WAIT": wait}}
	lines := outageLines(restartLines)
	head, tail := strings.Join(lines[:100], "\n")+"\n", strings.Join(lines[100:], "\n")+"\n"
	stopped := make(chan struct{})
	stdin := io.MultiReader(strings.NewReader(head), &gate{fn: func() { <-stopped }}, strings.NewReader(tail))
	var out, errb lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(context.Background(), []string{"import", "--collection", coll, "-"}, stdin, &out, &errb, c.getenv)
	}()
	waitFor(t, 30*time.Second, "the first batch to be stored", func() bool {
		return pg.Count(`SELECT count(*) FROM articles WHERE collection = $1`, coll) >= 64
	})
	pg.Stop("immediate")
	stoppedAt := time.Now()
	close(stopped)
	if back != nil {
		waitFor(t, 30*time.Second, "the import to meet the outage", func() bool {
			return strings.Contains(errb.String(), "the database is unavailable; trying again")
		})
		back(stoppedAt)
	}
	select {
	case err = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("the import did not end; stderr:\n%s", errb.String())
	}
	return out.String(), errb.String(), head + tail, err
}

// checkImportedOnce fails unless coll on pg holds restartLines articles, each once, each
// with its passages.
func checkImportedOnce(t *testing.T, pg *retrievaltest.Cluster, coll string) {
	t.Helper()
	for _, q := range []struct {
		what string
		sql  string
	}{
		{"articles", `SELECT count(*) FROM articles WHERE collection = $1`},
		{"distinct URLs", `SELECT count(DISTINCT url) FROM articles WHERE collection = $1`},
		{"articles with passages", `SELECT count(*) FROM articles a WHERE collection = $1
			AND EXISTS (SELECT 1 FROM chunks c WHERE c.article_id = a.id)`},
		{"passages", `SELECT count(*) FROM chunks WHERE collection = $1`},
	} {
		if got := pg.Count(q.sql, coll); got != restartLines {
			t.Errorf("%s: %d, want %d", q.what, got, restartLines)
		}
	}
}

func TestCLIImportWaitsOutAPostgresStop(t *testing.T) {
	pg := retrievaltest.NewCluster(t)
	coll := retrievaltest.Collection(t)
	var down time.Duration
	stdout, stderr, _, err := importUnderStop(t, pg, coll, "1m", func(stopped time.Time) {
		time.Sleep(restartOutage - time.Since(stopped)) // the outage itself, not a wait for nothing
		pg.Start()
		down = time.Since(stopped)
	})
	if err != nil {
		t.Fatalf("import = %v; stderr:\n%s", err, stderr)
	}
	t.Run("every line is added, none failed", func(t *testing.T) {
		if want := regexp.MustCompile(`^imported 300 lines in \S+: 300 added, 0 updated, 0 unchanged, 0 duplicates, 0 failed; 300 passages\n$`); !want.MatchString(stdout) {
			t.Errorf("stdout = %q, want all 300 added", stdout)
		}
	})
	t.Run("the log says the database went away and came back", func(t *testing.T) {
		back := regexp.MustCompile(`msg="the database is back" work="import lines 65-192" after=(\S+)`).FindStringSubmatch(stderr)
		if back == nil || strings.Count(stderr, "the database is unavailable; trying again") != 1 {
			t.Fatalf("stderr does not tell the outage once and its end:\n%s", stderr)
		}
		t.Logf("server down for %s (until pg_ctl start returned); the import's log: the database is back after %s", down.Round(time.Millisecond), back[1])
	})
	t.Run("each article is stored once, with its passages", func(t *testing.T) {
		checkImportedOnce(t, pg, coll)
	})
}

func TestCLIImportStoppedByAPostgresStopResumes(t *testing.T) {
	pg := retrievaltest.NewCluster(t)
	coll := retrievaltest.Collection(t)
	stdout, stderr, input, err := importUnderStop(t, pg, coll, "1s", nil)
	t.Run("the import exits with status 75, having stored the first batch", func(t *testing.T) {
		if exitCode(err) != exitTempFail {
			t.Fatalf("import = %v (exit %d), want exit %d; stderr:\n%s", err, exitCode(err), exitTempFail, stderr)
		}
		var b strings.Builder
		report(&b, err)
		t.Logf("footnote says: %s", b.String())
		if want := regexp.MustCompile(`^imported 64 lines in \S+: 64 added, 0 updated, 0 unchanged, 0 duplicates, 0 failed; 64 passages\n$`); !want.MatchString(stdout) {
			t.Errorf("stdout = %q, want the first 64 added and none failed", stdout)
		}
	})
	pg.Start()
	t.Run("running it again adds the rest, each article once", func(t *testing.T) {
		c := cli{env: map[string]string{"DATABASE_URL": pg.DSN()}}
		out, stderr := c.must(t, input, "import", "--collection", coll, "-")
		if want := regexp.MustCompile(`: 236 added, 0 updated, 64 unchanged, 0 duplicates, 0 failed;`); !want.MatchString(out) {
			t.Errorf("stdout = %q (stderr %q), want the other 236 added and the first 64 unchanged", out, stderr)
		}
		checkImportedOnce(t, pg, coll)
	})
}
