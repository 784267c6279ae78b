package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
)

// httpGet serves GET path from handler and returns "<status> <body>".
func httpGet(t *testing.T, handler http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return fmt.Sprintf("%d %s", rec.Code, rec.Body.String())
}

func TestMetrics(t *testing.T) {
	t.Run("metrics count interactions by command and outcome, answers by mode, and latencies", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.RatePerMinute = 1 })
		h.edit(h.ask(guildA, alice, "budget?"), nil)
		h.ephemeralError(h.ask(guildA, alice, "budget?"))
		h.ephemeralError(h.send(h.slash(guildA, alice, "reindex")))
		got := httpGet(t, h.bot.MetricsHandler(), "/metrics")
		for _, want := range []string{
			`footnote_interactions_total{command="ask",outcome="ok"} 1`,
			`footnote_interactions_total{command="ask",outcome="rate_limited"} 1`,
			`footnote_interactions_total{command="reindex",outcome="refused"} 1`,
			`footnote_answers_total{mode="extractive"} 1`,
			`footnote_answers_total{mode="llm"} 0`,
			`footnote_answer_seconds_count 1`,
			`footnote_retrieval_seconds_count 1`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
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
		got := httpGet(t, h.bot.MetricsHandler(), "/metrics")
		for _, want := range []string{
			`footnote_llm_calls_total{outcome="ok"} 1`,
			`footnote_llm_calls_total{outcome="failed"} 2`,
			`footnote_answers_total{mode="llm"} 1`,
			`footnote_answers_total{mode="extractive"} 2`,
		} {
			if !strings.Contains(got, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
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
