// Tests of the files at the repository's root that are not Go and package or set up this
// command: the Dockerfile and the compose file here, the set-up scripts and the Makefile in
// setup_test.go. The image is
// built only where a Docker engine answers; what can be checked as text always is.
package main_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	footnote "github.com/footnote-bot/footnote/cmd/footnote"
)

// repoRoot is the repository's root, seen from this package's directory (where go test runs).
const repoRoot = "../.."

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct{ cmd, args string }

// dockerfile reads the Dockerfile's instructions and splits them into stages (one per FROM).
func dockerfile(t *testing.T) [][]instruction {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]instruction
	var cur string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cur += line
		if strings.HasSuffix(cur, "\\") {
			cur = strings.TrimSuffix(cur, "\\") + " "
			continue
		}
		cmd, args, _ := strings.Cut(cur, " ")
		cur = ""
		in := instruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before the first FROM", in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a builder and a final stage", len(stages))
	}
	return stages
}

// find returns the arguments of the stage's last instruction cmd, or "".
func find(stage []instruction, cmd string) string {
	var args string
	for _, in := range stage {
		if in.cmd == cmd {
			args = in.args
		}
	}
	return args
}

// goLine returns the major.minor of go.mod's go line ("1.26" for "go 1.26.8").
func goLine(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return string(m[1])
}

func TestDockerfile(t *testing.T) {
	stages := dockerfile(t)
	build, final := stages[0], stages[len(stages)-1]
	tests := []struct {
		name string
		ok   func() (bool, string)
	}{
		{"the builder's Go matches go.mod's go line", func() (bool, string) {
			from := find(build, "FROM")
			want := "golang:" + goLine(t)
			return strings.HasPrefix(from, want+" ") || strings.HasPrefix(from, want+"-") || strings.HasPrefix(from, want+"."),
				"FROM " + from + ", want " + want
		}},
		{"the binary is static and built from cmd/footnote", func() (bool, string) {
			for _, in := range build {
				if in.cmd == "RUN" && strings.Contains(in.args, "CGO_ENABLED=0") && strings.Contains(in.args, "go build") && strings.Contains(in.args, "./cmd/footnote") {
					return true, ""
				}
			}
			return false, "no RUN CGO_ENABLED=0 go build ... ./cmd/footnote in the first stage"
		}},
		{"the final stage copies the binary from the builder", func() (bool, string) {
			cp := find(final, "COPY")
			return strings.HasPrefix(cp, "--from="), "COPY " + cp
		}},
		{"the final stage runs as a user that is not root", func() (bool, string) {
			user := find(final, "USER")
			name, _, _ := strings.Cut(user, ":")
			return name != "" && name != "root" && name != "0", "USER " + user
		}},
		{"the entry point is footnote and the default command serve", func() (bool, string) {
			ep, cmd := find(final, "ENTRYPOINT"), find(final, "CMD")
			return strings.HasSuffix(ep, `footnote"]`) && cmd == `["serve"]`, "ENTRYPOINT " + ep + ", CMD " + cmd
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ok, got := tt.ok(); !ok {
				t.Error(got)
			}
		})
	}
}

func TestDockerignoreKeepsLocalStateOutOfTheImage(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	for _, want := range []string{".git", ".data", "bin"} {
		if !lines[want] {
			t.Errorf(".dockerignore does not list %s", want)
		}
	}
}

// yamlValues reads the block-style YAML of docker-compose.yml into dotted paths
// ("services.db.image") and their values: a scalar, or a list's items. It understands only
// what that file uses: maps by indentation, "- item" lists, quoted or plain scalars.
func yamlValues(text string) map[string][]string {
	type level struct {
		indent int
		key    string
	}
	var stack []level
	values := map[string][]string{}
	path := func() string {
		keys := make([]string, len(stack))
		for i, l := range stack {
			keys[i] = l.key
		}
		return strings.Join(keys, ".")
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if item, ok := strings.CutPrefix(trimmed, "- "); ok {
			values[path()] = append(values[path()], strings.Trim(item, `"`))
			continue
		}
		key, value, _ := strings.Cut(trimmed, ":")
		stack = append(stack, level{indent, key})
		if value = strings.TrimSpace(value); value != "" {
			values[path()] = append(values[path()], strings.Trim(value, `"`))
		}
	}
	return values
}

