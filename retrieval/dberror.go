package retrieval

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// dbFault is what a failed database call says about calling again.
type dbFault int

const (
	// faultRefused: the database refused the statement or its data, or the caller's own
	// context ended. The same call would fail the same way.
	faultRefused dbFault = iota
	// faultConflict: the transaction lost to a concurrent one (a deadlock or a
	// serialization failure) and was rolled back. Running it again at once usually works.
	faultConflict
	// faultUnavailable: the database is out of reach (see ErrUnavailable). Running it again
	// works once the server is back, which takes seconds to minutes.
	faultUnavailable
)

// SQLSTATE codes and classes that classify reads (PostgreSQL, Appendix A).
const (
	sqlstateSerialization = "40001" // serialization_failure
	sqlstateDeadlock      = "40P01" // deadlock_detected
	sqlstateAdminShutdown = "57P01" // admin_shutdown: pg_terminate_backend, a fast or smart shutdown
	sqlstateCrashShutdown = "57P02" // crash_shutdown: another backend crashed and the server restarts
	sqlstateCannotConnect = "57P03" // cannot_connect_now: the server is starting up or in recovery
	classConnection       = "08"    // connection_exception
	classResources        = "53"    // insufficient_resources: too_many_connections (53300), disk_full, out_of_memory
	classSystem           = "58"    // system_error: an I/O error on the server
)

// classify is the one place that reads the driver's errors to decide what a failure means
// for trying again. A server's error is judged by its SQLSTATE: conflicts between
// transactions are faultConflict; connection exceptions, shutdowns, start-up, too many
// connections and the server's own resource or I/O trouble are faultUnavailable (none of
// them is the input's fault). Without a server error, a failed connection attempt or any
// network failure (refused, reset, closed, timed out, a connection pgx had already closed)
// is faultUnavailable. The caller's cancelled or expired context, and everything else, is
// faultRefused.
func classify(err error) dbFault {
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
			strings.HasPrefix(code, classConnection), strings.HasPrefix(code, classResources), strings.HasPrefix(code, classSystem):
			return faultUnavailable
		}
		// Anything else the server said, a wrong password or a missing database at
		// connection time included, is an answer, not an outage.
		return faultRefused
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return faultRefused // the caller gave up; the database may be fine
	}
	var (
		connect *pgconn.ConnectError
		nerr    net.Error
	)
	switch {
	case errors.As(err, &connect), errors.As(err, &nerr),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, net.ErrClosed),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return faultUnavailable
	}
	return faultRefused
}

// IsUnavailable reports whether err means the database was out of reach (ErrUnavailable, or a
// driver error that says so), rather than a refusal of what was asked: the bot and the
// command line tell people to try again later instead of blaming their input.
func IsUnavailable(err error) bool { return classify(err) == faultUnavailable }
