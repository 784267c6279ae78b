package main_test

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// As root, .ci/db puts the cluster under /var/tmp when the postgres user cannot reach the
// repository. That choice must not flip once a cluster is there: on a fresh machine the
// postgres user only appears when PostgreSQL is installed, after the first choice was made.
// The script runs from a copy of .ci in a repository of its own, so its /var/tmp folder is
// the test's; `stop` only reads where the cluster is, and nothing runs there.
func TestDBKeepsItsClusterWhereItIs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the data directory is chosen only as root")
	}
	if _, err := user.Lookup("postgres"); err != nil {
		t.Skip("no postgres user: PostgreSQL is not installed here")
	}
	repo := t.TempDir()
	// Reachable by postgres, so without a cluster under /var/tmp the choice is .data/pg.
	for _, d := range []string{filepath.Dir(repo), repo} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(repo, ".ci"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"db", "install-pgvector"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, ".ci", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, ".ci", f), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sum := md5.Sum([]byte(repo))
	fallback := "/var/tmp/footnote-pg-" + hex.EncodeToString(sum[:])[:12]
	t.Cleanup(func() { _ = os.RemoveAll(fallback) })

	stop := func() string {
		cmd := exec.Command("bash", ".ci/db", "stop")
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "FOOTNOTE_PGDATA=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf(".ci/db stop: %v\n%s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	t.Run("with no cluster anywhere, the repository's .data/pg is chosen", func(t *testing.T) {
		if got, want := stop(), "db: no cluster running in "+filepath.Join(repo, ".data/pg"); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("a cluster already under /var/tmp stays there although postgres can reach the repository", func(t *testing.T) {
		if err := os.MkdirAll(fallback, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(fallback, "PG_VERSION"), []byte("15\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if got, want := stop(), "db: no cluster running in "+fallback; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
}

// install-pgvector --check is how .ci/db learns what is missing; gcc and make build pgvector
// and `go test -race` needs gcc, so their absence is named too. An empty PATH hides both.
func TestInstallPgvectorNamesMissingBuildTools(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	run := func(arg string) (string, int) {
		cmd := exec.Command(bash, ".ci/install-pgvector", arg)
		cmd.Dir = repoRoot
		cmd.Env = []string{"PATH=" + t.TempDir()}
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatal(err)
		}
		return string(out), cmd.ProcessState.ExitCode()
	}
	t.Run("--check names gcc and make and why, and fails", func(t *testing.T) {
		out, code := run("--check")
		if code == 0 || !strings.Contains(out, "gcc make (to build pgvector, and for go test -race)") {
			t.Errorf("exit %d, output %q", code, out)
		}
	})
	t.Run("--dry-run prints the step that installs them", func(t *testing.T) {
		out, _ := run("--dry-run")
		if !strings.Contains(out, "install-pgvector: (dry run) apt-get install gcc make (to build pgvector; go test -race needs a C compiler too)") {
			t.Errorf("output %q", out)
		}
	})
}
