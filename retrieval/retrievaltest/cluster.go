package retrievaltest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval"
)

// pgBin is where PostgreSQL 15's server programs are, as Debian and Ubuntu install them
// (the same place .ci/db uses).
const pgBin = "/usr/lib/postgresql/15/bin"

// pgctlWait bounds each start, stop and restart. Starting after an immediate stop replays
// the WAL since the last checkpoint, a second or two here; a minute is room for a loaded
// machine, and a server that takes longer fails the test instead of hanging it.
const pgctlWait = 60 * time.Second

// template is the migrated cluster every private cluster of a test binary starts as a copy
// of: initdb, the migrations and a clean stop run once per package test run (1 to 4 s on
// the 2-core test machine, initdb alone up to 10 s under heavy load); copying and starting
// a copy takes 0.2 to 1 s.
var template struct {
	once    sync.Once
	enabled bool // RunWithClusters is in charge of removing it
	dir     string
	took    time.Duration
	err     error
}

// RunWithClusters runs a package's tests, from its TestMain, and removes the template
// cluster NewCluster made, if any, when they are over. Packages that use NewCluster must
// call it:
//
//	func TestMain(m *testing.M) { retrievaltest.RunWithClusters(m) }
func RunWithClusters(m *testing.M) {
	template.enabled = true
	code := m.Run()
	if template.dir != "" {
		os.RemoveAll(template.dir)
	}
	os.Exit(code)
}

// Cluster is a private PostgreSQL 15 cluster with pgvector, footnote's migrations applied,
// on a free port of 127.0.0.1, that a test may stop, start and restart as it likes: the
// shared test cluster is never touched. As root it runs as the postgres user (initdb refuses
// root). It is stopped and its files removed when the test ends.
type Cluster struct {
	t    testing.TB
	dir  string // the cluster user's: data/ and server.log
	port int
}

// NewCluster starts a private cluster for t, a copy of the package's template (made on
// first use). Without PostgreSQL 15 the test is skipped, or fails under CI (CI set).
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	if !template.enabled {
		t.Fatal("NewCluster needs the package's TestMain to call retrievaltest.RunWithClusters")
	}
	template.once.Do(makeTemplate)
	if template.err != nil {
		unavailable(t, fmt.Errorf("private PostgreSQL cluster: %w", template.err))
	}
	dir, err := clusterDir("footnote-pgcluster-")
	if err != nil {
		unavailable(t, err)
	}
	start := time.Now()
	c := &Cluster{t: t, dir: dir}
	t.Cleanup(c.remove)
	if err := asPostgres("cp", "-a", filepath.Join(template.dir, "data"), c.data()); err != nil {
		t.Fatalf("copy the template cluster: %v", err)
	}
	if err := c.startOnFreePort(); err != nil {
		t.Fatalf("start the private cluster: %v\n%s", err, c.Log())
	}
	t.Logf("private cluster on port %d, copied and started in %s (the package's template was made once, in %s)",
		c.port, time.Since(start).Round(time.Millisecond), template.took.Round(time.Millisecond))
	return c
}

// DSN is the URL of the cluster's database footnote, migrated, as superuser footnote.
func (c *Cluster) DSN() string { return clusterDSN(c.port, "footnote", "footnote") }

// Restart restarts the server as an administrator does (pg_ctl restart -m fast): every
// session is ended (SQLSTATE 57P01), then the server starts again. It returns once the
// server takes connections.
func (c *Cluster) Restart() {
	c.t.Helper()
	if err := c.pgctl("restart", "-m", "fast", "-l", c.logFile()); err != nil {
		c.t.Fatalf("restart the private cluster: %v\n%s", err, c.Log())
	}
}

// Stop stops the server: mode "fast" ends sessions and checkpoints; "immediate" kills the
// server's processes with no checkpoint, as a crash does (the next start recovers from the
// WAL).
func (c *Cluster) Stop(mode string) {
	c.t.Helper()
	if err := c.pgctl("stop", "-m", mode); err != nil {
		c.t.Fatalf("stop the private cluster (%s): %v\n%s", mode, err, c.Log())
	}
}

// Start starts the stopped server and returns once it takes connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.pgctl("start", "-l", c.logFile()); err != nil {
		c.t.Fatalf("start the private cluster: %v\n%s", err, c.Log())
	}
}

// Store opens a store on the cluster's database, with opts (such as
// retrieval.WithReplicas), closed when the test ends.
func (c *Cluster) Store(opts ...retrieval.StoreOption) *retrieval.Store {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := retrieval.OpenStore(ctx, c.DSN(), 8, opts...)
	if err != nil {
		c.t.Fatalf("open a store on the private cluster: %v", err)
	}
	c.t.Cleanup(s.Close)
	return s
}

// Engine is Engine on the cluster, with a collection of its own (not removed: the whole
// cluster is).
func (c *Cluster) Engine(opts ...Option) (*retrieval.Engine, string) {
	c.t.Helper()
	return newEngine(c.t, c.Store(), opts...), Collection(c.t)
}

// Count runs a query returning one number on a connection of its own, opened for it (so it
// works whatever became of earlier connections), and returns the number.
func (c *Cluster) Count(sql string, args ...any) int {
	c.t.Helper()
	var n int
	c.withConn(func(ctx context.Context, conn *pgx.Conn) error { return conn.QueryRow(ctx, sql, args...).Scan(&n) }, sql)
	return n
}

// Exec runs a statement on a connection of its own, as Count does: tests arrange rows with
// it.
func (c *Cluster) Exec(sql string, args ...any) {
	c.t.Helper()
	c.withConn(func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, sql, args...)
		return err
	}, sql)
}

