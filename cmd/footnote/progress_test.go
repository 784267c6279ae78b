package main

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// clock is a settable time for progress tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestProgressShowsCountRateAndTimeLeft(t *testing.T) {
	tests := []struct {
		name  string
		tty   bool
		total int64
		want  string
	}{
		{"off a terminal a tick prints a plain line", false, 1000, "progress: 40 lines (25%), 4 lines/s, about 30s left\n"},
		{"on a terminal the bar carries the same", true, 1000, "\r[=======                       ] 40 lines (25%), 4 lines/s, about 30s left\033[K"},
		{"without a total it shows the count and the rate", false, 0, "progress: 40 lines, 4 lines/s\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			var buf bytes.Buffer
			p := startProgress(&buf, "line", tt.total, tt.tty, time.Hour, c.now)
			defer p.done()
			c.t = c.t.Add(10 * time.Second)
			p.set(250, 40)
			if !tt.tty && buf.Len() != 0 {
				t.Errorf("set wrote %q off a terminal, want nothing until the tick", buf.String())
			}
			if !tt.tty {
				p.tick()
			}
			if buf.String() != tt.want {
				t.Errorf("wrote %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

// signalWriter collects writes and signals each one.
type signalWriter struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	wrote chan struct{}
}

func (w *signalWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return w.buf.Write(b)
}

func TestProgressUpdatesWhileTheJobIsSilent(t *testing.T) {
	for _, tty := range []bool{false, true} {
		name := "off a terminal a line comes on every period with no new progress"
		if tty {
			name = "on a terminal the bar is redrawn on every period with no new progress"
		}
		t.Run(name, func(t *testing.T) {
			w := &signalWriter{wrote: make(chan struct{}, 1)}
			p := startProgress(w, "article", 10, tty, 10*time.Millisecond, time.Now)
			for i := 0; i < 2; i++ {
				select {
				case <-w.wrote:
				case <-time.After(5 * time.Second):
					t.Fatalf("no update %d within 5s of a 10ms period", i+1)
				}
			}
			p.done() // returns once the ticker has stopped: nothing is written after it
			w.mu.Lock()
			out := w.buf.String()
			w.mu.Unlock()
			if !strings.Contains(out, "0 articles (0%)") {
				t.Errorf("wrote %q, want the count and share", out)
			}
			if tty && !strings.HasSuffix(out, "\r\033[K") {
				t.Errorf("wrote %q, want the bar cleared at the end", out)
			}
		})
	}
}

func TestImportProgressIsTheShareOfLines(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string { return writeFile(t, dir, name, data) }
	for _, tt := range []struct {
		name, data string
		want       int64
	}{
		{"every line ending counts a line", "{}\n{}\n\n{}\n", 4},
		{"a last line without a line ending counts too", "{}\n{}", 2},
		{"an empty file has none", "", 0},
		{"a long line is one line, not its bytes", strings.Repeat("x", 1<<20) + "\n{}\n", 2},
	} {
		t.Run("a regular file's total is its line count: "+tt.name, func(t *testing.T) {
			r, total, closeFile, err := openImport(write(strings.ReplaceAll(tt.name, " ", "_"), tt.data), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer closeFile()
			if total != tt.want {
				t.Errorf("total = %d, want %d lines", total, tt.want)
			}
			if rest, _ := io.ReadAll(r); string(rest) != tt.data {
				t.Errorf("the import reads %d bytes after counting, want the whole file (%d)", len(rest), len(tt.data))
			}
		})
	}
	t.Run("standard input has no total, so no share or time left", func(t *testing.T) {
		stdin := strings.NewReader("{}\n")
		r, total, closeFile, err := openImport("-", stdin)
		if err != nil || r != stdin || total != 0 {
			t.Fatalf("openImport(-) = %v, %d, %v; want stdin and no total", r, total, err)
		}
		closeFile()
		c := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		var buf bytes.Buffer
		lines := &lineProgress{name: "-", bar: startProgress(&buf, "line", total, false, time.Hour, c.now)}
		defer lines.bar.done()
		c.t = c.t.Add(2 * time.Second)
		lines.line(retrieval.LineReport{Line: 1})
		lines.bar.tick()
		if want := "progress: 1 line, 0 lines/s\n"; buf.String() != want {
			t.Errorf("wrote %q, want %q", buf.String(), want)
		}
	})
	t.Run("the share and time left follow the lines done, not bytes read ahead", func(t *testing.T) {
		c := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		var buf bytes.Buffer
		lines := &lineProgress{name: "a.jsonl", bar: startProgress(&buf, "line", 400, false, time.Hour, c.now)}
		defer lines.bar.done()
		c.t = c.t.Add(10 * time.Second)
		lines.line(retrieval.LineReport{Line: 99})
		lines.line(retrieval.LineReport{Line: 100, Err: errors.New("line 100: invalid input: missing \"url\"")})
		lines.bar.tick()
		want := "a.jsonl: line 100: invalid input: missing \"url\"\nprogress: 2 lines (25%), 0 lines/s, about 30s left\n"
		if buf.String() != want {
			t.Errorf("wrote %q, want %q", buf.String(), want)
		}
	})
}

func TestReindexProgressCountsPassages(t *testing.T) {
	for _, tt := range []struct {
		name string
		tty  bool
		want string
	}{
		{"off a terminal a tick prints the bot's progress line", false,
			"progress: ▰▰▱▱▱▱▱▱▱▱ 50 / 200 passages · 5.0/s · about 30 s left\n"},
		{"on a terminal the same line is redrawn in place, then cleared", true,
			"\r▰▰▱▱▱▱▱▱▱▱ 50 / 200 passages · 5.0/s · about 30 s left\033[K\r\033[K"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			var buf bytes.Buffer
			p := &passageProgress{w: &buf, start: func(w io.Writer, noun string, total int64) *progress {
				return startProgress(w, noun, total, tt.tty, time.Hour, c.now)
			}}
			p.batch(0, 200) // Engine.Reindex reports passages: done and to do
			buf.Reset()     // a terminal draws the empty bar at once
			c.t = c.t.Add(10 * time.Second)
			p.batch(50, 200)
			if !tt.tty {
				p.bar.tick()
			}
			p.stop()
			if buf.String() != tt.want {
				t.Errorf("wrote %q, want %q", buf.String(), tt.want)
			}
		})
	}
}
