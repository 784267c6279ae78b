package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// runHelp runs footnote with args and an environment that would fail configuration: help
// and the version must not need any.
func runHelp(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	bad := map[string]string{"FOOTNOTE_EMBED_DIMS": "lots"}
	if err := run(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return bad[k] }); err != nil {
		t.Fatalf("footnote %s: %v\nstderr: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		t.Run(strings.Join(args, " ")+" prints the version on one line", func(t *testing.T) {
			out, _ := runHelp(t, args...)
			if !regexp.MustCompile(`^footnote \S.*\n$`).MatchString(out) {
				t.Errorf("stdout = %q, want one line \"footnote VERSION\"", out)
			}
		})
	}
	stamp := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		want string
	}{
		{"a module version is used as is", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "v1.4.0"},
		{"a checkout build shows its commit and time", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: stamp("vcs.revision", "0123456789abcdef0123", "vcs.time", "2025-01-02T03:04:05Z", "vcs.modified", "false")},
			"0123456789ab (2025-01-02T03:04:05Z)"},
		{"uncommitted changes are marked dirty", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: stamp("vcs.revision", "0123456789abcdef0123", "vcs.modified", "true")}, "0123456789ab-dirty"},
		{"a build without a stamp is devel", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"a binary without build information is devel", nil, "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := version(tt.bi, tt.bi != nil); got != tt.want {
				t.Errorf("version = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	top, _ := runHelp(t, "--help")
	t.Run("footnote help and footnote -h print the same usage", func(t *testing.T) {
		for _, args := range [][]string{{"help"}, {"-h"}} {
			if out, _ := runHelp(t, args...); out != top {
				t.Errorf("footnote %s printed\n%s\nwant\n%s", args[0], out, top)
			}
		}
	})
	flagLine := regexp.MustCompile(`(?m)^  -(\S+)`)
	for _, c := range commands() {
		t.Run("the usage lists "+c.name+" with every flag it has", func(t *testing.T) {
			line := regexp.MustCompile(`(?m)^  footnote ` + c.name + `\b.*$`).FindString(top)
			if line == "" {
				t.Fatalf("usage has no line for %s:\n%s", c.name, top)
			}
			help, _ := runHelp(t, c.name, "--help")
			for _, m := range flagLine.FindAllStringSubmatch(help, -1) {
				if !regexp.MustCompile(`[\s\[]--?` + m[1] + `\b`).MatchString(line) {
					t.Errorf("usage line %q lacks flag -%s", line, m[1])
				}
			}
		})
		t.Run(c.name+" --help says what it does, its arguments and an example", func(t *testing.T) {
			help, _ := runHelp(t, c.name, "--help")
			for _, want := range []string{"usage: footnote " + c.name, strings.TrimSuffix(capitalize(c.summary), "."), "example:\n  " + c.example} {
				if !strings.Contains(help, want) {
					t.Errorf("help lacks %q:\n%s", want, help)
				}
			}
			if strings.Contains(c.example, "footnote "+c.name) == false {
				t.Errorf("example %q does not run %s", c.example, c.name)
			}
		})
	}
	t.Run("import --help shows the line format", func(t *testing.T) {
		help, _ := runHelp(t, "import", "--help")
		if !strings.Contains(help, `{"url": "https://news.example/story", "title": "…", "published": "2024-05-02", "text": "…"}`) {
			t.Errorf("import --help:\n%s", help)
		}
	})
	t.Run("footnote help CMD is CMD --help", func(t *testing.T) {
		a, _ := runHelp(t, "help", "ask")
		b, _ := runHelp(t, "ask", "--help")
		if a != b || !strings.Contains(a, "-since") || !strings.Contains(a, "-source") {
			t.Errorf("help ask:\n%s\nask --help:\n%s", a, b)
		}
	})
	for _, name := range []string{"migrate", "serve", "version"} {
		t.Run(name+" offers no --collection", func(t *testing.T) {
			help, _ := runHelp(t, name, "--help")
			if strings.Contains(help, "collection") {
				t.Errorf("%s --help:\n%s", name, help)
			}
			var out, stderr bytes.Buffer
			err := run(context.Background(), []string{name, "--collection", "x"}, strings.NewReader(""), &out, &stderr, func(string) string { return "" })
			if exitCode(err) != 2 || !strings.Contains(stderr.String(), "flag provided but not defined: -collection") {
				t.Errorf("%s --collection x: %v, stderr %q; want a usage error", name, err, stderr.String())
			}
		})
	}
}

func TestCLIUsage(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		env        map[string]string
		wantErr    error
		wantExit   int
		wantStderr string
		wantStdout string
	}{
		{name: "no command prints usage and exits 2", args: nil, wantErr: errUsage, wantExit: 2, wantStderr: "usage:"},
		{name: "help prints usage on stdout and succeeds", args: []string{"help"}, wantStdout: "usage:"},
		{name: "an unknown command prints usage and exits 2", args: []string{"frobnicate"}, wantErr: errUsage, wantExit: 2,
			wantStderr: `footnote: unknown command "frobnicate"`},
		{name: "an unknown flag is a usage error", args: []string{"search", "--bogus", "tram"}, wantErr: errUsage, wantExit: 2,
			wantStderr: "flag provided but not defined: -bogus"},
		{name: "search without a query is a usage error", args: []string{"search"}, wantErr: errUsage, wantExit: 2,
			wantStderr: "usage: footnote search [--collection C] [-k 10] [--since DATE] [--source SITE] [--json] [--batch [--parallel N]] [QUERY]\n`footnote search --help` says more.\n"},
		{name: "remove with neither URL nor --all is a usage error", args: []string{"remove"}, wantErr: errUsage, wantExit: 2, wantStderr: "usage: footnote remove"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			err := run(context.Background(), tt.args, strings.NewReader(""), &out, &stderr, func(string) string { return "" })
			if !errors.Is(err, tt.wantErr) || tt.wantErr == nil && err != nil {
				t.Fatalf("run(%q) = %v, want %v", tt.args, err, tt.wantErr)
			}
			if err != nil && exitCode(err) != tt.wantExit {
				t.Errorf("exit code %d, want %d", exitCode(err), tt.wantExit)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
			if !strings.Contains(out.String(), tt.wantStdout) {
				t.Errorf("stdout = %q, want it to contain %q", out.String(), tt.wantStdout)
			}
		})
	}
}

