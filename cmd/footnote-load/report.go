package main

import (
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"time"
)

const (
	// ackLimit is Discord's window for the first response to an interaction.
	ackLimit = 3 * time.Second
	// stopDeadline is footnote's bound on its whole shutdown (cmd/footnote/serve.go): the
	// 20 s grace for answers in flight and 5 s for the rest.
	stopDeadline = 25 * time.Second
	// goroutineSlack is how many more goroutines than at the start footnote may have after
	// the settle: background work that comes and goes (pgx's pool health checks, a
	// connection still closing, River's periodic jobs and their executors, about 50
	// goroutines at rest, a few more while a job runs). A leak of one per interaction is
	// thousands; 10 was too tight once serve ran the jobs (60 against 49 + 10).
	goroutineSlack = 20
	// memoryGrowthLimit bounds how much the GC's heap goal may grow from the first third of
	// the measured load to the last: the goal follows the live heap, which wobbles with the
	// requests in flight, but a leak of per-interaction state grows with every answer and,
	// at tens of answers a second, shows within a minute.
	memoryGrowthLimit = 0.25
	// stallNote is how late the driver's own timer may fire before the report says the
	// machine stalled: a few hundred milliseconds is a busy machine, seconds are a stall.
	stallNote = time.Second
)

// figures are what the run measured.
type figures struct {
	opts                  *options
	loadBefore, loadAfter string        // the machine's load averages
	cpuPressure           string        // the share of time tasks waited for a CPU, over the last minute (PSI)
	maxLag                time.Duration // the driver's own timer, at its latest, during the load

	idle, warm, settled sample   // before any interaction, after the warm-up, after the settle
	during              []sample // every sampleEvery through the measured load
	loadStart, loadEnd  time.Time

	terms      map[int]*termFigures // by SIGTERM phase
	tallies    map[int]*tally       // by phase
	strays     []string
	invalid    []string
	unknown404 int
}

func newFigures(o *options) *figures {
	f := &figures{opts: o, loadBefore: loadAverage(), terms: map[int]*termFigures{}, tallies: map[int]*tally{}}
	for p := range phaseNames {
		f.tallies[p] = &tally{deferred: map[string]int{}, immediate: map[string]int{}, unacked: map[string]int{}}
	}
	return f
}

// tally counts one phase's interactions.
type tally struct {
	sent       int
	ackedIn3s  int
	acks       []time.Duration // HTTP response times of acknowledged interactions
	deferred   map[string]int  // outcomes of interactions deferred ("thinking…")
	immediate  map[string]int  // outcomes of interactions answered at once (refusals)
	unacked    map[string]int  // why interactions got no acknowledgement
	atDoor     int             // SIGTERM phases: refused at the transport, the endpoint closing
	completion []time.Duration // answered: from sending to the answer's last part
}

// collect tallies the ledger; call it once every phase is over.
func (f *figures) collect(l *ledger) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.byToken {
		t := f.tallies[r.phase]
		t.sent++
		if r.ack != ackNone {
			lat := r.ackAt.Sub(r.sent)
			t.acks = append(t.acks, lat)
			if lat <= ackLimit {
				t.ackedIn3s++
			}
		}
		out, at := r.outcome()
		switch r.ack {
		case ackNone:
			if tf := f.terms[r.phase]; tf != nil && !r.ackAt.Before(tf.at) && strings.HasPrefix(r.ackNote, "transport: ") {
				t.atDoor++ // refused after the signal, the endpoint closing: never in flight
				continue
			}
			t.unacked[firstWords(r.ackNote, 6)]++
		case ackImmediate:
			t.immediate[out]++
		case ackDeferred:
			t.deferred[out]++
			if out == outcomeAnswered {
				t.completion = append(t.completion, at.Sub(r.sent))
			}
		}
	}
	f.strays = slices.Clone(l.strays)
	f.invalid = slices.Clone(l.invalid)
	f.unknown404 = l.unknown404
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) > n {
		w = w[:n]
	}
	return strings.Join(w, " ")
}

// bad counts a tally's interactions that ended wrongly: lost, duplicated, an internal
// error or an unexpected message, or never acknowledged.
func (t *tally) bad() (lost, dup, other int) {
	for _, m := range []map[string]int{t.deferred, t.immediate} {
		lost += m[outcomeLost]
		dup += m[outcomeDuplicated]
		other += m[outcomeError] + m[outcomeOther]
	}
	for _, n := range t.unacked {
		other += n
	}
	return lost, dup, other
}

// accepted is how many interactions the endpoint took (all but those refused at the door).
func (t *tally) accepted() int { return t.sent - t.atDoor }

