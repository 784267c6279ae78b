package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// report writes a failed command's error as one line, with the fix for the errors the
// operator can fix that the message alone does not name. Usage errors were printed already.
func report(w io.Writer, err error) {
	if errors.Is(err, errUsage) {
		return
	}
	msg := err.Error()
	var page *fetch.StatusError
	switch {
	case errors.Is(err, retrieval.ErrBlockedAddr):
		msg += " (private and loopback addresses are refused; FOOTNOTE_ALLOW_PRIVATE=true allows them)"
	case errors.As(err, &page) && (page.Code == 404 || page.Code == 410):
		msg += " (the page was not found: check the address)"
	case errors.As(err, &page) && (page.Code == 401 || page.Code == 403):
		msg += " (the site refuses bots or needs a login: save the page and run `footnote add FILE`)"
	case errors.Is(err, retrieval.ErrFetch):
		msg += " (the site may be down: try again later, or save the page and run `footnote add FILE`)"
	case errors.Is(err, retrieval.ErrTooManyDims):
		msg += " (choose a smaller FOOTNOTE_EMBED_MODEL, or ask this one for fewer dimensions with FOOTNOTE_EMBED_DIMS, as OpenAI's text-embedding-3 models allow)"
	case errors.As(err, new(*stoppedError)), errors.As(err, new(*unreachableError)):
	case retrieval.IsUnavailable(err):
		msg += " (try again once the database is back: the input is not at fault)"
	}
	fmt.Fprintln(w, "footnote:", msg)
}

// SQLSTATE codes a connection fails with when the URL names something the server lacks.
const (
	sqlstateNoDatabase  = "3D000" // invalid_catalog_name: the database does not exist
	sqlstateBadAuthSpec = "28000" // invalid_authorization_specification: no such role, or pg_hba refuses
	sqlstateBadPassword = "28P01" // invalid_password
)

// databaseError turns a failure to reach or log in to the database at dsn (DATABASE_URL)
// into one line that names the variable, the cause and the fix; localPort is where `make
// db` puts footnote's own cluster. Errors met once connected (a failed migration) pass
// through. The line never holds the password.
func databaseError(dsn, localPort string, err error) error {
	return urlError("DATABASE_URL", dsn, localPort, err)
}

// urlError is databaseError for the variable name (DATABASE_URL or DATABASE_OWNER_URL).
func urlError(name, dsn, localPort string, err error) error {
	if err == nil {
		return nil
	}
	if perr := checkDatabaseURL(name, dsn); perr != nil { // configFromEnv refuses these first
		return perr
	}
	cfg, _ := pgconn.ParseConfig(dsn)
	at := net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port))
	if strings.HasPrefix(cfg.Host, "/") {
		at = cfg.Host // a Unix socket directory
	}
	// The cluster `make db` starts, reached as one of its roles: its fixes are make db's.
	local := cfg.Host == "127.0.0.1" && fmt.Sprint(cfg.Port) == localPort &&
		(cfg.User == retrieval.LocalRuntimeRole || cfg.User == retrieval.LocalOwnerRole)
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch {
		case pg.Code == sqlstateNoDatabase:
			return fmt.Errorf("%s: database %q does not exist on %s (create it with createdb, or run `make db`, which creates footnote's own)", name, cfg.Database, at)
		case pg.Code == sqlstateBadPassword && local:
			return fmt.Errorf("%s: password authentication failed for user %q on %s (footnote's own cluster keeps its passwords in %s of the checkout: run footnote from the checkout, or set PGPASSFILE to that file; `make db` writes it)", name, cfg.User, at, retrieval.LocalPassfile)
		case pg.Code == sqlstateBadPassword:
			// A server that asks for passwords answers a missing role this way too, so as
			// not to tell strangers which roles exist.
			return fmt.Errorf("%s: password authentication failed for user %q on %s (fix the password in %s, or the user: the server does not say which is wrong)", name, cfg.User, at, name)
		case pg.Code == sqlstateBadAuthSpec && strings.Contains(pg.Message, "does not exist") && local:
			return fmt.Errorf("%s: role %q does not exist on %s (run `make db`, which creates footnote's roles)", name, cfg.User, at)
		case pg.Code == sqlstateBadAuthSpec && strings.Contains(pg.Message, "does not exist"):
			return fmt.Errorf("%s: role %q does not exist on %s (create it, or put an existing user in %s)", name, cfg.User, at, name)
		case pg.Code == sqlstateBadAuthSpec:
			return fmt.Errorf("%s: %s refused user %q: %s (allow it in pg_hba.conf, or use another user in %s)", name, at, cfg.User, pg.Message, name)
		}
	}
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return err
	}
	running := fmt.Sprintf("is Postgres running? `make db` starts footnote's own on 127.0.0.1:%s", localPort)
	var dns *net.DNSError
	var tlsRefused *tls.CertificateVerificationError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return unreachable(err, "%s: cannot connect to %s: connection refused (%s)", name, at, running)
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return unreachable(err, "%s: cannot connect to %s: timed out (%s)", name, at, running)
	case errors.As(err, &dns):
		return fmt.Errorf("%s: cannot connect to %s: host %q not found (check the host name)", name, at, cfg.Host)
	case errors.Is(err, syscall.ENOENT):
		return unreachable(err, "%s: cannot connect to %s: no socket there (%s)", name, at, running)
	case strings.Contains(err.Error(), "server refused TLS connection"): // pgconn has no sentinel for it
		return fmt.Errorf("%s: cannot connect to %s: the server refused TLS, which its sslmode requires (set sslmode=disable in %s, or enable TLS on the server)", name, at, name)
	case errors.As(err, &tlsRefused):
		return fmt.Errorf("%s: %s", name, strings.Join(strings.Fields(ce.Error()), " "))
	}
	// pgconn lists each address it tried on its own line; keep to one. What is left is the
	// server's (starting up, too many connections, a connection cut while logging in) or
	// the network's, unless the server's own answer says otherwise (IsUnavailable).
	if !retrieval.IsUnavailable(err) {
		return fmt.Errorf("%s: %s", name, strings.Join(strings.Fields(ce.Error()), " "))
	}
	return unreachable(err, "%s: %s", name, strings.Join(strings.Fields(ce.Error()), " "))
}

// unreachableError is a database footnote could not reach when it started: its message is
// the one line databaseError wrote, with the fix, and it wraps retrieval.ErrUnavailable and
// the driver's error, so that the command exits 75 (EX_TEMPFAIL) like any other outage: a
// script or a supervisor tries again later rather than blaming its input or configuration.
type unreachableError struct {
	msg string
	err error
}

func (e *unreachableError) Error() string   { return e.msg }
func (e *unreachableError) Unwrap() []error { return []error{retrieval.ErrUnavailable, e.err} }

// unreachable is an unreachableError saying format with args, wrapping err.
func unreachable(err error, format string, args ...any) error {
	return &unreachableError{msg: fmt.Sprintf(format, args...), err: err}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
