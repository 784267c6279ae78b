package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestCheckDBName(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		ok       bool
	}{
		{name: "a name of its own is taken", in: "footnote_bench", ok: true},
		{name: "the bot's database is refused", in: "footnote"},
		{name: "the tests' database is refused", in: "footnote_test"},
		{name: "a name SQL would have to quote is refused", in: "bench; DROP"},
		{name: "a name starting with a digit is refused", in: "1bench"},
		{name: "no name is refused", in: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkDBName(tc.in); (err == nil) != tc.ok {
				t.Errorf("checkDBName(%q) = %v", tc.in, err)
			}
		})
	}
}

func TestFlagsAreChecked(t *testing.T) {
	for _, args := range [][]string{{"-sizes", "lots"}, {"-db", "footnote"}, {"-streams", "0"}, {"extra"}} {
		var stderr bytes.Buffer
		if _, err := parseOptions(args, &stderr); err != errUsage || stderr.Len() == 0 {
			t.Errorf("parseOptions(%q) = %v with %q; want a usage error that says why", args, err, stderr.String())
		}
	}
}

// TestBenchSmoke runs the whole bench on a tiny corpus against a footnote built for the
// test: a fresh database of 30 articles and 2 small collections, two search streams, the
// table, the JSON and the plot; then the kept database measured again (-reuse) and
// dropped. No Xapian anchor (its Python bindings are a bench-only dependency). About 20 s
// on an idle machine.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds footnote and imports into a database of its own")
	}
	retrievaltest.Conn(t) // the test cluster, or a skip (a failure under CI)
	// The owner, who may create databases (the runtime role may not), and whom footnote
	// then migrates and works as.
	u, err := url.Parse(retrievaltest.OwnerDSN())
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	prefix := strings.TrimPrefix(u.Path, "/") + "_b" + hex.EncodeToString(b)

	dir := t.TempDir()
	bin := filepath.Join(dir, "footnote")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/footnote-bot/footnote/cmd/footnote").CombinedOutput(); err != nil {
		t.Fatalf("build footnote: %v\n%s", err, out)
	}
	jsonPath, plotPath := filepath.Join(dir, "bench.json"), filepath.Join(dir, "bench.png")
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	err = run(ctx, []string{"-bin", bin, "-shared", fakeShared(t, 20), "-database-url", retrievaltest.OwnerDSN(), "-db", prefix,
		"-sizes", "30", "-streams", "2", "-small-collections", "2", "-small-articles", "3", "-xapian", "",
		"-json", jsonPath, "-plot", plotPath, "-keep"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("the bench failed: %v\n%s", err, stderr.String())
	}
	rep, err := readJSON(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // kept (-keep): dropped below, or here when the test stops before
		_ = dropDB(context.Background(), retrievaltest.OwnerDSN(), prefix+"_30")
	})
	if len(rep.Sizes) != 1 {
		t.Fatalf("%d sizes in the JSON, want 1", len(rep.Sizes))
	}
	r := rep.Sizes[0]
	for _, check := range []struct {
		name string
		ok   bool
	}{
		{"the two squad-dev articles and the 30 of the corpus were imported", r.Articles == 32 && r.Import.Lines == 32},
		{"the import was timed and its peak RSS read", r.Import.Seconds > 0 && r.Import.Rate > 0 && r.Import.PeakRSSMB > 1},
		{"every article has passages, and the small collections' are counted apart", r.Passages >= 32 && r.AllPassages >= r.Passages+6},
		{"storage was measured per passage, vectors apart", r.Storage.Postings > 0 && r.Storage.Vectors > 0 && r.Storage.BesidesVectors > r.Storage.Postings},
		{"each question was timed once in each of the one stream's four passes, before the streams and after", r.Search.N == 24 && r.Search.P50 > 0 && r.SearchQPS > 0 && len(r.SearchQPSRuns) == 2},
		{"hit@1 comes from the scorer", r.HitAt1 == 0.5},
		{"the streams were measured against one stream", r.Streams.Streams == 2 && r.Streams.Latency.N > 0 && r.Streams.ThroughputRatio > 0},
		{"and the same streams in one process", r.OneProcess.Streams == 2 && r.OneProcess.Latency.N == 2*3 && r.OneProcess.ThroughputRatio > 0 && r.OneProcess.P99Ratio > 0},
		{"the small collections were searched", r.Small != nil && r.Small.Sampled == 2 && r.Small.Latency.N == 6},
		{"there is no anchor without its script", r.Xapian == nil},
		{"the table shows the size's row", strings.Contains(stdout.String(), "| 32 / ")},
		{"the machine's load was sampled", r.Load.Samples >= 2 && rep.Machine.CPUs > 0},
	} {
		t.Run(check.name, func(t *testing.T) {
			if !check.ok {
				t.Errorf("not so: %+v\n%s", r, stdout.String())
			}
		})
	}
	t.Run("the plot is a PNG", func(t *testing.T) {
		f, err := os.Open(plotPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := png.Decode(f); err != nil {
			t.Error(err)
		}
	})
	t.Run("a kept database is measured again without an import", func(t *testing.T) {
		again := filepath.Join(dir, "again.json")
		var out, errs bytes.Buffer
		err := run(ctx, []string{"-bin", bin, "-shared", fakeShared(t, 20), "-database-url", retrievaltest.OwnerDSN(), "-db", prefix,
			"-sizes", "30", "-streams", "2", "-one-stream-passes", "1", "-xapian", "", "-json", again, "-reuse"}, &out, &errs)
		if err != nil {
			t.Fatalf("the bench failed: %v\n%s", err, errs.String())
		}
		rep, err := readJSON(again)
		if err != nil {
			t.Fatal(err)
		}
		a := rep.Sizes[0]
		if a.Articles != r.Articles || a.Passages != r.Passages || a.Import.Lines != 0 || a.Search.N != 6 || a.Streams.Latency.N == 0 {
			t.Errorf("reused: %d articles, %d passages, %d lines imported, %d questions timed; want %d, %d, none, 6",
				a.Articles, a.Passages, a.Import.Lines, a.Search.N, r.Articles, r.Passages)
		}
	})
	if err := dropDB(ctx, retrievaltest.OwnerDSN(), r.Database); err != nil {
		t.Fatal(err)
	}
	t.Run("the database was dropped", func(t *testing.T) {
		var n int
		if err := retrievaltest.Conn(t).QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", r.Database).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s is still there", r.Database)
		}
	})
}
