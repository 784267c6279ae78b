package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// server is a running `footnote serve --http`.
type server struct {
	cmd      *exec.Cmd
	addr     string // the interactions endpoint's host:port
	metrics  string // http://host:port/metrics
	logPath  string
	exited   chan struct{}
	exitErr  error
	exitedAt time.Time
}

// freeAddr returns a loopback address with a port free at the time of the call.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs bin as `serve --http` with env (and nothing else from the driver's own
// environment but PATH and HOME, so that no OPENAI_* or DISCORD_TOKEN of the shell changes
// what is measured), its log in logPath.
func startServer(bin, logPath string, env map[string]string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("find a port for the endpoint: %w", err)
	}
	maddr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("find a port for the metrics: %w", err)
	}
	log, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create the server log: %w", err)
	}
	cmd := exec.Command(bin, "serve", "--http", addr)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(childEnv(), "FOOTNOTE_METRICS_ADDR="+maddr)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	setDeathSignal(cmd)
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	s := &server{cmd: cmd, addr: addr, metrics: "http://" + maddr + "/metrics", logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.exitErr = cmd.Wait()
		s.exitedAt = time.Now()
		log.Close()
		close(s.exited)
	}()
	return s, nil
}

// waitReady pings the endpoint until footnote answers PONG, the process exits, or timeout.
func (s *server) waitReady(ctx context.Context, a *asker, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if a.ping(ctx) {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("footnote serve exited before it was ready (%v); its log:\n%s", s.exitErr, s.logTail(20))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("footnote serve did not answer a PING within %s; its log:\n%s", timeout, s.logTail(20))
		}
	}
}

// terminate sends SIGTERM.
func (s *server) terminate() error { return s.cmd.Process.Signal(syscall.SIGTERM) }

// kill ends the process if it still runs, and waits for it.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// exitCode is the process's exit status (-1 when a signal killed it).
func (s *server) exitCode() int {
	var ee *exec.ExitError
	if errors.As(s.exitErr, &ee) {
		return ee.ExitCode()
	}
	if s.exitErr != nil {
		return -1
	}
	return 0
}

// logTail returns the last n lines of the server's log.
func (s *server) logTail(n int) string {
	data, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logLevels counts the server log's lines by level (slog's text format: level=WARN).
func (s *server) logLevels() map[string]int {
	out := map[string]int{}
	f, err := os.Open(s.logPath)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if _, rest, ok := strings.Cut(sc.Text(), " level="); ok {
			lvl, _, _ := strings.Cut(rest, " ")
			out[lvl]++
		}
	}
	return out
}

// sample is one reading of the server's runtime, from its /metrics.
type sample struct {
	at         time.Time
	goroutines float64
	heapGoal   float64 // go_memstats_next_gc_bytes: the heap size of the next GC, twice the live heap at GOGC=100
	rss        float64 // process_resident_memory_bytes
	cpu        float64 // process_cpu_seconds_total
	openFDs    float64 // process_open_fds: connections and files
}

// scrape reads the server's /metrics.
func (s *server) scrape(ctx context.Context) (sample, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.metrics, nil)
	if err != nil {
		return sample{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return sample{}, fmt.Errorf("scrape %s: %w", s.metrics, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return sample{}, fmt.Errorf("scrape %s: HTTP %d", s.metrics, resp.StatusCode)
	}
	out := sample{at: time.Now()}
	want := map[string]*float64{
		"go_goroutines":                 &out.goroutines,
		"go_memstats_next_gc_bytes":     &out.heapGoal,
		"process_resident_memory_bytes": &out.rss,
		"process_cpu_seconds_total":     &out.cpu,
		"process_open_fds":              &out.openFDs,
	}
	found := 0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if dst := want[name]; ok && dst != nil {
			if v, err := strconv.ParseFloat(value, 64); err == nil {
				*dst = v
				found++
			}
		}
	}
	if found < len(want) {
		return out, fmt.Errorf("scrape %s (%s): %d of the %d series wanted (go_goroutines, process_resident_memory_bytes, ...); is the binary older than them?", s.metrics, resp.Header.Get("Content-Type"), found, len(want))
	}
	return out, sc.Err()
}
