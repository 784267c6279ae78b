// Command footnote-bench measures how footnote's cost grows with the size of a collection and
// prints the table the README shows (issue 10). It is a tool for `make bench-scale`, not part
// of the footnote binary.
//
// For each size in -sizes it builds a corpus (the six squad-dev articles, the 2,225 BBC
// articles and synthetic articles from ../shared/tools/synth-corpus up to the size), imports
// it with `footnote import` into a fresh database, and measures:
//   - the import: articles a second and the importer's peak RSS;
//   - storage: each table's size with its indexes, per passage;
//   - search, warm, one stream: p50 and p99 of `footnote search --batch`'s took_ms over the
//     squad-dev questions asked -one-stream-passes times, before the streams and again
//     after them (the machine's speed drifts), and hit@1 by ../shared/tools/score-retrieval;
//   - -streams streams at once: throughput and p99 against one stream's;
//   - the anchor: Xapian's BM25 (-xapian, a Python script) over the same passages, exported
//     from Postgres, on the same questions;
//   - the machine's load average while it runs.
//
// With -small-collections N it first imports N small collections into the same database and
// measures their searches too. It prints one table, writes the figures as JSON (-json) and a
// plot of p50/p99 against passages (-plot), and drops each database after measuring it
// unless -keep; -reuse measures the databases a -keep run left, importing nothing. It
// exits 1 when a step fails, 2 on bad flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "footnote-bench:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// options are the driver's flags.
type options struct {
	bin        string
	shared     string
	sizes      []int
	adminURL   string
	dbPrefix   string
	streams    int
	onePasses  int
	small      int
	smallSize  int
	xapian     string
	python     string
	plot       string
	jsonOut    string
	workDir    string
	keep       bool
	reuse      bool
	replot     string
	collection string
	pooler     string    // a transaction pooler's URL (-pooler)
	ownerDSN   string    // DATABASE_OWNER_URL of the footnote processes, when DATABASE_URL is a pooler's
	log        io.Writer // progress lines
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("footnote-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := options{log: stderr, collection: "default"}
	sizes := fs.String("sizes", "10k,50k", "corpus sizes in articles, comma-separated (10k, 50k, 75k, 280k, or a number)")
	fs.StringVar(&o.bin, "bin", "bin/footnote", "the footnote binary to measure")
	fs.StringVar(&o.shared, "shared", "../shared", "the shared folder: data/ (squad-dev, bbc) and tools/ (synth-corpus, score-retrieval)")
	fs.StringVar(&o.adminURL, "database-url", "postgres://footnote@127.0.0.1:55432/postgres?sslmode=disable",
		"a database on the cluster, for creating and dropping the bench databases (a superuser: it creates the vector extension)")
	fs.StringVar(&o.dbPrefix, "db", "footnote_bench", "bench databases are named DB_<size>; each is dropped and created again")
	fs.IntVar(&o.streams, "streams", 16, "concurrent search streams for the throughput test")
	fs.IntVar(&o.onePasses, "one-stream-passes", 4, "times the one stream asks the questions after its warm-up (its figures are over all of them, hit@1 over the first)")
	fs.IntVar(&o.small, "small-collections", 0, "also import this many small collections into each database first (the issue's 1,000)")
	fs.IntVar(&o.smallSize, "small-articles", 10, "articles in each small collection")
	fs.StringVar(&o.xapian, "xapian", ".ci/xapian-anchor", "the Xapian anchor script (python3 with python3-xapian); empty: no anchor")
	fs.StringVar(&o.python, "python", "python3", "the Python that runs -xapian (one that imports xapian)")
	fs.StringVar(&o.plot, "plot", "", "write a PNG of p50/p99 against passages here")
	fs.StringVar(&o.jsonOut, "json", "", "write the figures as JSON here")
	fs.StringVar(&o.workDir, "work", "", "folder for corpora and exports (default: a temporary folder, removed at the end)")
	fs.StringVar(&o.replot, "replot", "", "measure nothing: print the table and draw the plot from this -json file of an earlier run")
	fs.StringVar(&o.pooler, "pooler", "", "also run the streams as separate processes through this transaction pooler (PgBouncer, .ci/pooler), a URL whose database is replaced by each bench database")
	fs.BoolVar(&o.keep, "keep", false, "keep each database after measuring it (for EXPLAIN)")
	fs.BoolVar(&o.reuse, "reuse", false, "build and import nothing: measure storage, search and the anchor on the databases an earlier -keep run left (kept again)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "footnote-bench: unexpected argument %q\n", fs.Arg(0))
		return o, errUsage
	}
	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintf(stderr, "footnote-bench: -sizes: %v\n", err)
		return o, errUsage
	}
	if err := checkDBName(o.dbPrefix); err != nil {
		fmt.Fprintf(stderr, "footnote-bench: -db: %v\n", err)
		return o, errUsage
	}
	if o.streams < 1 || o.onePasses < 1 || o.small < 0 || o.smallSize < 1 {
		fmt.Fprintln(stderr, "footnote-bench: -streams, -one-stream-passes and -small-articles must be at least 1, -small-collections at least 0")
		return o, errUsage
	}
	return o, nil
}

