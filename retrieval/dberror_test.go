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
