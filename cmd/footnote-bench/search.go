package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

// warmPrefix marks the ids of the warm-up pass of a search run.
const warmPrefix = "warm:"

// timedRun is the measured half of a search run: its output lines, with the time each
// arrived, and when the measured half began (the warm-up's last line arrived).
type timedRun struct {
	lines   [][]byte
	arrived []time.Time
	start   time.Time
}

// end is when the last measured line arrived.
func (t timedRun) end() time.Time {
	if len(t.arrived) == 0 {
		return t.start
	}
	return t.arrived[len(t.arrived)-1]
}

// joined is the run's lines (within [from, to] when the bounds are set) as one batch output.
func (t timedRun) joined(from, to time.Time) []byte {
	var b bytes.Buffer
	for i, l := range t.lines {
		if (!from.IsZero() && t.arrived[i].Before(from)) || (!to.IsZero() && t.arrived[i].After(to)) {
			continue
		}
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// warmThenMeasure returns questions twice: first with their ids marked as warm-up, then
// as they are. One process answers both, so the measured half finds the process warm (its
// pool's connections made, their statements prepared) as a running bot is, besides the
// database's caches.
func warmThenMeasure(questions []byte) ([]byte, error) {
	warm, err := prefixIDs(questions, warmPrefix)
	if err != nil {
		return nil, err
	}
	return append(warm, questions...), nil
}

// againPrefix marks the ids of the passes after the first of a measured half that asks
// its questions more than once (-one-stream-passes).
const againPrefix = "again:"

// passes returns questions n times over, the copies after the first with their ids marked
// by againPrefix, so that their answers are timed but scored once (firstPass).
func passes(questions []byte, n int) ([]byte, error) {
	out := append([]byte(nil), questions...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for range n - 1 {
		again, err := prefixIDs(questions, againPrefix)
		if err != nil {
			return nil, err
		}
		out = append(out, again...)
	}
	return out, nil
}

// firstPass is the lines of a batch output whose ids passes did not mark.
func firstPass(run []byte) []byte {
	var b bytes.Buffer
	for _, l := range bytes.Split(run, []byte("\n")) {
		var line runLine
		if len(bytes.TrimSpace(l)) == 0 || json.Unmarshal(l, &line) == nil && strings.HasPrefix(line.ID, againPrefix) {
			continue
		}
		b.Write(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// prefixIDs returns the question lines with prefix before each id.
func prefixIDs(questions []byte, prefix string) ([]byte, error) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	for _, l := range bytes.Split(questions, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var q struct {
			ID       string `json:"id"`
			Question string `json:"question"`
		}
		if err := json.Unmarshal(l, &q); err != nil {
			return nil, fmt.Errorf("read questions: %w", err)
		}
		q.ID = prefix + q.ID
		if err := enc.Encode(q); err != nil {
			return nil, err
		}
	}
	return out.Bytes(), nil
}

// searchRun runs one `footnote search --batch --json` process (with extra flags) in
// collection coll over the questions, warm-up first (warmThenMeasure), and returns the
// measured half.
func searchRun(ctx context.Context, o options, dsn, coll string, questions []byte, extra ...string) (timedRun, error) {
	var t timedRun
	in, err := warmThenMeasure(questions)
	if err != nil {
		return t, err
	}
	cmd := footnoteCmd(ctx, o, dsn, append([]string{"search", "--collection", coll, "--batch", "--json"}, extra...)...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return t, fmt.Errorf("footnote search: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return t, fmt.Errorf("footnote search: %w", err)
	}
	t.start = time.Now()
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		now := time.Now()
		var l runLine
		if err := json.Unmarshal(sc.Bytes(), &l); err == nil && strings.HasPrefix(l.ID, warmPrefix) {
			t.start = now
			continue
		}
		t.lines = append(t.lines, append([]byte(nil), sc.Bytes()...))
		t.arrived = append(t.arrived, now)
	}
	if err := cmd.Wait(); err != nil {
		return t, fmt.Errorf("footnote search: %w: %s", err, lastLines(stderr.String(), 5))
	}
	return t, sc.Err()
}

// measureSearch runs the squad-dev questions in one stream, then in o.streams streams at
// once, each after a warm-up pass in the same process.
func measureSearch(ctx context.Context, o options, dsn string, r *sizeResult) error {
	questions, err := os.ReadFile(squadQuestions(o.shared))
	if err != nil {
		return fmt.Errorf("read questions: %w", err)
	}
	// One stream before the streams and again after them, measured together: this
	// machine's speed drifts by a third over minutes (other guests of its host), and a
	// single one-stream measure taken before the streams moved the ratio as much.
	o.logf("%s: search, one stream", sizeName(r.Size))
	measured, err := passes(questions, o.onePasses)
	if err != nil {
		return err
	}
	before, err := searchRun(ctx, o, dsn, o.collection, measured)
	if err != nil {
		return err
	}
	first := firstPass(before.joined(time.Time{}, time.Time{}))
	r.Slowest = slowest(first, 5)
	if r.HitAt1, err = score(ctx, o, first); err != nil {
		return err
	}

	o.logf("%s: search, %d streams at once", sizeName(r.Size), o.streams)
	runs, err := separateStreams(ctx, o, dsn, questions)
	if err != nil {
		return err
	}
	// The same processes through a transaction pooler, as many footnote processes on one
	// server would share one: a few busy server connections instead of one per process.
	var pooled []timedRun
	if o.pooler != "" {
		o.logf("%s: search, %d streams at once through the pooler", sizeName(r.Size), o.streams)
		pdsn, err := pooledURL(o.pooler, r.Database)
		if err != nil {
			return err
		}
		po := o
		po.ownerDSN = dsn // migrations take a session lock: not through the pooler
		if pooled, err = separateStreams(ctx, po, pdsn, questions); err != nil {
			return err
		}
	}

	// The same streams in one process: how one footnote server answers o.streams members
	// who ask at once (one Go runtime, one connection pool), where the processes above
	// each bring their own.
	o.logf("%s: search, %d streams in one process", sizeName(r.Size), o.streams)
	var together []byte
	for i := range o.streams {
		together = append(together, rotate(questions, i, o.streams)...)
	}
	server, err := searchRun(ctx, o, dsn, o.collection, together, "--parallel", strconv.Itoa(o.streams))
	if err != nil {
		return err
	}
	serverTimes, err := readTimes(server.joined(time.Time{}, time.Time{}))
	if err != nil {
		return err
	}

	o.logf("%s: search, one stream again", sizeName(r.Size))
	after, err := searchRun(ctx, o, dsn, o.collection, measured)
	if err != nil {
		return err
	}
	var times []float64
	var took time.Duration
	for _, one := range []timedRun{before, after} {
		t, err := readTimes(one.joined(time.Time{}, time.Time{}))
		if err != nil {
			return err
		}
		times, took = append(times, t...), took+one.end().Sub(one.start)
		r.SearchQPSRuns = append(r.SearchQPSRuns, rate(len(t), one.end().Sub(one.start)))
	}
	r.Search = summarise(times)
	r.SearchQPS = rate(len(times), took)

	if r.Streams, err = streamsOf(runs, r); err != nil {
		return err
	}
	if pooled != nil {
		p, err := streamsOf(pooled, r)
		if err != nil {
			return err
		}
		r.Pooled = &p
	}
	r.OneProcess = streamStats{Streams: o.streams, Latency: summarise(serverTimes), QPS: rate(len(serverTimes), server.end().Sub(server.start))}
	r.OneProcess.ThroughputRatio = ratio(r.OneProcess.QPS, r.SearchQPS)
	r.OneProcess.P99Ratio = ratio(r.OneProcess.Latency.P99, r.Search.P99)
	return nil
}

// separateStreams runs o.streams `footnote search` processes at once on dsn, stream i
// asking the questions from i/o.streams of the way in (rotate).
func separateStreams(ctx context.Context, o options, dsn string, questions []byte) ([]timedRun, error) {
	runs := make([]timedRun, o.streams)
	g, gctx := errgroup.WithContext(ctx)
	for i := range o.streams {
		in := rotate(questions, i, o.streams)
		g.Go(func() error {
			var err error
			runs[i], err = searchRun(gctx, o, dsn, o.collection, in)
			return err
		})
	}
	return runs, g.Wait()
}

// streamsOf is the figures of separate streams' runs while all of them ran, against r's
// one stream.
func streamsOf(runs []timedRun, r *sizeResult) (streamStats, error) {
	from, to := overlap(runs)
	all, err := timesWithin(runs, from, to)
	if err != nil {
		return streamStats{}, err
	}
	if len(all) == 0 {
		// The streams hardly overlapped (a handful of questions): count them all.
		from, to = span(runs)
		if all, err = timesWithin(runs, time.Time{}, time.Time{}); err != nil {
			return streamStats{}, err
		}
	}
	st := streamStats{Streams: len(runs), Latency: summarise(all), QPS: rate(len(all), to.Sub(from))}
	st.ThroughputRatio = ratio(st.QPS, r.SearchQPS)
	st.P99Ratio = ratio(st.Latency.P99, r.Search.P99)
	return st, nil
}

// pooledURL is the URL of database name through the pooler at poolerURL: its user, host
// and port, with default_query_exec_mode=cache_describe unless it says otherwise (PgBouncer
// before 1.21 keeps no prepared statement from one transaction to the next; .ci/pooler).
func pooledURL(poolerURL, name string) (string, error) {
	u, err := url.Parse(poolerURL)
	if err != nil {
		return "", fmt.Errorf("parse -pooler: %w", err)
	}
	u.Path = "/" + name
	q := u.Query()
	if q.Get("default_query_exec_mode") == "" {
		q.Set("default_query_exec_mode", "cache_describe")
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// timesWithin returns the took_ms of the runs' lines that arrived within [from, to] (every
// line for zero bounds).
func timesWithin(runs []timedRun, from, to time.Time) ([]float64, error) {
	var all []float64
	for _, run := range runs {
		t, err := readTimes(run.joined(from, to))
		if err != nil {
			return nil, err
		}
		all = append(all, t...)
	}
	return all, nil
}

// span is the window from the first run's measured start to the last run's end.
func span(runs []timedRun) (from, to time.Time) {
	for i, r := range runs {
		if i == 0 || r.start.Before(from) {
			from = r.start
		}
		if i == 0 || r.end().After(to) {
			to = r.end()
		}
	}
	return from, to
}

// rate is n per second of d, or 0 for no time at all.
func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// ratio is a/b, or 0 when b is 0 (JSON has no infinity).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// overlap is the window in which every run was in its measured half: from the last
// warm-up's end to the first run's end. Only answers that arrived in it count, so the
// figures are those of all the streams at once, not of the stragglers alone.
func overlap(runs []timedRun) (from, to time.Time) {
	for i, r := range runs {
		if i == 0 || r.start.After(from) {
			from = r.start
		}
		if i == 0 || r.end().Before(to) {
			to = r.end()
		}
	}
	return from, to
}

// rotate returns the lines of questions starting at stream i's share of them (stream i of
// n starts i/n of the way in), so that concurrent streams do not ask the same question at
// once. Every line ends with a newline, the file's last one too.
func rotate(questions []byte, i, n int) []byte {
	lines := bytes.Split(bytes.TrimRight(questions, "\n"), []byte("\n"))
	off := i * len(lines) / n
	out := bytes.Join(append(append([][]byte(nil), lines[off:]...), lines[:off]...), []byte("\n"))
	return append(out, '\n')
}