func TestComposeServicesAgree(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	y := yamlValues(string(b))
	one := func(path string) string {
		if v := y[path]; len(v) == 1 {
			return v[0]
		}
		t.Errorf("docker-compose.yml: %s is %q, want one value", path, y[path])
		return ""
	}
	env := map[string]string{}
	var passed []string
	for _, e := range y["services.footnote.environment"] {
		if k, v, ok := strings.Cut(e, "="); ok {
			env[k] = v
		} else {
			passed = append(passed, e)
		}
	}

	t.Run("the database is pgvector on PostgreSQL 15, like make db's", func(t *testing.T) {
		if img := one("services.db.image"); !strings.HasPrefix(img, "pgvector/pgvector:") || !strings.HasSuffix(img, "-pg15") {
			t.Errorf("services.db.image = %q", img)
		}
	})
	t.Run("footnote is built from this repository and waits for the database's healthcheck", func(t *testing.T) {
		if got := one("services.footnote.build"); got != "." {
			t.Errorf("services.footnote.build = %q, want .", got)
		}
		if got := one("services.footnote.depends_on.db.condition"); got != "service_healthy" {
			t.Errorf("footnote depends on db with condition %q, want service_healthy", got)
		}
		if len(y["services.db.healthcheck.test"]) == 0 {
			t.Error("services.db has no healthcheck test, so service_healthy never comes")
		}
	})
	t.Run("footnote works as the runtime role and migrates as the owner, both made by the db service's init script", func(t *testing.T) {
		script, err := os.ReadFile(filepath.Join(repoRoot, ".ci", "docker-initdb.sh"))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(y["services.db.volumes"], "./.ci/docker-initdb.sh:/docker-entrypoint-initdb.d/footnote.sh:ro") {
			t.Errorf("the db service does not run .ci/docker-initdb.sh: volumes %q", y["services.db.volumes"])
		}
		for _, v := range []struct{ variable, role, password string }{
			{"DATABASE_URL", "footnote_app", "FOOTNOTE_APP_PASSWORD"},
			{"DATABASE_OWNER_URL", "footnote", "FOOTNOTE_OWNER_PASSWORD"},
		} {
			// The URL as compose passes it once it has put the password in.
			raw := strings.ReplaceAll(env[v.variable], "${"+v.password+"}", "pw")
			u, err := url.Parse(raw)
			if err != nil || u.User == nil {
				t.Fatalf("%s %q: %v", v.variable, env[v.variable], err)
			}
			if _, ok := y["services."+u.Hostname()+".image"]; !ok {
				t.Errorf("%s's host %q is not a service", v.variable, u.Hostname())
			}
			if pw, _ := u.User.Password(); u.User.Username() != v.role || pw != "pw" || u.Path != "/footnote" {
				t.Errorf("%s = %q, want role %s with the password ${%s} on database footnote", v.variable, env[v.variable], v.role, v.password)
			}
			if !strings.HasPrefix(one("services.db.environment."+v.password), "${"+v.password+":?") {
				t.Errorf("the db service does not take %s from the environment (required)", v.password)
			}
			if !strings.Contains(string(script), "CREATE ROLE "+v.role+" LOGIN NOSUPERUSER") {
				t.Errorf(".ci/docker-initdb.sh does not create %s as a login that is no superuser", v.role)
			}
		}
		if !strings.Contains(string(script), "CREATE DATABASE footnote OWNER footnote;") {
			t.Error(".ci/docker-initdb.sh does not create the database footnote owned by footnote")
		}
		if pw := one("services.db.environment.POSTGRES_PASSWORD"); !strings.HasPrefix(pw, "${POSTGRES_PASSWORD:?") {
			t.Errorf("POSTGRES_PASSWORD is %q in the file, want it required from the environment", pw)
		}
	})
	t.Run("Docker waits for footnote's own shutdown before it kills the container", func(t *testing.T) {
		// Docker sends SIGTERM, then SIGKILL after stop_grace_period (10 s unless set):
		// shorter than footnote's shutdown, it kills answers and jobs that were finishing.
		got, err := time.ParseDuration(one("services.footnote.stop_grace_period"))
		if err != nil || got <= footnote.StopDeadline {
			t.Errorf("services.footnote.stop_grace_period is %v (%v), want more than footnote's stop deadline of %v",
				got, err, footnote.StopDeadline)
		}
	})
	t.Run("every variable passed through is one footnote reads", func(t *testing.T) {
		if len(passed) == 0 {
			t.Fatal("no variable passed through (DISCORD_TOKEN at least)")
		}
		src := goSource(t, ".")
		for _, name := range passed {
			if !strings.Contains(src, `"`+name+`"`) {
				t.Errorf("%s is passed to the container but cmd/footnote never reads it", name)
			}
		}
	})
	t.Run("every variable footnote reads reaches the container, or is excluded with a reason", func(t *testing.T) {
		// Not passed on purpose, each with why.
		excluded := map[string]bool{
			"FOOTNOTE_PGPORT":      true, // the port of make db's cluster; compose sets DATABASE_URL
			"FOOTNOTE_PROFILE_DIR": true, // a developer's profiling switch for runs on the machine (make bench-scale), not a service setting
		}
		inCompose := map[string]bool{}
		for _, name := range passed {
			inCompose[name] = true
		}
		for name := range env {
			inCompose[name] = true
		}
		read := envNames(goSource(t, "."))
		if len(read) < 5 {
			t.Fatalf("found only %q read in cmd/footnote: the pattern no longer matches how it reads its variables", read)
		}
		for _, name := range read {
			if !inCompose[name] && !excluded[name] {
				t.Errorf("cmd/footnote reads %s but docker-compose.yml does not pass it to the footnote service (pass it, or add it with a reason to this test's exclusions)", name)
			}
		}
	})
}

