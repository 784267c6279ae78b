package main_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgBin is where .ci/db finds PostgreSQL 15.
const pgBin = "/usr/lib/postgresql/15/bin"

// .ci/db makes a cluster of its own here, on a free port with its data in a folder of the
// test's, from a copy of the script in a repository of the test's: so its .data/pgpass is
// the test's too. It runs twice: on nothing, and on a cluster put back in the state an older
// .ci/db left (trust on 127.0.0.1, footnote a superuser, no runtime role, no pgpass file).
func TestDBMakesTwoRolesThatNeedTheirPasswords(t *testing.T) {
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		t.Skip("PostgreSQL 15 is not installed here (make db installs it)")
	}
	repo, data := scriptRepo(t)
	port := freePort(t)
	db := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("bash", append([]string{".ci/db"}, args...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "FOOTNOTE_PGPORT="+port, "FOOTNOTE_PGDATA="+data, "PGPASSFILE=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf(".ci/db %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { db("stop") })
	passfile := filepath.Join(repo, ".data", "pgpass")
	login := func(user, passfile string) (*pgx.Conn, error) {
		u := "postgres://" + user + "@127.0.0.1:" + port + "/footnote?sslmode=disable&connect_timeout=10&passfile=" + passfile
		return pgx.Connect(context.Background(), u)
	}
	check := func(t *testing.T) {
		st, err := os.Stat(passfile)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want a file only its owner reads", passfile, err, st.Mode().Perm())
		}
		for _, tt := range []struct {
			user              string
			createdb, inherit bool
		}{{"footnote", true, true}, {"footnote_app", false, true}} {
			if c, err := login(tt.user, os.DevNull); err == nil {
				c.Close(context.Background())
				t.Errorf("%s logged in on 127.0.0.1 without a password", tt.user)
			} else if !isAuthFailure(err) {
				t.Errorf("%s without a password: %v; want the login refused", tt.user, err)
			}
			c, err := login(tt.user, passfile)
			if err != nil {
				t.Fatalf("%s with the password of %s: %v", tt.user, passfile, err)
			}
			var super, bypass, createdb, vector bool
			err = c.QueryRow(context.Background(), `
				SELECT rolsuper, rolbypassrls, rolcreatedb,
				       EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')
				FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass, &createdb, &vector)
			c.Close(context.Background())
			if err != nil || super || bypass || createdb != tt.createdb || !vector {
				t.Errorf("%s: superuser %v, bypasses row-level security %v, creates databases %v (want %v), vector %v (%v)",
					tt.user, super, bypass, createdb, tt.createdb, vector, err)
			}
		}
	}
	t.Run("on nothing, it makes the cluster with both roles, each of whose logins needs its password", func(t *testing.T) {
		db()
		check(t)
	})
	t.Run("a cluster of the older .ci/db is brought to the same state", func(t *testing.T) {
		hba := filepath.Join(data, "pg_hba.conf")
		if err := os.WriteFile(hba, []byte("local all all trust\nhost all all 127.0.0.1/32 trust\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		sock := filepath.Join(data, "run")
		psql := exec.Command(filepath.Join(pgBin, "psql"), "-h", sock, "-p", port, "-U", "postgres", "-d", "postgres", "-qAtX",
			"-c", "SELECT pg_reload_conf()", "-c", "ALTER ROLE footnote SUPERUSER", "-c", "DROP ROLE footnote_app")
		if out, err := psql.CombinedOutput(); err != nil {
			t.Fatalf("put the cluster back: %v\n%s", err, out)
		}
		if err := os.Remove(passfile); err != nil {
			t.Fatal(err)
		}
		out := db()
		for _, want := range []string{"setting authentication: passwords (scram-sha-256) on 127.0.0.1",
			"making it an ordinary owner", "creating role footnote_app"} {
			if !strings.Contains(out, want) {
				t.Errorf(".ci/db said %q; want it to say %q", out, want)
			}
		}
		check(t)
	})
	t.Run("run again, it changes nothing and says it is ready", func(t *testing.T) {
		if out := db(); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "db: ready: postgres://footnote_app@127.0.0.1:"+port+"/footnote") {
			t.Errorf(".ci/db said %q; want only that it is ready", out)
		}
	})
	t.Run("its role footnote_replicator lets .ci/replica start a streaming replica, which footnote_app reads with its password", func(t *testing.T) {
		checkReplicaScript(t, repo, data, port, passfile)
	})
}

// scriptRepo copies .ci/db (and what it runs) into a repository of the test's, and returns
// it with a data directory for the cluster. As root the cluster runs as postgres, which
// must reach both; the data directory is then under /var/tmp, removed when the test ends.
func scriptRepo(t *testing.T) (repo, data string) {
	t.Helper()
	repo = t.TempDir()
	data = filepath.Join(t.TempDir(), "pg")
	if os.Geteuid() == 0 {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		data = "/var/tmp/footnote-dbtest-" + hex.EncodeToString(b)
		t.Cleanup(func() { _ = os.RemoveAll(data) })
	}
	if err := os.Mkdir(filepath.Join(repo, ".ci"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"db", "install-pgvector", "replica"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, ".ci", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, ".ci", f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return repo, data
}

// freePort returns a TCP port on 127.0.0.1 that nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// isAuthFailure reports whether err is a login the server refused for want of the right
// password (pgx says "no password supplied" itself when it has none to send).
func isAuthFailure(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "28P01" {
		return true
	}
	return strings.Contains(err.Error(), "password")
}
