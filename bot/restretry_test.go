package bot

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

const (
	rateLimitedBody = `{"message": "You are being rate limited.", "global": false}`
	answerText      = "The council approved the budget on Tuesday."
)

// TestDiscordFaultsAreRetriedPolitely fails the edit that carries an /ask answer the ways
// Discord does, and checks that footnote waits as long as Discord asks (never less), tries
// a bounded number of times, and either delivers the answer or tells the member to retry.
func TestDiscordFaultsAreRetriedPolitely(t *testing.T) {
	delivered := []struct {
		name     string
		faults   []fault // each fails one attempt, in order
		minWait  time.Duration
		attempts int
	}{
		{name: "a 429 with retry_after in its JSON body is retried after it",
			faults:  []fault{{status: 429, body: `{"message": "You are being rate limited.", "retry_after": 0.3, "global": false}`}},
			minWait: 300 * time.Millisecond, attempts: 2},
		{name: "a 429 whose only wait is the Retry-After header (a proxy's HTML page) is retried after it",
			faults:  []fault{{status: 429, header: map[string]string{"Retry-After": "1"}, body: "<html><h1>429 Too Many Requests</h1></html>"}},
			minWait: time.Second, attempts: 2},
		{name: "a 429 whose only wait is X-RateLimit-Reset-After is retried after it",
			faults:  []fault{{status: 429, header: map[string]string{"X-RateLimit-Reset-After": "0.4"}, body: rateLimitedBody}},
			minWait: 400 * time.Millisecond, attempts: 2},
		{name: "a 502 then a 503 are retried after growing pauses",
			faults:  []fault{{status: 502, body: "<html>Bad Gateway</html>"}, {status: 503, body: `{"message": "unavailable"}`}},
			minWait: restBackoff / 2, attempts: 3},
		{name: "a 500 on an edit is retried: an edit repeated changes nothing",
			faults:  []fault{{status: 500, body: `{"message": "500: Internal Server Error", "code": 0}`}},
			minWait: restBackoff / 2, attempts: 2},
	}
	for _, tt := range delivered {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, cityNews())
			p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
			for _, ft := range tt.faults {
				h.discord.failNext(1, editOf(s.token), ft)
			}
			h.send(p, s)
			edits := h.discord.waitFor(t, "the answer after the retries", tt.attempts, editOf(s.token))
			if got := edits[len(edits)-1].str("content"); !strings.HasPrefix(got, answerText) {
				t.Errorf("the last edit says %q, want the answer", got)
			}
			for i := 1; i < len(edits); i++ {
				if gap := edits[i].At.Sub(edits[i-1].At); gap < tt.minWait {
					t.Errorf("attempt %d came %v after the one before, before the %v asked for", i+1, gap, tt.minWait)
				}
			}
			h.bot.Close(t.Context()) // every attempt is in: no more may come
			if n := len(h.discord.recorded(editOf(s.token))); n != tt.attempts {
				t.Errorf("%d attempts, want %d", n, tt.attempts)
			}
		})
	}

	told := []struct {
		name     string
		fault    fault
		attempts int
		within   time.Duration
	}{
		{name: "a rate limit longer than footnote waits is not waited out",
			fault:    fault{status: 429, header: map[string]string{"X-RateLimit-Global": "true"}, body: `{"message": "You are being rate limited.", "retry_after": 3600, "global": true}`},
			attempts: 1, within: 5 * time.Second},
		{name: "a 503 on every attempt stops after the last retry",
			fault:    fault{status: 503, body: `{"message": "unavailable"}`},
			attempts: restRetries + 1, within: 10 * time.Second},
	}
	for _, tt := range told {
		t.Run(tt.name+", and the member is told to retry", func(t *testing.T) {
			h := newHarness(t, cityNews())
			p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
			h.discord.failNext(-1, editOf(s.token), tt.fault)
			start := time.Now()
			h.send(p, s)
			got := h.ephemeralError(s)
			if took := time.Since(start); took > tt.within {
				t.Errorf("the member was told after %v, want within %v", took, tt.within)
			}
			if !strings.Contains(got, "Try again in a moment") || strings.Contains(got, "Something went wrong") {
				t.Errorf("the member was told %q, want to retry", got)
			}
			if n := len(h.discord.recorded(editOf(s.token))); n != tt.attempts {
				t.Errorf("%d attempts at the edit, want %d", n, tt.attempts)
			}
		})
	}
}

func TestRestRetryPolicy(t *testing.T) {
	tests := []struct {
		name   string
		method string
		status int
		want   bool
	}{
		{"a rate-limited POST is retried: Discord refused it", http.MethodPost, 429, true},
		{"a POST that met a 502 is retried: it never reached the API", http.MethodPost, 502, true},
		{"a POST that met a 500 is not: it may have been posted", http.MethodPost, 500, false},
		{"a POST that met a 504 is not: it may have been posted", http.MethodPost, 504, false},
		{"a PATCH that met a 500 is retried: an edit repeats harmlessly", http.MethodPatch, 500, true},
		{"a DELETE that met a 504 is retried", http.MethodDelete, 504, true},
		{"a 404 is final", http.MethodPatch, 404, false},
		{"a 403 is final", http.MethodPost, 403, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryable(tt.method, tt.status); got != tt.want {
				t.Errorf("retryable(%s, %d) = %v, want %v", tt.method, tt.status, got, tt.want)
			}
		})
	}
	waits := []struct {
		name   string
		status int
		header map[string]string
		body   string
		want   time.Duration
	}{
		{"the body's retry_after wins over the headers", 429, map[string]string{"Retry-After": "2"}, `{"retry_after": 0.25}`, 250 * time.Millisecond},
		{"a fractional Retry-After is read", 429, map[string]string{"Retry-After": "1.5"}, "", 1500 * time.Millisecond},
		{"a 429 that says nothing waits a second", 429, nil, "<html></html>", defaultRateLimitWait},
		{"a negative retry_after waits nothing", 429, nil, `{"retry_after": -1}`, 0},
		{"an absurd retry_after waits longer than footnote will", 429, nil, `{"retry_after": 1e300}`, 1<<63 - 1},
		{"a 503's Retry-After is honoured", 503, map[string]string{"Retry-After": "3"}, "", 3 * time.Second},
		{"a 503 without it backs off", 503, nil, "", restBackoff},
	}
	for _, tt := range waits {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
			for k, v := range tt.header {
				resp.Header.Set(k, v)
			}
			if got := retryWait(resp, []byte(tt.body), 0); got != tt.want {
				t.Errorf("retryWait = %v, want %v", got, tt.want)
			}
		})
	}
}
