package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// runMigrate runs `footnote migrate` with env, checks that it exits with status want and
// prints its error as one line, alone, and returns the error.
func runMigrate(t *testing.T, env map[string]string, want int) error {
	t.Helper()
	var out, stderr bytes.Buffer
	err := run(context.Background(), []string{"migrate"}, strings.NewReader(""), &out, &stderr, func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("migrate succeeded, want an error")
	}
	if strings.Contains(err.Error(), "\n") || exitCode(err) != want {
		t.Errorf("error %q (exit %d): want one line, exit %d", err, exitCode(err), want)
	}
	var line bytes.Buffer
	report(&line, err)
	if line.String() != "footnote: "+err.Error()+"\n" {
		t.Errorf("reported as %q, want the error's line alone", line.String())
	}
	return err
}

func TestDatabaseErrorsNameTheVariableAndTheFix(t *testing.T) {
	t.Run("a refused connection asks whether Postgres runs, names make db's port and exits 75", func(t *testing.T) {
		err := runMigrate(t, map[string]string{
			"DATABASE_URL":    "postgres://footnote@127.0.0.1:1/footnote?sslmode=disable&connect_timeout=5",
			"FOOTNOTE_PGPORT": "55999",
		}, exitTempFail)
		want := "DATABASE_URL: cannot connect to 127.0.0.1:1: connection refused (is Postgres running? `make db` starts footnote's own on 127.0.0.1:55999)"
		if err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})
	t.Run("a server that never answers times out, asks whether Postgres runs and exits 75", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() { // accept and say nothing
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		err = runMigrate(t, map[string]string{"DATABASE_URL": "postgres://footnote@" + ln.Addr().String() + "/footnote?sslmode=disable&connect_timeout=1"}, exitTempFail)
		if !strings.HasPrefix(err.Error(), "DATABASE_URL: cannot connect to "+ln.Addr().String()+": timed out (is Postgres running?") {
			t.Errorf("error %q, want a timeout naming DATABASE_URL", err)
		}
	})
	t.Run("a server without TLS under sslmode=require says which side to change", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() { // answer every SSLRequest (8 bytes) with 'N', as a server without TLS does
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 8)
				if _, err := io.ReadFull(c, buf); err == nil {
					c.Write([]byte{'N'})
				}
				c.Close()
			}
		}()
		err = runMigrate(t, map[string]string{"DATABASE_URL": "postgres://footnote@" + ln.Addr().String() + "/footnote?sslmode=require&connect_timeout=5"}, 1)
		want := "DATABASE_URL: cannot connect to " + ln.Addr().String() + ": the server refused TLS, which its sslmode requires (set sslmode=disable in DATABASE_URL, or enable TLS on the server)"
		if err.Error() != want {
			t.Errorf("error %q, want %q", err, want)
		}
	})

	t.Run("a certificate that does not verify is the configuration's: exit 1", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(nil) // only for its self-signed certificate
		srv.StartTLS()
		certs := srv.TLS.Certificates
		srv.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() { // accept the SSLRequest ('S'), then a TLS handshake with a certificate no one signed
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				buf := make([]byte, 8)
				if _, err := io.ReadFull(c, buf); err == nil {
					c.Write([]byte{'S'})
					_ = tls.Server(c, &tls.Config{Certificates: certs}).Handshake()
				}
				c.Close()
			}
		}()
		err = runMigrate(t, map[string]string{"DATABASE_URL": "postgres://footnote@" + ln.Addr().String() + "/footnote?sslmode=verify-full&connect_timeout=5"}, 1)
		if !strings.HasPrefix(err.Error(), "DATABASE_URL: ") || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("error %q, want the certificate's failure naming DATABASE_URL", err)
		}
	})

	retrievaltest.Store(t) // the cases below need a server to refuse them
	base, err := url.Parse(retrievaltest.DSN())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		edit   func(u *url.URL)
		want   []string // one of these starts the error
		reject string
	}{
		{"a missing database is named, with how to create it", func(u *url.URL) { u.Path = "/footnote_no_such_db" },
			[]string{`DATABASE_URL: database "footnote_no_such_db" does not exist on ` + base.Host + " (create it with createdb, or run `make db`"}, "is Postgres running"},
		// A server that trusts the connection says the role is missing; one that asks for
		// a password (footnote's own cluster) says only that the login failed.
		{"a missing role is named, with the fix", func(u *url.URL) { u.User = url.User("footnote_no_such_role") },
			[]string{`DATABASE_URL: role "footnote_no_such_role" does not exist on ` + base.Host + " (create it, or put an existing user in DATABASE_URL)",
				`DATABASE_URL: password authentication failed for user "footnote_no_such_role" on ` + base.Host + " (fix the password in DATABASE_URL, or the user"},
			"is Postgres running"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			u := *base
			tt.edit(&u)
			err := runMigrate(t, map[string]string{"DATABASE_URL": u.String()}, 1)
			ok := false
			for _, w := range tt.want {
				ok = ok || strings.HasPrefix(err.Error(), w)
			}
			if !ok || strings.Contains(err.Error(), tt.reject) {
				t.Errorf("error %q, want it to start with one of %q and not to say %q", err, tt.want, tt.reject)
			}
		})
	}
}

