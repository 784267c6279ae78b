package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Phases of the run, as recorded in the ledger.
const (
	phaseWarmup    = iota
	phaseLoad      // the measured load
	phaseShutdown  // SIGTERM with answers that finish within the grace
	phasePastGrace // SIGTERM with answers slower than the grace (a slow model)
)

// phaseNames name the phases in the report.
var phaseNames = map[int]string{
	phaseWarmup: "warm-up", phaseLoad: "load", phaseShutdown: "SIGTERM phase", phasePastGrace: "SIGTERM past the grace",
}

const (
	// drainTimeout bounds the wait for the last answers after the load stops sending; an
	// answer still missing after it counts as lost.
	drainTimeout = 30 * time.Second
	// sampleEvery is how often footnote's goroutines and memory are read during the load.
	sampleEvery = time.Second
	// exitWait bounds the wait for footnote to exit after SIGTERM: its own deadline for the
	// whole shutdown (cmd/footnote's stopDeadline, 25 s) and some more. Past it the process
	// is killed and the check fails.
	exitWait = 35 * time.Second
)

// runLoad is phase 1: a warm-up, the measured load with samples of footnote's runtime, the
// last answers, and an idle settle before the runtime is read again.
func runLoad(ctx context.Context, o *options, srv *server, a *asker, fd *fakeDiscord, l *ledger, f *figures) error {
	var err error
	if f.idle, err = srv.scrape(ctx); err != nil {
		return err
	}
	if o.warmup > 0 {
		drive(ctx, a, phaseWarmup, o.concurrency, o.warmup)
		waitAnswered(ctx, l, phaseWarmup, drainTimeout)
	}
	if f.warm, err = srv.scrape(ctx); err != nil {
		return err
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { f.maxLag = timerLag(stop) })
	wg.Go(func() {
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if s, err := srv.scrape(ctx); err == nil {
					f.during = append(f.during, s)
				}
			}
		}
	})
	f.loadStart = time.Now()
	drive(ctx, a, phaseLoad, o.concurrency, o.duration)
	f.loadEnd = time.Now()
	close(stop)
	wg.Wait()
	waitAnswered(ctx, l, phaseLoad, drainTimeout)

	// Close the idle keep-alive connections on both sides (the driver's to footnote,
	// footnote's to the fake Discord), which hold goroutines until their idle timeouts, so
	// that what is left after the settle is footnote's own.
	a.client.CloseIdleConnections()
	fd.srv.SetKeepAlivesEnabled(false)
	defer fd.srv.SetKeepAlivesEnabled(true)
	select {
	case <-time.After(o.settle):
	case <-ctx.Done():
		return ctx.Err()
	}
	if f.settled, err = srv.scrape(ctx); err != nil {
		return err
	}
	return nil
}

// lagTick is the period of the driver's own timer, whose lateness shows how starved of CPU
// the machine is: a process that waits seconds for a core is not footnote's doing.
const lagTick = 100 * time.Millisecond

// timerLag returns how late, at most, a lagTick timer fired until stop closes.
func timerLag(stop <-chan struct{}) time.Duration {
	var worst time.Duration
	t := time.NewTicker(lagTick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-stop:
			return worst
		case <-t.C:
			worst = max(worst, time.Since(last)-lagTick)
			last = time.Now()
		}
	}
}

// termFigures are what one SIGTERM phase measured.
type termFigures struct {
	inFlight  int // deferred interactions without their final message at the signal
	at        time.Time
	err       error // the signal could not be sent
	killed    bool  // footnote did not exit within exitWait
	exitCode  int
	exitAfter time.Duration
	levels    map[string]int // footnote's log lines by level
}

// runShutdown is a SIGTERM phase: members ask at once, footnote gets SIGTERM while answers
// are in flight, and the members keep asking until the endpoint stops taking interactions.
func runShutdown(ctx context.Context, o *options, srv *server, a *asker, l *ledger, phase int) *termFigures {
	tf := &termFigures{}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range o.burst {
		wg.Go(func() { a.work(wctx, phase, true) })
	}
	select {
	case <-time.After(o.sigtermAfter):
	case <-ctx.Done():
	}
	tf.inFlight = l.inFlight(phase)
	tf.at = time.Now()
	if err := srv.terminate(); err != nil {
		tf.err = fmt.Errorf("send SIGTERM: %w", err)
	}
	select {
	case <-srv.exited:
	case <-time.After(exitWait):
		tf.killed = true
		srv.kill()
	}
	cancel()
	wg.Wait()
	tf.exitCode = srv.exitCode()
	tf.exitAfter = srv.exitedAt.Sub(tf.at)
	tf.levels = srv.logLevels()
	return tf
}
