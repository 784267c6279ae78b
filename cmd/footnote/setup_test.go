package main_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// script runs bash on a .ci script with env added to the test's environment, and returns
// its stderr and exit code.
func script(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command("bash", args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("bash %s: %v", strings.Join(args, " "), err)
	}
	return stderr.String(), cmd.ProcessState.ExitCode()
}

// These cases all stop before the scripts change anything: no cluster, no database.
func TestSetupScriptsSayWhatIsWrong(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	taken := ln.Addr().(*net.TCPAddr).Port
	pgdata := filepath.Join(t.TempDir(), "pg")
	empty := t.TempDir()

	tests := []struct {
		name string
		env  []string
		args []string
		want []string // in the one line printed
	}{
		{
			name: "db refuses a FOOTNOTE_PGPORT that is not a number",
			env:  []string{"FOOTNOTE_PGPORT=abc", "FOOTNOTE_PGDATA=" + pgdata},
			args: []string{".ci/db"},
			want: []string{"db: FOOTNOTE_PGPORT=abc is not a port number"},
		},
		{
			name: "db names a taken port, FOOTNOTE_PGPORT as the fix and the server log",
			env:  []string{fmt.Sprintf("FOOTNOTE_PGPORT=%d", taken), "FOOTNOTE_PGDATA=" + pgdata},
			args: []string{".ci/db"},
			want: []string{
				fmt.Sprintf("db: port %d on 127.0.0.1 is taken by another program", taken),
				"set FOOTNOTE_PGPORT to a free port",
				"server log: " + filepath.Join(pgdata, "server.log"),
			},
		},
		{
			name: "eval names the shared data it needs and SHARED",
			env:  []string{"FOOTNOTE_EVAL_DB="},
			args: []string{".ci/eval", empty},
			want: []string{"eval: make eval needs ../shared/data and ../shared/tools (the project's shared evaluation data); set SHARED=DIR (not found in " + empty + ")"},
		},
		{
			name: "eval refuses to drop footnote's own database",
			env:  []string{"FOOTNOTE_EVAL_DB=footnote"},
			args: []string{".ci/eval", empty},
			want: []string{"eval: FOOTNOTE_EVAL_DB=footnote: eval drops and recreates its database, so it must not be footnote"},
		},
		{
			name: "eval refuses a database name it would have to quote",
			env:  []string{"FOOTNOTE_EVAL_DB=x;drop"},
			args: []string{".ci/eval", empty},
			want: []string{"eval: FOOTNOTE_EVAL_DB=x;drop: use lower-case letters, digits and _"},
		},
		{
			name: "load names the shared data it needs and SHARED",
			env:  []string{"FOOTNOTE_LOAD_DB="},
			args: []string{".ci/load", empty},
			want: []string{"load: make load needs " + empty + "/data/bbc/articles.jsonl (the project's shared data); set SHARED=DIR"},
		},
		{
			name: "load refuses to drop the tests' database",
			env:  []string{"FOOTNOTE_LOAD_DB=footnote_test"},
			args: []string{".ci/load", empty},
			want: []string{"load: FOOTNOTE_LOAD_DB=footnote_test: load drops and recreates its database, so it must not be footnote_test"},
		},
		{
			name: "judge refuses a FOOTNOTE_JUDGE_PORT that is not a number",
			env:  []string{"FOOTNOTE_JUDGE_PORT=x"},
			args: []string{".ci/judge", "start"},
			want: []string{"judge: FOOTNOTE_JUDGE_PORT=x is not a port number"},
		},
		{
			name: "judge says how it is used",
			args: []string{".ci/judge"},
			want: []string{"judge: usage: .ci/judge start|run|stop"},
		},
		{
			name: "bench-scale names the shared data it needs and SHARED",
			env:  []string{"FOOTNOTE_BENCH_DB="},
			args: []string{".ci/bench-scale", empty},
			want: []string{"bench-scale: needs SHARED_DIR/data and SHARED_DIR/tools (the project's shared data and tools); set SHARED=DIR (not found in " + empty + ")"},
		},
		{
			name: "bench-scale refuses to drop the tests' database",
			env:  []string{"FOOTNOTE_BENCH_DB=footnote_test"},
			args: []string{".ci/bench-scale", empty},
			want: []string{"bench-scale: FOOTNOTE_BENCH_DB=footnote_test: bench-scale drops and recreates footnote_test_<size>, so it must not be footnote_test"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stderr, code := script(t, tt.env, tt.args...)
			if code == 0 {
				t.Errorf("exit code 0, want a failure; stderr:\n%s", stderr)
			}
			line := strings.TrimSpace(stderr)
			if strings.Contains(line, "\n") {
				t.Errorf("printed more than one line:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(line, w) {
					t.Errorf("stderr %q does not say %q", line, w)
				}
			}
		})
	}
	if _, err := os.Stat(pgdata); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".ci/db created %s although it stopped on an error (%v)", pgdata, err)
	}
}

func TestMakeHelpListsEveryTarget(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not on PATH")
	}
	help := exec.Command("make", "-s", "help")
	help.Dir = repoRoot
	out, err := help.CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var phony []string
	for _, l := range strings.Split(string(mk), "\n") {
		if rest, ok := strings.CutPrefix(l, ".PHONY:"); ok {
			phony = strings.Fields(rest)
		}
	}
	if len(phony) == 0 {
		t.Fatal("the Makefile has no .PHONY line")
	}
	for _, target := range phony {
		if target == "all" {
			continue // the default, `make` alone: build
		}
		if !strings.Contains(string(out), "make "+target+" ") {
			t.Errorf("make help does not list %s:\n%s", target, out)
		}
	}
}

// .ci/tune-split edits the ranking and quote weights by name in the Go source: a renamed or
// reformatted constant must fail here, not in the middle of a 25-minute fit.
func TestTuneSplitFindsEveryWeight(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not on PATH")
	}
	check := exec.Command("python3", ".ci/tune-split", "--check")
	check.Dir = repoRoot
	out, err := check.CombinedOutput()
	if err != nil {
		t.Fatalf("tune-split --check: %v\n%s", err, out)
	}
	want := []string{"rerankBM25", "rerankWindow", "kindBonus", "nameKindShare", "phraseWeight", "passagePrior", "pairPenalty", "anaphoraBonus"}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("tune-split --check printed %d weights, want %d:\n%s", len(lines), len(want), out)
	}
	for i, l := range lines {
		var name string
		var v float64
		if _, err := fmt.Sscanf(l, "%s %g", &name, &v); err != nil || name != want[i] || v < 0 {
			t.Errorf("line %d %q: want %s and a value of at least 0 (%v)", i+1, l, want[i], err)
		}
	}

	empty := t.TempDir()
	fit := exec.Command("python3", ".ci/tune-split", "--fit", "A", "--shared", empty)
	fit.Dir = repoRoot
	out, err = fit.CombinedOutput()
	if err == nil {
		t.Fatalf("tune-split without the shared data succeeded:\n%s", out)
	}
	if w := "tune-split: needs " + empty + "/data/squad-dev/questions.jsonl (set --shared DIR)"; !strings.Contains(string(out), w) {
		t.Errorf("tune-split without the shared data said %q, want %q", out, w)
	}
}
