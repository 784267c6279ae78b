// Command footnote-load puts `footnote serve --http` under the load of a busy Discord
// server and prints the figures the README shows. It is a tool for `make load`, not part of
// the footnote binary.
//
// It imports the first -articles articles of the shared BBC set into one server's
// collection, starts a fake Discord REST API (a real listener that footnote reaches through
// DISCORD_API_BASE) and footnote itself with a fresh Ed25519 key, then:
//
//  1. sends signed /ask interactions from -concurrency members at once for -duration (after
//     a -warmup that is not measured), each member asking again once answered, and checks
//     that every interaction is acknowledged within Discord's 3 s and ends in exactly one
//     answer or notice; it samples footnote's goroutines and memory (its /metrics) before,
//     during and after;
//  2. starts a burst of asks, sends SIGTERM while answers are in flight, and checks that
//     every acknowledged interaction is answered or told to retry, and that footnote exits 0
//     within its shutdown grace;
//  3. does it again with a fake model slower than the grace (-slow-model), so that answers
//     must be cancelled and their members told to retry.
//
// It exits 1 when a check fails, 2 on bad flags.
package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Getenv)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "footnote-load:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

// options are the driver's flags.
type options struct {
	bin            string
	articlesPath   string
	questionsPath  string
	articles       int
	databaseURL    string
	ownerURL       string // DATABASE_OWNER_URL, when databaseURL is a transaction pooler's
	noWorker       bool   // FOOTNOTE_SERVE_WORKER=false for the servers
	collection     string
	duration       time.Duration
	warmup         time.Duration
	settle         time.Duration
	concurrency    int
	burst          int
	sigtermAfter   time.Duration
	discordLatency time.Duration
	slowLLM        time.Duration
	workers        int
	guildConc      int
	keep           bool
	out            io.Writer
}

func parseOptions(args []string, getenv func(string) string, out io.Writer) (*options, error) {
	o := &options{out: out}
	fs := flag.NewFlagSet("footnote-load", flag.ContinueOnError)
	fs.SetOutput(out)
	data := fs.String("data", "../shared/data", "the shared data folder: bbc/articles.jsonl and squad-dev/questions.jsonl")
	fs.StringVar(&o.bin, "bin", "bin/footnote", "the footnote binary to run (make build)")
	fs.StringVar(&o.articlesPath, "articles-file", "", "articles to import, in footnote import's format (default DATA/bbc/articles.jsonl)")
	fs.StringVar(&o.questionsPath, "questions-file", "", `questions, lines with "question" (default DATA/squad-dev/questions.jsonl; "-" for none: titles only)`)
	fs.IntVar(&o.articles, "articles", 2000, "how many articles (the first of the file) the server's collection holds")
	fs.StringVar(&o.databaseURL, "database-url", getenv("DATABASE_URL"), "the database footnote runs on (default $DATABASE_URL)")
	fs.StringVar(&o.ownerURL, "owner-url", "", "DATABASE_OWNER_URL for footnote, which migrates there: the cluster itself when -database-url is a transaction pooler's (make pooler)")
	fs.BoolVar(&o.noWorker, "no-worker", false, "run the servers without background jobs (FOOTNOTE_SERVE_WORKER=false), as behind a transaction pooler")
	fs.StringVar(&o.collection, "collection", "1000000000000000001", "the Discord server (guild id) whose collection the load asks")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long the measured load lasts")
	fs.DurationVar(&o.warmup, "warmup", 10*time.Second, "unmeasured load before it (caches, connection pools, the GC's heap goal)")
	fs.DurationVar(&o.settle, "settle", 10*time.Second, "idle time after the load before goroutines and memory are read again")
	fs.IntVar(&o.concurrency, "concurrency", 100, "members asking at once")
	fs.IntVar(&o.burst, "burst", 0, "members asking at once in the SIGTERM phase (default -concurrency)")
	fs.DurationVar(&o.sigtermAfter, "sigterm-after", 2*time.Second, "how long after the burst starts footnote gets SIGTERM")
	fs.DurationVar(&o.discordLatency, "discord-latency", 100*time.Millisecond, "time the fake Discord takes per REST call: a round trip to Discord")
	fs.DurationVar(&o.slowLLM, "slow-model", 15*time.Second, "for a last SIGTERM phase, restart footnote with a fake model taking this long an answer, so that answers outlast the 20 s grace (0: no such phase)")
	fs.IntVar(&o.workers, "workers", 0, "FOOTNOTE_WORKERS for the server (default: footnote's own)")
	fs.IntVar(&o.guildConc, "guild-concurrency", 0, "FOOTNOTE_GUILD_CONCURRENCY for the server (default twice -concurrency, so that it never binds: one server stands for the many a process serves)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder (footnote's log) even when every check passes")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, errUsage
	}
	if o.articlesPath == "" {
		o.articlesPath = filepath.Join(*data, "bbc", "articles.jsonl")
	}
	switch o.questionsPath {
	case "":
		o.questionsPath = filepath.Join(*data, "squad-dev", "questions.jsonl")
	case "-":
		o.questionsPath = ""
	}
	if o.burst == 0 {
		o.burst = o.concurrency
	}
	if o.guildConc == 0 {
		o.guildConc = 2 * max(o.concurrency, o.burst)
	}
	var problems []string
	if o.databaseURL == "" {
		problems = append(problems, "-database-url (or DATABASE_URL) is required: the database footnote runs on")
	}
	if _, err := strconv.ParseUint(o.collection, 10, 64); err != nil {
		problems = append(problems, "-collection must be a Discord guild id (a decimal snowflake)")
	}
	if o.concurrency < 1 || o.burst < 1 || o.articles < 1 || o.duration <= 0 {
		problems = append(problems, "-concurrency, -burst, -articles and -duration must be positive")
	}
	if len(problems) > 0 {
		fmt.Fprintln(out, "footnote-load: "+strings.Join(problems, "\nfootnote-load: "))
		return nil, errUsage
	}
	return o, nil
}

