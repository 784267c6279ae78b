package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestServeMetrics(t *testing.T) {
	m := &Main{Engine: &retrieval.Engine{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b, err := m.newBot()
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