func (c *Cluster) withConn(fn func(context.Context, *pgx.Conn) error, what string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN())
	if err != nil {
		c.t.Fatalf("connect to the private cluster: %v", err)
	}
	defer conn.Close(ctx)
	if err := fn(ctx, conn); err != nil {
		c.t.Fatalf("%s: %v", what, err)
	}
}

// Log returns the last lines of the server's log, for failure messages.
func (c *Cluster) Log() string {
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return "server log:\n" + strings.Join(lines, "\n")
}

func (c *Cluster) data() string    { return filepath.Join(c.dir, "data") }
func (c *Cluster) logFile() string { return filepath.Join(c.dir, "server.log") }

// pgctl runs pg_ctl on the cluster, waiting for the action to complete.
func (c *Cluster) pgctl(args ...string) error {
	return pgctl(c.data(), args...)
}

// startOnFreePort writes a free port into the cluster's configuration and starts it, with
// a new port when another program took the first between our look and the server's bind.
func (c *Cluster) startOnFreePort() error {
	var err error
	for range 3 {
		if c.port, err = freePort(); err != nil {
			return err
		}
		if err = setPort(c.data(), c.port); err != nil {
			return err
		}
		if err = c.pgctl("start", "-l", c.logFile()); err == nil {
			return nil
		}
		if !strings.Contains(c.Log(), "already in use") {
			return err
		}
	}
	return err
}

// remove stops the server, if it runs, and deletes the cluster's files; the server's log
// is shown when the test failed.
func (c *Cluster) remove() {
	if c.t.Failed() {
		c.t.Log(c.Log())
	}
	if _, err := os.Stat(filepath.Join(c.data(), "postmaster.pid")); err == nil {
		if err := c.pgctl("stop", "-m", "immediate"); err != nil {
			c.t.Errorf("stop the private cluster: %v", err)
		}
	}
	os.RemoveAll(c.dir)
}

// makeTemplate creates the template cluster: initdb, role and database footnote,
// migrations, then a clean stop, so that copies start without recovery.
func makeTemplate() {
	start := time.Now()
	template.dir, template.err = clusterDir("footnote-pgtemplate-")
	if template.err != nil {
		return
	}
	template.err = buildTemplate(filepath.Join(template.dir, "data"), filepath.Join(template.dir, "server.log"))
	template.took = time.Since(start)
}

func buildTemplate(data, logFile string) error {
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		return fmt.Errorf("PostgreSQL 15 is not installed in %s (.ci/install-pgvector installs it): %w", pgBin, err)
	}
	if err := asPostgres(filepath.Join(pgBin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		return err
	}
	// Loopback only, no Unix socket; fsync off, since a crash of the machine would lose
	// only a test's data (an immediate stop, a crash of the server, loses nothing with it:
	// committed work is in the WAL the kernel holds). synchronous_commit stays on, so a
	// commit the client saw survives the stops the tests play.
	conf := "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\nmax_connections = 60\n"
	if err := appendConf(data, conf); err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	if err := setPort(data, port); err != nil {
		return err
	}
	if err := pgctl(data, "start", "-l", logFile); err != nil {
		return err
	}
	err = setUpDatabase(port)
	if stop := pgctl(data, "stop", "-m", "fast"); err == nil {
		err = stop
	}
	return err
}

// setUpDatabase creates role and database footnote (as .ci/db does on the shared cluster)
// and applies the migrations.
func setUpDatabase(port int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, clusterDSN(port, "postgres", "postgres"))
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	for _, q := range []string{`CREATE ROLE footnote LOGIN SUPERUSER`, `CREATE DATABASE footnote OWNER footnote`} {
		if _, err := admin.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	if err := migrations.Up(ctx, clusterDSN(port, "footnote", "footnote"), nil); err != nil {
		return fmt.Errorf("migrate the template: %w", err)
	}
	return nil
}

func clusterDSN(port int, user, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, port, db)
}

// clusterDir makes a directory for a cluster that its user owns. As root, that is the
// postgres user, who must be able to reach it: under the temporary directory when it can,
// else under /var/tmp.
func clusterDir(prefix string) (string, error) {
	for _, parent := range []string{os.TempDir(), "/var/tmp"} {
		dir, err := os.MkdirTemp(parent, prefix)
		if err != nil {
			continue
		}
		if os.Geteuid() != 0 {
			return dir, nil
		}
		if err := chownPostgres(dir); err == nil && asPostgres("test", "-w", dir) == nil {
			return dir, nil
		}
		os.RemoveAll(dir)
	}
	return "", errors.New("no directory the cluster's user can write: neither under " + os.TempDir() + " nor /var/tmp")
}

func chownPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root, the cluster runs as user postgres: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

// asPostgres runs a command as the cluster's user: postgres when we are root (runuser -u
// postgres, as .ci/db does), else ourselves. It returns the command's output in its error.
func asPostgres(name string, args ...string) error {
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = "/" // the postgres user may not reach the test's working directory
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

func pgctl(data string, args ...string) error {
	args = append([]string{"-D", data, "-w", "-t", strconv.Itoa(int(pgctlWait.Seconds()))}, args...)
	return asPostgres(filepath.Join(pgBin, "pg_ctl"), args...)
}

// setPort makes the cluster in data listen on port (the last setting of a file wins).
func setPort(data string, port int) error {
	return appendConf(data, fmt.Sprintf("port = %d\n", port))
}

func appendConf(data, lines string) error {
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(lines); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// freePort returns a TCP port of 127.0.0.1 that nothing listens on now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
