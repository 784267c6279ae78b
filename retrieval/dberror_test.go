package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestClassifyDatabaseErrors(t *testing.T) {
	pg := func(code string) error {
		return fmt.Errorf("insert article: %w", &pgconn.PgError{Severity: "ERROR", Code: code})
	}
	// A real failed connection attempt: nothing listens on a port just closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, refused := pgconn.Connect(context.Background(), "postgres://footnote@"+addr+"/x?sslmode=disable&connect_timeout=5")
	// A connection attempt to a server that never answers, cut by the caller's deadline.
	callerCut := connectSilent(t, 100*time.Millisecond, "")

	tests := []struct {
		name                  string
		err                   error
		unavailable, conflict bool
	}{
		{"a session ended by an administrator (57P01) is an outage", pg("57P01"), true, false},
		{"a crash restart of the server (57P02) is an outage", pg("57P02"), true, false},
		{"a server starting up (57P03) is an outage", pg("57P03"), true, false},
		{"too many connections (53300) is an outage", pg("53300"), true, false},
		{"a server out of disk (53100) is an outage, not bad input", pg("53100"), true, false},
		{"a connection exception (08006) is an outage", pg("08006"), true, false},
		{"an I/O error on the server (58030) is an outage", pg("58030"), true, false},
		{"a session the server ended for being idle (57P05) is a lost connection", pg("57P05"), true, false},
		{"a session the server ended for idling in a transaction (25P03) is a lost connection", pg("25P03"), true, false},
		{"a connection attempt the caller's deadline cut short is not an outage", callerCut, false, false},
		{"a serialization failure (40001) is a conflict", pg("40001"), false, true},
		{"a deadlock (40P01) is a conflict", pg("40P01"), false, true},
		{"a unique violation (23505) is the data's", pg("23505"), false, false},
		{"a bad value (22P02) is the data's", pg("22P02"), false, false},
		{"a wrong password (28P01) is the configuration's", pg("28P01"), false, false},
		{"a refused connection is an outage", refused, true, false},
		{"a database connection cut mid-read is an outage", retrieval.SocketError(io.ErrUnexpectedEOF), true, false},
		{"a reset database connection is an outage", fmt.Errorf("receive: %w", retrieval.SocketError(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})), true, false},
		{"a connection pgx had closed is an outage", fmt.Errorf("begin: %w", pgconn.ErrConnClosed), true, false},
		{"a web page cut mid-read is not the database's", fmt.Errorf("fetch: %w", io.ErrUnexpectedEOF), false, false},
		{"a reset connection to a model server is not the database's", &url.Error{Op: "Post", URL: "http://llm", Err: &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}}, false, false},
		{"a missing file is not the database's", &fs.PathError{Op: "open", Path: "x.md", Err: syscall.ENOENT}, false, false},
		{"an error already marked unavailable stays so", fmt.Errorf("store: %w", retrieval.ErrUnavailable), true, false},
		{"the caller's cancelled context is not an outage", fmt.Errorf("query: %w", context.Canceled), false, false},
		{"the caller's deadline is not an outage", context.DeadlineExceeded, false, false},
		{"a closed pool is footnote shutting down, not an outage", errors.New("closed pool"), false, false},
		{"no error is neither", nil, false, false},
	}
	if refused == nil {
		t.Fatal("connecting to a closed port succeeded")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retrieval.IsUnavailable(tt.err); got != tt.unavailable {
				t.Errorf("IsUnavailable(%v) = %v, want %v", tt.err, got, tt.unavailable)
			}
			if got := retrieval.IsConflict(tt.err); got != tt.conflict {
				t.Errorf("IsConflict(%v) = %v, want %v", tt.err, got, tt.conflict)
			}
		})
	}
}

