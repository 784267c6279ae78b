package retrieval

import (
	"context"
	"errors"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// dbFault is what a failed call says about calling again.
type dbFault int

const (
	// faultRefused: the database refused the statement or its data, the caller's own
	// context ended, or the error is not the database's at all (a page, a file, a model
	// server). The same call would fail the same way.
	faultRefused dbFault = iota
	// faultConflict: the transaction lost to a concurrent one (a deadlock or a
	// serialization failure) and was rolled back. Running it again at once usually works.
	faultConflict
	// faultUnavailable: the database is out of reach (see ErrUnavailable). Running it again
	// works once the server is back, which takes seconds to minutes.
	faultUnavailable
)

// SQLSTATE codes and classes that classify and the store read (PostgreSQL, Appendix A).
const (
	sqlstateSerialization = "40001" // serialization_failure
	sqlstateDeadlock      = "40P01" // deadlock_detected
	sqlstateAdminShutdown = "57P01" // admin_shutdown: pg_terminate_backend, a fast or smart shutdown
	sqlstateCrashShutdown = "57P02" // crash_shutdown: another backend crashed and the server restarts
	sqlstateCannotConnect = "57P03" // cannot_connect_now: the server is starting up or in recovery
	sqlstateIdleSession   = "57P05" // idle_session_timeout: the server ended a session idle too long
	sqlstateIdleInTx      = "25P03" // idle_in_transaction_session_timeout: the same, inside a transaction
	sqlstateForeignKey    = "23503" // foreign_key_violation: a row refers to one that is gone
	classConnection       = "08"    // connection_exception
	classResources        = "53"    // insufficient_resources: too_many_connections (53300), disk_full, out_of_memory
	classSystem           = "58"    // system_error: an I/O error on the server
)

// classify is the one place that reads the database driver's errors to decide what a
// failure means for trying again (classifyIn, without knowing the caller's context).
func classify(err error) dbFault { return classifyIn(nil, err) }

// classifyIn decides what err, met by a call made under ctx (nil when unknown), means for
// trying again. A server's error is judged by its SQLSTATE: conflicts between transactions
// are faultConflict; connection exceptions, shutdowns, start-up, sessions ended for being
// idle, too many connections and the server's own resource or I/O trouble are
// faultUnavailable (none of them is anyone's input at fault).
//
// Without a server error, the caller giving up comes first: once ctx has ended, or when
// the error is a context's and no live ctx says otherwise, it is faultRefused, even for
// a connection attempt (the caller cancelled it) or a connection pgx had closed (pgx
// closes the connection of a statement whose context ends mid-way, and the transaction's
// rollback then fails with "conn closed"). A connection attempt that ran out of time
// while ctx is alive is pgconn's own connect_timeout: faultUnavailable. Otherwise a failed
// connection attempt, a failure of a database connection's socket (socketError: refused,
// reset, closed, cut mid-message) or a connection pgx had already closed is
// faultUnavailable, and everything else, network errors of other services included, is
// faultRefused.
func classifyIn(ctx context.Context, err error) dbFault {
	if err == nil {
		return faultRefused
	}
	if errors.Is(err, ErrUnavailable) {
		return faultUnavailable
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch code := pg.Code; {
		case code == sqlstateSerialization || code == sqlstateDeadlock:
			return faultConflict
		case code == sqlstateAdminShutdown || code == sqlstateCrashShutdown || code == sqlstateCannotConnect,
			code == sqlstateIdleSession || code == sqlstateIdleInTx,
			strings.HasPrefix(code, classConnection), strings.HasPrefix(code, classResources), strings.HasPrefix(code, classSystem):
			return faultUnavailable
		}
		// Anything else the server said, a wrong password or a missing database at
		// connection time included, is an answer, not an outage.
		return faultRefused
	}
	if ctx != nil && ctx.Err() != nil {
		return faultRefused // the caller gave up; the database may be fine
	}
	var connect *pgconn.ConnectError
	isConnect := errors.As(err, &connect)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		if isConnect && ctx != nil {
			return faultUnavailable // the caller still waits: the attempt's own time ran out
		}
		return faultRefused // the caller gave up; the database may be fine
	}
	if isConnect {
		return faultUnavailable // no server error: the server could not be reached
	}
	var sock *socketError
	if errors.As(err, &sock) || errors.Is(err, pgconn.ErrConnClosed) {
		return faultUnavailable
	}
	return faultRefused
}

// IsUnavailable reports whether err means the database was out of reach (ErrUnavailable, or
// a driver error that says so), rather than a refusal of what was asked: the bot and the
// command line tell people to try again later instead of blaming their input.
func IsUnavailable(err error) bool { return classify(err) == faultUnavailable }

// socketError is a read or write error of a database connection's socket. pgx hands these
// back in several shapes (wrapped, or as the bare io.ErrUnexpectedEOF or *net.OpError that a
// web request fails with too), so every database connection marks its own (markedConn):
// classify then tells a lost database from a lost web page.
type socketError struct{ err error }

func (e *socketError) Error() string { return e.err.Error() }
func (e *socketError) Unwrap() error { return e.err }

// markedConn is a database connection whose read and write errors are socketErrors.
// Deadlines and timeouts still read as before: errors.As finds the net.Error inside.
type markedConn struct{ net.Conn }

func (c markedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	return n, markSocket(err)
}

func (c markedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	return n, markSocket(err)
}

func markSocket(err error) error {
	if err == nil {
		return nil
	}
	return &socketError{err}
}

// markSockets makes every connection dial opens a markedConn.
func markSockets(dial pgconn.DialFunc) pgconn.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return markedConn{c}, nil
	}
}
