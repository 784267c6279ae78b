package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestServeMetrics(t *testing.T) {
	m := &Main{Engine: &retrieval.Engine{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b, err := m.newBot(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	b.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /metrics: %d", rec.Code)
	}
	for _, name := range []string{
		"footnote_answers_total", // the bot's own series
		"go_goroutines",          // the Go runtime's
		"go_memstats_heap_inuse_bytes",
		"process_resident_memory_bytes", // the process's
	} {
		t.Run("the metrics endpoint shows "+name, func(t *testing.T) {
			if !strings.Contains(rec.Body.String(), "\n# TYPE "+name+" ") {
				t.Errorf("/metrics lacks %s:\n%s", name, rec.Body.String())
			}
		})
	}
}

func TestStopServing(t *testing.T) {
	t.Run("the bot's shutdown starts at the signal, while a listener still waits for a connection", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.NotFoundHandler()}
		go func() { _ = srv.Serve(ln) }()
		// A connection with no request yet: net/http's Shutdown waits up to 5 s for it.
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		started := make(chan struct{})
		stopped := make(chan error, 1)
		go func() {
			stopped <- stopServing(ctx, []*http.Server{srv}, func(context.Context) error {
				close(started)
				return nil
			})
		}()
		select {
		case <-started:
		case <-time.After(2 * time.Second):
			t.Fatal("the bot's shutdown had not started 2 s after the signal")
		}
		conn.Close() // lets the listener finish too
		if err := <-stopped; err != nil {
			t.Errorf("stopServing = %v", err)
		}
	})
}