func TestWritesAreTriedAgainOnlyWhenThatCanHelp(t *testing.T) {
	deadlock := &pgconn.PgError{Code: "40P01"}
	lost := fmt.Errorf("begin: %w", retrieval.SocketError(io.ErrUnexpectedEOF))
	bad := &pgconn.PgError{Code: "22P02"}
	quiet := slog.New(slog.DiscardHandler)
	// failing returns a write that fails with errs in turn, then succeeds, counting calls.
	failing := func(calls *int, errs ...error) func() error {
		return func() error {
			*calls++
			if *calls <= len(errs) {
				return errs[*calls-1]
			}
			return nil
		}
	}

	t.Run("a conflict is run again at once, and goes through", func(t *testing.T) {
		calls := 0
		if err := retrieval.AgainOnConflict(failing(&calls, deadlock, deadlock)); err != nil || calls != 3 {
			t.Errorf("AgainOnConflict = %v after %d calls, want success on the third", err, calls)
		}
	})
	t.Run("an endless conflict gives up after three more tries", func(t *testing.T) {
		calls := 0
		err := retrieval.AgainOnConflict(func() error { calls++; return deadlock })
		if !errors.Is(err, deadlock) || calls != 4 {
			t.Errorf("AgainOnConflict = %v after %d calls, want the deadlock after 4", err, calls)
		}
	})
	t.Run("bad data is not tried again", func(t *testing.T) {
		calls := 0
		if err := retrieval.AgainOnConflict(failing(&calls, bad)); !errors.Is(err, bad) || calls != 1 {
			t.Errorf("AgainOnConflict = %v after %d calls, want the error at once", err, calls)
		}
		calls = 0
		if err := retrieval.WaitOutOutage(context.Background(), quiet, time.Minute, "test", failing(&calls, bad)); !errors.Is(err, bad) || calls != 1 {
			t.Errorf("WaitOutOutage = %v after %d calls, want the error at once", err, calls)
		}
	})
	t.Run("an outage is waited out", func(t *testing.T) {
		calls := 0
		if err := retrieval.WaitOutOutage(context.Background(), quiet, time.Minute, "test", failing(&calls, lost, lost)); err != nil || calls != 3 {
			t.Errorf("WaitOutOutage = %v after %d calls, want success on the third", err, calls)
		}
	})
	t.Run("an outage longer than the wait stops with ErrUnavailable", func(t *testing.T) {
		calls := 0
		start := time.Now()
		err := retrieval.WaitOutOutage(context.Background(), quiet, 500*time.Millisecond, "test", func() error { calls++; return lost })
		took := time.Since(start)
		if !errors.Is(err, retrieval.ErrUnavailable) || !errors.Is(err, io.ErrUnexpectedEOF) || calls < 2 {
			t.Errorf("WaitOutOutage = %v after %d calls, want ErrUnavailable with the last cause, after several tries", err, calls)
		}
		if took < 500*time.Millisecond || took > 3*time.Second {
			t.Errorf("WaitOutOutage gave up after %v, want about the wait (500ms)", took)
		}
	})
	t.Run("a cancelled context ends the wait", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		calls := 0
		err := retrieval.WaitOutOutage(ctx, quiet, time.Hour, "test", func() error {
			calls++
			if calls == 2 {
				cancel()
			}
			return lost
		})
		if err == nil || calls != 2 {
			t.Errorf("WaitOutOutage = %v after %d calls, want it to stop at the call that saw the context end", err, calls)
		}
	})
}

// connectSilent connects to a server that accepts and never answers, under a context with
// the deadline wait and with params added to the DSN, and returns the error.
func connectSilent(t *testing.T, wait time.Duration, params string) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	_, err = pgconn.Connect(ctx, "postgres://footnote@"+ln.Addr().String()+"/x?sslmode=disable"+params)
	if err == nil {
		t.Fatal("connected to a server that never answers")
	}
	return err
}

func TestClassifyKnowsWhenTheCallerGaveUp(t *testing.T) {
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	live := context.Background()
	closed := fmt.Errorf("rollback: %w", pgconn.ErrConnClosed)
	ownTimeout := connectSilent(t, time.Minute, "&connect_timeout=1")
	tests := []struct {
		name        string
		ctx         context.Context
		err         error
		unavailable bool
	}{
		{"a connection pgx closed after the caller's context ended is not an outage", ended, closed, false},
		{"a connection pgx closed while the caller waits is an outage", live, closed, true},
		{"a lost socket after the caller's context ended is not an outage", ended, retrieval.SocketError(io.ErrUnexpectedEOF), false},
		{"the server shutting down is an outage whatever the context", ended, &pgconn.PgError{Code: "57P01"}, true},
		{"a connection attempt that ran out its own connect_timeout while the caller waits is an outage", live, ownTimeout, true},
		{"the same attempt, when the caller's context is unknown, counts as the caller's", nil, ownTimeout, false},
		{"a connection attempt the caller cancelled is not an outage", ended, connectSilent(t, 50*time.Millisecond, ""), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retrieval.IsUnavailableIn(tt.ctx, tt.err); got != tt.unavailable {
				t.Errorf("IsUnavailableIn(%v) = %v, want %v", tt.err, got, tt.unavailable)
			}
		})
	}
}

// TestACancelledStatementLeavesThePoolAlone cuts a statement short with its context, as
// a feed item's deadline, the end of a recrawl pass or a shutdown do: pgx closes that
// connection, and the transaction's rollback on it fails with "conn closed". The pool's
// other connections are fine and must stay: emptying it is for a database that went away.
func TestACancelledStatementLeavesThePoolAlone(t *testing.T) {
	s := retrievaltest.Store(t)
	ctx := context.Background()
	const held = 4
	release, err := retrieval.HoldConns(ctx, s, held)
	if err != nil {
		t.Fatal(err)
	}
	release()
	before := retrieval.PoolStat(s).NewConnsCount()

	sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	err = retrieval.SleepInTx(sctx, s, time.Minute)
	if err == nil {
		t.Fatal("a minute's sleep finished within 200 ms")
	}
	if retrieval.IsUnavailable(err) {
		t.Errorf("the cancelled statement's error %v reads as an outage", err)
	}

	release, err = retrieval.HoldConns(ctx, s, held)
	if err != nil {
		t.Fatal(err)
	}
	release()
	// The cancelled statement's connection is gone; the others are not.
	if opened := retrieval.PoolStat(s).NewConnsCount() - before; opened > 1 {
		t.Errorf("the pool opened %d connections after one statement was cancelled, want at most 1 (it was emptied)", opened)
	}
}