func TestDatabaseErrorClassifiesServerRefusals(t *testing.T) {
	const dsn = "postgres://reader:s3cret-pw@db.example:5433/news?sslmode=disable"
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a wrong password says to fix it", &pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "reader"`},
			`DATABASE_URL: password authentication failed for user "reader" on db.example:5433 (fix the password in DATABASE_URL, or the user: the server does not say which is wrong)`},
		{"a missing database says to create it", &pgconn.PgError{Code: "3D000", Message: `database "news" does not exist`},
			`DATABASE_URL: database "news" does not exist on db.example:5433 (create it with createdb, or run ` + "`make db`" + `, which creates footnote's own)`},
		{"a missing role says to create it", &pgconn.PgError{Code: "28000", Message: `role "reader" does not exist`},
			`DATABASE_URL: role "reader" does not exist on db.example:5433 (create it, or put an existing user in DATABASE_URL)`},
		{"a pg_hba refusal quotes the server", &pgconn.PgError{Code: "28000", Message: `no pg_hba.conf entry for host "10.0.0.2"`},
			`DATABASE_URL: db.example:5433 refused user "reader": no pg_hba.conf entry for host "10.0.0.2" (allow it in pg_hba.conf, or use another user in DATABASE_URL)`},
		{"an error after connecting passes through", fmt.Errorf("apply migrations: %w", &pgconn.PgError{Code: "42601", Message: "syntax error"}),
			"apply migrations: : syntax error (SQLSTATE 42601)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := databaseError(dsn, "55432", fmt.Errorf("connect to database: %w", tt.err)).Error()
			if !strings.HasSuffix(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
			if strings.Contains(got, "s3cret-pw") {
				t.Errorf("%q repeats the password", got)
			}
		})
	}
}

func TestDatabaseErrorsOfTheLocalClusterSayWhereItsPasswordsAre(t *testing.T) {
	const owner, runtime = "postgres://footnote@127.0.0.1:55432/footnote?sslmode=disable", "postgres://footnote_app@127.0.0.1:55432/footnote?sslmode=disable"
	tests := []struct {
		name, variable, dsn string
		err                 error
		want                string
	}{
		{"a failed login as the local owner names DATABASE_OWNER_URL and the pgpass file", "DATABASE_OWNER_URL", owner,
			&pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "footnote"`},
			`DATABASE_OWNER_URL: password authentication failed for user "footnote" on 127.0.0.1:55432 (footnote's own cluster keeps its passwords in .data/pgpass of the checkout: run footnote from the checkout, or set PGPASSFILE to that file; ` + "`make db`" + ` writes it)`},
		{"a local runtime role that is missing says make db creates it", "DATABASE_URL", runtime,
			&pgconn.PgError{Code: "28000", Message: `role "footnote_app" does not exist`},
			`DATABASE_URL: role "footnote_app" does not exist on 127.0.0.1:55432 (run ` + "`make db`" + `, which creates footnote's roles)`},
		{"the same failure on another port is not the local cluster's", "DATABASE_URL", "postgres://footnote_app@127.0.0.1:5432/footnote",
			&pgconn.PgError{Code: "28000", Message: `role "footnote_app" does not exist`},
			`DATABASE_URL: role "footnote_app" does not exist on 127.0.0.1:5432 (create it, or put an existing user in DATABASE_URL)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := urlError(tt.variable, tt.dsn, "55432", fmt.Errorf("connect to database: %w", tt.err)).Error(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestReportAddsTheFix(t *testing.T) {
	page := func(code int, status string) error {
		return fmt.Errorf("fetch https://news.example/a: %w", &fetch.StatusError{Code: code, Status: status})
	}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a missing page says to check the address", page(404, "404 Not Found"),
			"footnote: fetch https://news.example/a: server answered 404 Not Found (the page was not found: check the address)\n"},
		{"a gone page says to check the address", page(410, "410 Gone"),
			"footnote: fetch https://news.example/a: server answered 410 Gone (the page was not found: check the address)\n"},
		{"a forbidden page says the site refuses bots", page(403, "403 Forbidden"),
			"footnote: fetch https://news.example/a: server answered 403 Forbidden (the site refuses bots or needs a login: save the page and run `footnote add FILE`)\n"},
		{"a server error says the site may be down", page(502, "502 Bad Gateway"),
			"footnote: fetch https://news.example/a: server answered 502 Bad Gateway (the site may be down: try again later, or save the page and run `footnote add FILE`)\n"},
		{"a timeout says the site may be down", fmt.Errorf("fetch https://news.example/a: timed out after 20s: %w", retrieval.ErrFetch),
			"footnote: fetch https://news.example/a: timed out after 20s: could not fetch (the site may be down: try again later, or save the page and run `footnote add FILE`)\n"},
		{"a loopback address names FOOTNOTE_ALLOW_PRIVATE", fmt.Errorf("fetch http://127.0.0.1/: %w", retrieval.ErrBlockedAddr),
			"footnote: fetch http://127.0.0.1/: address not allowed (private and loopback addresses are refused; FOOTNOTE_ALLOW_PRIVATE=true allows them)\n"},
		{"a model too wide to index names the two settings that fix it",
			fmt.Errorf("%w: embedding model big gives 5000-dimensional vectors; footnote indexes at most 4000 (pgvector's HNSW limit, as halfvec)", retrieval.ErrTooManyDims),
			"footnote: embedding vectors too wide: embedding model big gives 5000-dimensional vectors; footnote indexes at most 4000 (pgvector's HNSW limit, as halfvec)" +
				" (choose a smaller FOOTNOTE_EMBED_MODEL, or ask this one for fewer dimensions with FOOTNOTE_EMBED_DIMS, as OpenAI's text-embedding-3 models allow)\n"},
		{"a configuration error is printed as it is", errors.New("FOOTNOTE_EMBED_DIMS: 0 is out of range"), "footnote: FOOTNOTE_EMBED_DIMS: 0 is out of range\n"},
		{"a usage error was printed already", errUsage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			report(&b, tt.err)
			if b.String() != tt.want {
				t.Errorf("report wrote\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
}