// checkDBName refuses prefixes that could name a database footnote uses for something else:
// the bench drops its databases.
func checkDBName(p string) error {
	switch {
	case p == "footnote" || p == "footnote_test":
		return fmt.Errorf("%s: the bench drops and recreates %s_<size>; choose a name of its own (footnote_bench)", p, p)
	case p == "" || strings.Trim(p, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || p[0] >= '0' && p[0] <= '9':
		return fmt.Errorf("%q: use lower-case letters, digits and _, starting with a letter", p)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	if o.replot != "" {
		rep, err := readJSON(o.replot)
		if err != nil {
			return err
		}
		return output(stdout, o, rep)
	}
	if err := checkInputs(o); err != nil {
		return err
	}
	if o.workDir != "" {
		if err := os.MkdirAll(o.workDir, 0o755); err != nil {
			return fmt.Errorf("make the work folder: %w", err)
		}
	} else {
		dir, err := os.MkdirTemp("", "footnote-bench-")
		if err != nil {
			return fmt.Errorf("make a work folder: %w", err)
		}
		defer os.RemoveAll(dir)
		o.workDir = dir
	}
	load := startLoadSampler(ctx)
	var results []sizeResult
	for _, n := range o.sizes {
		r, err := measureSize(ctx, o, n)
		if err != nil {
			return fmt.Errorf("size %s: %w", sizeName(n), err)
		}
		results = append(results, r)
	}
	rep := report{Sizes: results, Machine: describeMachine(load.stop()), Streams: o.streams}
	return output(stdout, o, rep)
}

// output prints the table and writes the JSON and the plot where the flags say.
func output(stdout io.Writer, o options, rep report) error {
	writeTable(stdout, rep)
	if o.jsonOut != "" {
		if err := writeJSON(o.jsonOut, rep); err != nil {
			return err
		}
	}
	if o.plot != "" {
		if err := writePlot(o.plot, rep); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nplot: %s\n", o.plot)
	}
	return nil
}

// checkInputs names every missing input before anything runs.
func checkInputs(o options) error {
	var missing []string
	for _, f := range []string{o.bin, filepath.Join(o.shared, "tools/synth-corpus"), filepath.Join(o.shared, "tools/score-retrieval")} {
		if st, err := os.Stat(f); err != nil || st.Mode()&0o111 == 0 {
			missing = append(missing, f+" (executable)")
		}
	}
	for _, f := range []string{squadArticles(o.shared), squadQuestions(o.shared), bbcArticles(o.shared)} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if o.xapian != "" {
		if _, err := os.Stat(o.xapian); err != nil {
			missing = append(missing, o.xapian)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing: %s", strings.Join(missing, ", "))
	}
	return nil
}

func squadArticles(shared string) string {
	return filepath.Join(shared, "data/squad-dev/articles.jsonl")
}
func squadQuestions(shared string) string {
	return filepath.Join(shared, "data/squad-dev/questions.jsonl")
}
func bbcArticles(shared string) string { return filepath.Join(shared, "data/bbc/articles.jsonl") }

// logf prints a progress line.
func (o options) logf(format string, args ...any) {
	fmt.Fprintf(o.log, "bench: "+format+"\n", args...)
}