// failures returns every check that failed, in a few words each.
func (f *figures) failures() []string {
	var out []string
	for _, p := range slices.Sorted(maps.Keys(f.tallies)) {
		t, name := f.tallies[p], phaseNames[p]
		if t.ackedIn3s < t.accepted() {
			out = append(out, fmt.Sprintf("%s: %d of %d interactions not acknowledged within 3 s", name, t.accepted()-t.ackedIn3s, t.accepted()))
		}
		if lost, dup, other := t.bad(); lost+dup+other > 0 {
			out = append(out, fmt.Sprintf("%s: %d lost, %d duplicated, %d errors or unacknowledged", name, lost, dup, other))
		}
	}
	if f.settled.goroutines > f.idle.goroutines+goroutineSlack {
		out = append(out, fmt.Sprintf("goroutines not flat: %.0f at the start, %.0f after the settle", f.idle.goroutines, f.settled.goroutines))
	}
	if first, last, ok := f.heapTrend(); ok && last > first*(1+memoryGrowthLimit) {
		out = append(out, fmt.Sprintf("memory not flat: heap goal %s in the first third of the load, %s in the last", mb(first), mb(last)))
	}
	for _, p := range []int{phaseShutdown, phasePastGrace} {
		tf := f.terms[p]
		if tf == nil {
			continue
		}
		name := phaseNames[p]
		switch {
		case tf.err != nil:
			out = append(out, name+": "+tf.err.Error())
		case tf.killed:
			out = append(out, fmt.Sprintf("%s: footnote did not exit within %s of SIGTERM and was killed", name, exitWait))
		case tf.exitCode != 0:
			out = append(out, fmt.Sprintf("%s: footnote exited %d after SIGTERM", name, tf.exitCode))
		case tf.exitAfter > stopDeadline:
			out = append(out, fmt.Sprintf("%s: footnote took %s to exit, past its %s deadline", name, tf.exitAfter.Round(time.Millisecond), stopDeadline))
		}
		if tf.inFlight == 0 {
			out = append(out, name+": no answer was in flight at SIGTERM, so it tested nothing (raise -burst or -sigterm-after)")
		}
	}
	if f.terms[phasePastGrace] != nil && f.tallies[phasePastGrace].deferred[outcomeRetry] == 0 {
		out = append(out, "SIGTERM past the grace: no answer outlasted the grace, so it tested nothing (raise -slow-model)")
	}
	if len(f.strays) > 0 {
		out = append(out, fmt.Sprintf("%d unexpected REST calls (first: %s)", len(f.strays), f.strays[0]))
	}
	if len(f.invalid) > 0 {
		out = append(out, fmt.Sprintf("%d messages Discord would refuse (first: %s)", len(f.invalid), f.invalid[0]))
	}
	return out
}

