package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
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
			p := startProgress(&buf, "lines", tt.total, tt.tty, time.Hour, c.now)
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
			p := startProgress(w, "articles", 10, tty, 10*time.Millisecond, time.Now)
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