func TestHelpEdgeCases(t *testing.T) {
	t.Run("footnote help --help prints the usage and succeeds", func(t *testing.T) {
		top, _ := runHelp(t, "--help")
		if out, _ := runHelp(t, "help", "--help"); out != top {
			t.Errorf("footnote help --help printed\n%s\nwant the usage\n%s", out, top)
		}
	})
	t.Run("footnote version with an argument is a usage error", func(t *testing.T) {
		var out, stderr bytes.Buffer
		err := run(context.Background(), []string{"version", "extra"}, strings.NewReader(""), &out, &stderr, func(string) string { return "" })
		if exitCode(err) != 2 || !strings.HasPrefix(stderr.String(), "usage: footnote version\n") || out.Len() != 0 {
			t.Errorf("version extra: %v, stdout %q, stderr %q; want a usage error, exit 2", err, out.String(), stderr.String())
		}
	})
	for _, tt := range []struct {
		name string
		args []string
		want bool
	}{
		{"a help flag first asks for help", []string{"-h"}, true},
		{"a help flag after other flags asks for help", []string{"--json", "--help"}, true},
		{"a help flag inside a question is a word of it", []string{"what", "does", "-h", "mean"}, false},
		{"a help flag after -- is a word", []string{"--", "-h"}, false},
		{"a help flag after - (standard input) is not help", []string{"-", "--help"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := wantsHelp(tt.args); got != tt.want {
				t.Errorf("wantsHelp(%q) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name     string
		args     []string
		wantPos  []string
		wantJSON bool
	}{
		{"a question with -h in it is asked, not turned into the help page", []string{"what", "does", "-h", "mean"}, []string{"what", "does", "-h", "mean"}, false},
		{"flags after the question still count, and a later -h is a word", []string{"what", "--json", "-h"}, []string{"what", "-h"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, stderr bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &stderr}
			fs, _ := m.newFlags("ask", true)
			asJSON := fs.Bool("json", false, "")
			pos, err := m.parseFlags(fs, tt.args)
			if err != nil || !slices.Equal(pos, tt.wantPos) || *asJSON != tt.wantJSON || out.Len() != 0 {
				t.Errorf("parseFlags(%q) = %q, %v (json %v, stdout %q); want %q, json %v", tt.args, pos, err, *asJSON, out.String(), tt.wantPos, tt.wantJSON)
			}
		})
	}
}
