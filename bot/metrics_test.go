package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// httpGet serves GET path from handler and returns "<status> <body>".
func httpGet(t *testing.T, handler http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return fmt.Sprintf("%d %s", rec.Code, rec.Body.String())
}

// waitForMetrics waits (up to 10 s) until /metrics shows every line in want: a request is
// counted when it is finished, which is just after its member has seen the reply. It fails
// the test naming the lines still missing.
func waitForMetrics(t *testing.T, h *harness, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := httpGet(t, h.bot.MetricsHandler(), "/metrics")
		var missing []string
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks, after 10s:\n%s", strings.Join(missing, "\n"))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMetrics(t *testing.T) {
	t.Run("metrics count interactions by command and outcome, answers by mode, and latencies", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.RatePerMinute = 1 })
		h.edit(h.ask(guildA, alice, "budget?"), nil)
		h.ephemeralError(h.ask(guildA, alice, "budget?"))
		h.ephemeralError(h.send(h.slash(guildA, alice, "reindex")))
		waitForMetrics(t, h,
			`footnote_interactions_total{command="ask",outcome="ok"} 1`,
			`footnote_interactions_total{command="ask",outcome="rate_limited"} 1`,
			`footnote_interactions_total{command="reindex",outcome="refused"} 1`,
			`footnote_answers_total{mode="extractive"} 1`,
			`footnote_answers_total{mode="llm"} 0`,
			`footnote_answer_seconds_count 1`,
			`footnote_retrieval_seconds_count 1`,
		)
	})

	t.Run("LLM answers are counted as used or failed", func(t *testing.T) {
		eng := newFakeEngine()
		answers := []*retrieval.Answer{
			{Mode: retrieval.ModeLLM, Covered: true, Text: "From the model."},
			{Mode: retrieval.ModeExtractive, Covered: true, Text: "Fallback.", LLMFailed: true},
			{Mode: retrieval.ModeExtractive, Covered: true, Text: "Fallback again.", LLMFailed: true},
		}
		n := 0
		eng.askFunc = func(context.Context, string, string, retrieval.AskOptions) (*retrieval.Answer, error) {
			a := answers[n]
			n++
			return a, nil
		}
		h := newHarness(t, eng)
		for range answers {
			h.edit(h.ask(guildA, alice, "budget?"), nil)
		}
		waitForMetrics(t, h,
			`footnote_llm_calls_total{outcome="ok"} 1`,
			`footnote_llm_calls_total{outcome="failed"} 2`,
			`footnote_answers_total{mode="llm"} 1`,
			`footnote_answers_total{mode="extractive"} 2`,
		)
	})

	t.Run("healthz is ok while serving and 503 while shutting down", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		if got := httpGet(t, h.bot.MetricsHandler(), "/healthz"); got != "200 ok\n" {
			t.Errorf("/healthz = %q", got)
		}
		if err := h.bot.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := httpGet(t, h.bot.MetricsHandler(), "/healthz"); !strings.HasPrefix(got, "503 shutting down") {
			t.Errorf("/healthz = %q", got)
		}
	})

	t.Run("two bots cannot register on one registry", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		if _, err := New(Config{}, newFakeEngine(), nil, h.reg); err == nil {
			t.Error("New registered the same metrics twice")
		}
	})
}
