package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

// TestAskAnswersWhenTheModelFails runs `footnote ask` with an LLM configured on a model
// server that fails in each way a real one does: rate limits with and without Retry-After,
// server errors, a reply that is not JSON, and no reply at all. Each time the question is
// answered, extractively, within FOOTNOTE_ANSWER_TIMEOUT.
func TestAskAnswersWhenTheModelFails(t *testing.T) {
	const (
		// timeout is FOOTNOTE_ANSWER_TIMEOUT: model calls get 2 s of it, and the extractive
		// fallback's database reads after a cut call the last second (modelReserve),
		// enough on this machine under -race with other suites running.
		timeout = 3 * time.Second
		// margin is what ask may take past the deadline, as in retrieval's deadline tests:
		// recording the question, a loaded machine under -race.
		margin = time.Second
	)
	tests := []struct {
		name  string
		reply oaitest.Reply
		slow  bool // the deadline cuts the model call: the answer says the model was slow
	}{
		{"a 429 with a Retry-After longer than the deadline", oaitest.Reply{Status: http.StatusTooManyRequests, RetryAfter: "30"}, true},
		{"a 429 without Retry-After", oaitest.Reply{Status: http.StatusTooManyRequests}, false},
		{"a 500 on every attempt", oaitest.Reply{Status: http.StatusInternalServerError}, false},
		{"a 503 whose body is an HTML page", oaitest.Reply{Status: http.StatusServiceUnavailable, Body: "<html><body>Service Unavailable</body></html>"}, false},
		{"a 200 whose body is cut short", oaitest.Reply{Body: `{"choices": [{"message": {"content": "The tram`}, false},
		{"a 200 whose body is not JSON", oaitest.Reply{Body: `<html>Welcome to the proxy</html>`}, false},
		{"a 200 whose JSON has no choices", oaitest.Reply{Body: `{"id": "x", "object": "chat.completion", "choices": []}`}, false},
		{"a server that accepts the request and never answers", oaitest.Reply{Delay: time.Minute}, true},
	}
	c, coll, _ := importedCLI(t)
	for _, tt := range tests {
		t.Run(tt.name+" gets the extractive answer in time", func(t *testing.T) {
			srv := oaitest.New(t, tt.reply)
			env := map[string]string{"OPENAI_BASE_URL": srv.URL, "FOOTNOTE_CHAT_MODEL": "test-model",
				"FOOTNOTE_EMBED_MODEL": "hash", "FOOTNOTE_ANSWER_TIMEOUT": timeout.String()}
			for k, v := range c.env {
				env[k] = v
			}
			start := time.Now()
			out, stderr := cli{env: env}.must(t, "", "ask", "--collection", coll, "--json", "When will the Westfield tram extension open?")
			took := time.Since(start)
			var a jsonAsk
			if err := json.Unmarshal([]byte(out), &a); err != nil {
				t.Fatalf("ask --json printed %q: %v", out, err)
			}
			if a.Mode != "extractive" || !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != tramURL ||
				!strings.Contains(a.Answer, "March 2027") {
				t.Errorf("ask = %+v, want an extractive answer quoting %s", a, tramURL)
			}
			if tt.slow && a.Note == "" {
				t.Error("the answer does not say the model was slow")
			}
			if d := time.Duration(a.TookMS * float64(time.Millisecond)); d > timeout+margin {
				t.Errorf("the answer took %v, want at most FOOTNOTE_ANSWER_TIMEOUT %v and %v more", d, timeout, margin)
			}
			// The whole command adds start-up (migrations, the pool) to the answer.
			if took > timeout+margin+5*time.Second {
				t.Errorf("footnote ask ran for %v", took)
			}
			if len(srv.Requests()) == 0 {
				t.Error("the model server was never asked: the test shows nothing")
			}
			if !strings.Contains(stderr, "llm answer unusable, answering extractively") {
				t.Errorf("the model's failure was not logged:\n%s", stderr)
			}
		})
	}
}
