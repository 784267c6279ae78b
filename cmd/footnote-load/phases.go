package main

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Phases of the run, as recorded in the ledger.
const (
	phaseWarmup = iota
	phaseLoad
	phaseShutdown
)

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

// runShutdown is phase 2: members ask at once, footnote gets SIGTERM while answers are in
// flight, and the members keep asking until the endpoint stops taking interactions.
func runShutdown(ctx context.Context, o *options, srv *server, a *asker, l *ledger, f *figures) {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range o.burst {
		wg.Go(func() { a.work(wctx, phaseShutdown, true) })
	}
	select {
	case <-time.After(o.sigtermAfter):
	case <-ctx.Done():
	}
	f.inFlightAtTerm = l.inFlight(phaseShutdown)
	f.termAt = time.Now()
	if err := srv.terminate(); err != nil {
		f.termErr = fmt.Errorf("send SIGTERM: %w", err)
	}
	select {
	case <-srv.exited:
	case <-time.After(exitWait):
		f.killed = true
		srv.kill()
	}
	cancel()
	wg.Wait()
	f.exitCode = srv.exitCode()
	f.exitAfter = srv.exitedAt.Sub(f.termAt)
}