// envNames returns the environment variables Go source reads: every string literal that is a
// whole upper-case name with an underscore ("DATABASE_URL", "FOOTNOTE_WORKERS"), which is how
// cmd/footnote names them to getenv and intEnv. Sorted, each once.
func envNames(src string) []string {
	seen := map[string]bool{}
	var names []string
	for _, m := range regexp.MustCompile(`"([A-Z][A-Z0-9]*_[A-Z0-9_]+)"`).FindAllStringSubmatch(src, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	return names
}

// goSource returns the non-test Go files of dir, concatenated.
func goSource(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(b)
	}
	return sb.String()
}

// TestDockerImageBuilds builds the image and runs it. It skips, even under CI, where there
// is no Docker engine: Docker is not part of the development machines.
func TestDockerImageBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("building the image takes minutes: skipped under -short")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("docker is not on PATH: the image is not built here (TestDockerfile checks the file)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, docker, "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		t.Skipf("no Docker engine answers (docker info: %v: %s): the image is not built here (TestDockerfile checks the file)", err, first)
	}

	b := make([]byte, 4)
	_, _ = rand.Read(b)
	tag := "footnote-test:" + hex.EncodeToString(b)
	ctx, cancel = context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, docker, "build", "-t", tag, repoRoot).CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(docker, "rmi", "-f", tag).Run() })

	out, err := exec.CommandContext(ctx, docker, "run", "--rm", tag, "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "footnote") {
		t.Errorf("docker run %s --help: %v\n%s", tag, err, out)
	}
	user, err := exec.CommandContext(ctx, docker, "image", "inspect", "-f", "{{.Config.User}}", tag).Output()
	if u := strings.TrimSpace(string(user)); err != nil || u == "" || u == "root" || u == "0" {
		t.Errorf("the image runs as user %q (%v), want a non-root user", u, err)
	}
}