// heapTrend returns the median heap goal of the first and of the last third of the load's
// samples; ok is false with fewer than six.
func (f *figures) heapTrend() (first, last float64, ok bool) {
	n := len(f.during)
	if n < 6 {
		return 0, 0, false
	}
	med := func(s []sample) float64 {
		xs := make([]float64, len(s))
		for i, x := range s {
			xs[i] = x.heapGoal
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	return med(f.during[:n/3]), med(f.during[n-n/3:]), true
}

// print writes the figures as a Markdown table, then the checks.
func (f *figures) print(w io.Writer) {
	o := f.opts
	secs := f.loadEnd.Sub(f.loadStart).Seconds()
	t := f.tallies[phaseLoad]
	row := func(k, format string, a ...any) { fmt.Fprintf(w, "| %s | %s |\n", k, fmt.Sprintf(format, a...)) }
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| figure | value |")
	fmt.Fprintln(w, "| --- | --- |")
	row("machine", "%d cores; load average %s before, %s after; CPU pressure %s; the driver's 100 ms timer up to %s late; footnote used %.0f CPU-seconds in the %.0f s",
		runtime.NumCPU(), f.loadBefore, f.loadAfter, f.cpuPressure, f.maxLag.Round(time.Millisecond), f.settled.cpu-f.warm.cpu, secs)
	row("load", "%d members asking at once for %.0f s (after %s of warm-up), %d articles, Discord round trip %s, FOOTNOTE_GUILD_CONCURRENCY=%d%s",
		o.concurrency, secs, o.warmup, o.articles, o.discordLatency, o.guildConc, workersNote(o.workers))
	row("interactions sent", "%d (%.0f a second)", t.sent, float64(t.sent)/secs)
	row("acknowledged within 3 s", "%d / %d; ack p50 %s, p99 %s, max %s", t.ackedIn3s, t.accepted(), pct(t.acks, 50), pct(t.acks, 99), pct(t.acks, 100))
	row("answered", "%d (%.0f a second); completion p50 %s, p90 %s, p99 %s, max %s", t.deferred[outcomeAnswered], float64(t.deferred[outcomeAnswered])/secs,
		pct(t.completion, 50), pct(t.completion, 90), pct(t.completion, 99), pct(t.completion, 100))
	row("told busy, retry (all places taken: at once, or after deferring)", "%d, %d", t.immediate[outcomeRetry], t.deferred[outcomeRetry])
	lost, dup, other := t.bad()
	row("lost / duplicated / errors or unacknowledged", "%d / %d / %d", lost, dup, other)
	row("edits that reached Discord before their deferral (404, retried)", "%d", f.unknown404)
	row(fmt.Sprintf("goroutines: start, during the load (max), after a %s settle", o.settle), "%.0f, %.0f, %.0f",
		f.idle.goroutines, maxOf(f.during, func(s sample) float64 { return s.goroutines }), f.settled.goroutines)
	first, last, _ := f.heapTrend()
	row("heap goal (twice the live heap): first third, last third of the load", "%s, %s", mb(first), mb(last))
	row("RSS: start, after warm-up, during the load (max), after the settle", "%s, %s, %s, %s",
		mb(f.idle.rss), mb(f.warm.rss), mb(maxOf(f.during, func(s sample) float64 { return s.rss })), mb(f.settled.rss))
	row("open files: start, after the settle", "%.0f, %.0f", f.idle.openFDs, f.settled.openFDs)
	for _, p := range []int{phaseShutdown, phasePastGrace} {
		if tf := f.terms[p]; tf != nil {
			f.printTerm(row, p, tf)
		}
	}
	fmt.Fprintln(w)
	if f.maxLag > stallNote {
		fmt.Fprintf(w, "note: the driver's own 100 ms timer fired up to %s late during the load: the machine stalled, and what was late then was late on the whole machine, footnote included\n",
			f.maxLag.Round(time.Millisecond))
	}
	if failed := f.failures(); len(failed) > 0 {
		for _, x := range failed {
			fmt.Fprintln(w, "FAIL", x)
		}
	} else {
		fmt.Fprintln(w, "ok: every interaction acknowledged within 3 s and answered or told to retry exactly once; goroutines and memory flat; clean exits on SIGTERM")
	}
	if n := f.tallies[phaseWarmup].sent; n > 0 {
		fmt.Fprintf(w, "(warm-up: %d interactions, checked the same way)\n", n)
	}
	for p, t := range f.tallies {
		for reason, n := range t.unacked {
			fmt.Fprintf(w, "%s: not acknowledged (%d): %s\n", phaseNames[p], n, reason)
		}
	}
}

// printTerm writes a SIGTERM phase's rows.
func (f *figures) printTerm(row func(k, format string, a ...any), p int, tf *termFigures) {
	t := f.tallies[p]
	name := "SIGTERM"
	if p == phasePastGrace {
		name = fmt.Sprintf("SIGTERM, model taking %s an answer", f.opts.slowLLM)
	}
	_, dup, other := t.bad()
	row(name+": answers in flight at the signal", "%d (%d members asking)", tf.inFlight, f.opts.burst)
	row(name+": of the deferred, answered / told to retry / lost", "%d / %d / %d",
		t.deferred[outcomeAnswered], t.deferred[outcomeRetry], t.deferred[outcomeLost])
	row(name+": refused at once (busy, restarting) / at the door (endpoint closed)", "%d / %d", t.immediate[outcomeRetry], t.atDoor)
	row(name+": duplicated / errors or unacknowledged; acks within 3 s", "%d / %d; %d / %d", dup, other, t.ackedIn3s, t.accepted())
	row(name+": exit status, time from the signal to exit; footnote's log over its life", "%s, %s; %d errors, %d warnings",
		exitStatus(tf), tf.exitAfter.Round(10*time.Millisecond), tf.levels["ERROR"], tf.levels["WARN"])
}

func workersNote(n int) string {
	if n == 0 {
		return ", FOOTNOTE_WORKERS default (16)"
	}
	return fmt.Sprintf(", FOOTNOTE_WORKERS=%d", n)
}

func exitStatus(tf *termFigures) string {
	if tf.killed {
		return "killed"
	}
	return fmt.Sprint(tf.exitCode)
}

// pct returns the p-th percentile of ds (100: the maximum), rounded for reading.
func pct(ds []time.Duration, p int) string {
	if len(ds) == 0 {
		return "-"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(max((len(s)*p+99)/100-1, 0), len(s)-1)
	d := s[i]
	switch {
	case d < 10*time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

func mb(b float64) string { return fmt.Sprintf("%.0f MB", b/1e6) }

func maxOf(s []sample, v func(sample) float64) float64 {
	m := 0.0
	for _, x := range s {
		m = max(m, v(x))
	}
	return m
}
