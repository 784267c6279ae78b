package bot

import (
	"fmt"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/footnote-bot/footnote/retrieval"
)

// metrics are the bot's Prometheus series, registered on the registry passed to New.
type metrics struct {
	interactions *prometheus.CounterVec // by command and outcome
	answer       prometheus.Histogram   // from receipt to the answer sent
	retrieval    prometheus.Histogram   // the engine's retrieval time (Answer.Retrieval)
	llmCalls     *prometheus.CounterVec // LLM answers used ("ok") or not ("failed")
	answers      *prometheus.CounterVec // by mode
	gatherer     prometheus.Gatherer    // nil when the registerer cannot gather
}

var latencyBuckets = []float64{.05, .1, .25, .5, 1, 2, 3, 5, 10, 20, 60}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m := &metrics{
		interactions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "footnote_interactions_total",
			Help: "Commands, buttons and mentions handled, by command and outcome (ok, user_error, refused, rate_limited, busy, db_unavailable, error, ack_failed).",
		}, []string{"command", "outcome"}),
		answer: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "footnote_answer_seconds",
			Help:    "Time from receiving a question to the answer being sent to Discord.",
			Buckets: latencyBuckets,
		}),
		retrieval: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "footnote_retrieval_seconds",
			Help:    "Time the engine took to retrieve the passages of an answer (Answer.Retrieval).",
			Buckets: latencyBuckets,
		}),
		answers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "footnote_answers_total",
			Help: "Answers by mode: llm, or extractive (the default answerer, or the fallback when the LLM failed).",
		}, []string{"mode"}),
		llmCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "footnote_llm_calls_total",
			Help: "LLM answers by outcome: ok (used), failed (the call failed or nothing it cited checked out).",
		}, []string{"outcome"}),
	}
	for _, c := range []prometheus.Collector{m.interactions, m.answer, m.retrieval, m.answers, m.llmCalls} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("bot: register metrics: %w", err)
		}
	}
	if g, ok := reg.(prometheus.Gatherer); ok {
		m.gatherer = g
	}
	// Both modes show from the start, so that a rate of failures is never "no data".
	m.answers.WithLabelValues(retrieval.ModeLLM)
	m.answers.WithLabelValues(retrieval.ModeExtractive)
	m.llmCalls.WithLabelValues("ok")
	m.llmCalls.WithLabelValues("failed")
	return m, nil
}

// observeAnswer counts an answer by mode and records the engine's time.
func (m *metrics) observeAnswer(a *retrieval.Answer) {
	mode := retrieval.ModeExtractive
	if a.Mode == retrieval.ModeLLM {
		mode = retrieval.ModeLLM
	}
	m.answers.WithLabelValues(mode).Inc()
	switch {
	case a.Mode == retrieval.ModeLLM:
		m.llmCalls.WithLabelValues("ok").Inc()
	case a.LLMFailed:
		m.llmCalls.WithLabelValues("failed").Inc()
	}
	if a.Retrieval > 0 {
		m.retrieval.Observe(a.Retrieval.Seconds())
	}
}

// MetricsHandler serves GET /metrics (the registry passed to New, when it can gather, as a
// *prometheus.Registry can) and GET /healthz, which answers 200 "ok" while the bot takes
// work and 503 while it shuts down or its gateway is disconnected.
func (b *Bot) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	if b.metrics.gatherer != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(b.metrics.gatherer, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /healthz", b.serveHealth)
	return mux
}

func (b *Bot) serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	switch {
	case b.pool.isClosing():
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
	case !b.gatewayHealthy():
		http.Error(w, "gateway disconnected", http.StatusServiceUnavailable)
	default:
		fmt.Fprintln(w, "ok")
	}
}