// run is main without the process.
func run(ctx context.Context, args []string, out io.Writer, getenv func(string) string) error {
	o, err := parseOptions(args, getenv, out)
	if err != nil {
		return err
	}
	f, err := measure(ctx, o)
	if err != nil {
		return err
	}
	f.print(out)
	if failed := f.failures(); len(failed) > 0 {
		return fmt.Errorf("%d check(s) failed: %s", len(failed), strings.Join(failed, "; "))
	}
	return nil
}

// measure sets everything up, runs both phases and returns the figures; it returns an
// error when the run itself could not be made (a missing binary, a database it cannot
// import into, a server that does not start), not when a check fails.
func measure(ctx context.Context, o *options) (f *figures, err error) {
	out := o.out
	if _, err := os.Stat(o.bin); err != nil {
		return nil, fmt.Errorf("%s: %w (run make build, or give -bin)", o.bin, err)
	}
	dir, err := os.MkdirTemp("", "footnote-load-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil || o.keep || len(f.failures()) > 0 {
			fmt.Fprintf(out, "footnote's log and the articles are in %s\n", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	fmt.Fprintf(out, "== %d articles into collection %s\n", o.articles, o.collection)
	c, err := buildCorpus(o.articlesPath, o.articles, o.questionsPath, filepath.Join(dir, "articles.jsonl"))
	if err != nil {
		return nil, err
	}
	started := time.Now()
	if err := o.footnote(ctx, filepath.Join(dir, "import.log"), "import", "--collection", o.collection, filepath.Join(dir, "articles.jsonl")); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "imported (or found already there) in %.1f s; %d questions to ask\n", time.Since(started).Seconds(), len(c.questions))

	l := newLedger()
	fd, err := startFakeDiscord(l, o.discordLatency)
	if err != nil {
		return nil, err
	}
	defer fd.shutdown(context.Background())
	var seq atomic.Int64 // interaction ids, across both servers
	start := func(logName string, extra map[string]string) (*server, *asker, error) {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		env := map[string]string{
			"DATABASE_URL":               o.databaseURL,
			"DISCORD_PUBLIC_KEY":         hex.EncodeToString(pub),
			"DISCORD_APP_ID":             loadAppID,
			"DISCORD_API_BASE":           fd.url,
			"FOOTNOTE_GUILD_CONCURRENCY": strconv.Itoa(o.guildConc),
		}
		if o.workers > 0 {
			env["FOOTNOTE_WORKERS"] = strconv.Itoa(o.workers)
		}
		if o.ownerURL != "" {
			env["DATABASE_OWNER_URL"] = o.ownerURL
		}
		if o.noWorker {
			env["FOOTNOTE_SERVE_WORKER"] = "false"
		}
		maps.Copy(env, extra)
		srv, err := startServer(o.bin, filepath.Join(dir, logName), env)
		if err != nil {
			return nil, nil, err
		}
		a := newAsker("http://"+srv.addr+"/interactions", priv, o.collection, c.questions, l, max(o.concurrency, o.burst), &seq)
		if err := srv.waitReady(ctx, a, 60*time.Second); err != nil {
			srv.kill()
			return nil, nil, err
		}
		return srv, a, nil
	}

	srv, a, err := start("serve.log", nil)
	if err != nil {
		return nil, err
	}
	defer srv.kill()
	f = newFigures(o)
	fmt.Fprintf(out, "== load: %d members at once, %s warm-up then %s measured\n", o.concurrency, o.warmup, o.duration)
	if err := runLoad(ctx, o, srv, a, fd, l, f); err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "== SIGTERM with answers in flight (%d members at once)\n", o.burst)
	f.terms[phaseShutdown] = runShutdown(ctx, o, srv, a, l, phaseShutdown)

	if o.slowLLM > 0 {
		fmt.Fprintf(out, "== SIGTERM with answers slower than the grace (a model taking %s an answer)\n", o.slowLLM)
		llm, err := startFakeLLM(o.slowLLM)
		if err != nil {
			return nil, err
		}
		defer llm.close()
		srv, a, err := start("serve-slow-model.log", map[string]string{
			"OPENAI_BASE_URL": llm.url, "FOOTNOTE_CHAT_MODEL": "load-llm", "FOOTNOTE_EMBED_MODEL": "hash",
		})
		if err != nil {
			return nil, err
		}
		defer srv.kill()
		f.terms[phasePastGrace] = runShutdown(ctx, o, srv, a, l, phasePastGrace)
	}
	f.loadAfter = loadAverage()
	f.cpuPressure = cpuPressure()
	f.collect(l)
	return f, nil
}

