package jobs

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// sweepLog records, in order, the reconciles and sweeps of a sweep_departures job.
type sweepLog struct {
	mu    sync.Mutex
	steps []string
	swept chan struct{} // receives after each sweep
}

func (l *sweepLog) add(step string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.steps = append(l.steps, step)
}

func (l *sweepLog) seen() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.steps, ",")
}

// sweepingEngine is the real engine whose RemoveDue is recorded in a sweepLog.
type sweepingEngine struct {
	Engine
	log *sweepLog
}

func (e *sweepingEngine) RemoveDue(ctx context.Context, now time.Time) ([]string, error) {
	removed, err := e.Engine.RemoveDue(ctx, now)
	e.log.add("sweep")
	e.log.swept <- struct{}{}
	return removed, err
}

// fakeReconciler records its calls in a sweepLog and returns err.
type fakeReconciler struct {
	log *sweepLog
	err error
}

func (r *fakeReconciler) ReconcileGuilds(context.Context) error {
	r.log.add("reconcile")
	return r.err
}

// lockedLog is a log a client writes to while the test reads it.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestTheDeparturesSweepReconcilesTheServersFirst(t *testing.T) {
	for _, tc := range []struct {
		name       string
		reconciler bool
		err        error
		want       string // the steps of the first sweep job
		wantError  bool   // an error-level line about reconciling
	}{
		{name: "with a reconciler, the sweep reconciles the servers, then deletes what is due",
			reconciler: true, want: "reconcile,sweep"},
		{name: "a failed reconcile is logged as an error, and the sweep still runs and is done",
			reconciler: true, err: errors.New("Discord is down"), want: "reconcile,sweep", wantError: true},
		{name: "without a reconciler (no Discord here), the sweep runs alone", want: "sweep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dsn, e, _ := newDB(t)
			steps := &sweepLog{swept: make(chan struct{}, 10)}
			logs := &lockedLog{}
			cfg := Config{Engine: &sweepingEngine{Engine: e, log: steps}, Work: WorkAll,
				Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
			if tc.reconciler {
				cfg.Reconciler = &fakeReconciler{log: steps, err: tc.err}
			}
			start(t, dsn, cfg) // the leader queues a sweep at once (RunOnStart)
			select {
			case <-steps.swept:
			case <-time.After(30 * time.Second):
				t.Fatal("no sweep ran")
			}
			if got := steps.seen(); got != tc.want {
				t.Errorf("the sweep job ran %q, want %q", got, tc.want)
			}
			idle(t, e, KindSweepDepartures)
			counts, err := e.JobCounts(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range counts {
				if c.Kind == KindSweepDepartures && (c.Done != 1 || c.Failed != 0) {
					t.Errorf("sweep jobs %+v, want one done", c)
				}
			}
			if got := strings.Contains(logs.String(), `level=ERROR msg="find the servers that removed footnote"`); got != tc.wantError {
				t.Errorf("reconcile error logged: %v, want %v:\n%s", got, tc.wantError, logs)
			}
		})
	}
}