// footnote runs a footnote command on the load's database, its output in logPath.
func (o *options) footnote(ctx context.Context, logPath string, args ...string) error {
	log, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.CommandContext(ctx, o.bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(childEnv(), "DATABASE_URL="+o.databaseURL)
	if o.ownerURL != "" {
		cmd.Env = append(cmd.Env, "DATABASE_OWNER_URL="+o.ownerURL)
	}
	if err := cmd.Run(); err != nil {
		data, _ := os.ReadFile(logPath)
		return fmt.Errorf("footnote %s: %w\n%s", strings.Join(args, " "), err, data)
	}
	return nil
}

// drive runs n members asking in phase until d has passed, then waits for them to stop.
func drive(ctx context.Context, a *asker, phase, n int, d time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { a.work(ctx, phase, false) })
	}
	wg.Wait()
}

// waitAnswered waits until every deferred interaction of phase has its final message, or
// timeout passes.
func waitAnswered(ctx context.Context, l *ledger, phase int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for l.inFlight(phase) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
}

// cpuPressure returns the share of the last minute in which some task waited for a CPU
// (Linux PSI, /proc/pressure/cpu), or "unknown".
func cpuPressure() string {
	data, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return "unknown"
	}
	for _, f := range strings.Fields(string(data)) {
		if v, ok := strings.CutPrefix(f, "avg60="); ok {
			return v + "% over the last minute"
		}
	}
	return "unknown"
}

// loadAverage returns the machine's one-minute load average ("" where /proc has none).
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	fields := strings.Fields(string(data))
	if len(fields) < 3 {
		return ""
	}
	return strings.Join(fields[:3], " ")
}

// childEnv is the environment every footnote the driver starts gets before its own
// settings: PATH and HOME, and PGPASSFILE when set, where the database's password is (a
// cluster with passwords, such as the one .ci/db starts, refuses a URL without one).
func childEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if pf := os.Getenv("PGPASSFILE"); pf != "" {
		env = append(env, "PGPASSFILE="+pf)
	}
	return env
}
