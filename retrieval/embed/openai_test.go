package embed

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply scripts one response of the fake server: status 0 means a good reply.
type reply struct {
	status     int
	retryAfter string
	delay      time.Duration
}

// recorded is what the fake server saw of one request.
type recorded struct {
	auth string
	body map[string]any
}

// fakeEmbeddings speaks OpenAI's /v1/embeddings JSON. A good reply gives the text "text N"
// a vector of length 3 along axis N (of "dimensions", default 8) and lists the data in
// reverse order, so clients must sort by index.
type fakeEmbeddings struct {
	mu      sync.Mutex
	replies []reply // consumed in order; good replies once exhausted
	reqs    []recorded
}

func (f *fakeEmbeddings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/embeddings" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, recorded{auth: r.Header.Get("Authorization"), body: body})
	var rep reply
	if len(f.replies) > 0 {
		rep, f.replies = f.replies[0], f.replies[1:]
	}
	f.mu.Unlock()
	if rep.delay > 0 {
		select {
		case <-time.After(rep.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.retryAfter != "" {
		w.Header().Set("Retry-After", rep.retryAfter)
	}
	if rep.status != 0 {
		w.WriteHeader(rep.status)
		fmt.Fprintf(w, `{"error":{"message":"status %d","type":"invalid_request_error","param":null,"code":null}}`, rep.status)
		return
	}
	dims := 8
	if d, ok := body["dimensions"].(float64); ok {
		dims = int(d)
	}
	inputs, _ := body["input"].([]any)
	data := make([]map[string]any, 0, len(inputs))
	for i := len(inputs) - 1; i >= 0; i-- {
		s, _ := inputs[i].(string)
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "text "))
		vec := make([]float32, dims)
		vec[n%dims] = 3
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": vec})
	}
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": body["model"],
		"usage": map[string]int{"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
	})
}

func (f *fakeEmbeddings) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "text " + strconv.Itoa(i)
	}
	return out
}

func TestOpenAIEmbed(t *testing.T) {
	tests := []struct {
		name         string
		cfg          OpenAIConfig
		replies      []reply
		inputs       []string
		wantErr      string
		wantRequests int
		check        func(t *testing.T, o *OpenAI, reqs []recorded)
	}{
		{
			name:         "batches keep input order when the server shuffles indexes",
			cfg:          OpenAIConfig{BatchSize: 2},
			inputs:       texts(5),
			wantRequests: 3,
			check: func(t *testing.T, o *OpenAI, reqs []recorded) {
				if got := len(reqs[2].body["input"].([]any)); got != 1 {
					t.Errorf("last batch has %d inputs, want 1", got)
				}
				if o.Dims() != 8 {
					t.Errorf("Dims() = %d after the first reply, want 8 (learned)", o.Dims())
				}
			},
		},
		{
			name:         "a 429 is retried and then succeeds",
			replies:      []reply{{status: 429, retryAfter: "0"}},
			inputs:       texts(2),
			wantRequests: 2,
		},
		{
			name:         "a 500 on every attempt fails once the retries run out",
			cfg:          OpenAIConfig{MaxRetries: 2},
			replies:      []reply{{status: 500, retryAfter: "0"}, {status: 502, retryAfter: "0"}, {status: 503, retryAfter: "0"}},
			inputs:       texts(1),
			wantErr:      "after 3 attempt(s)",
			wantRequests: 3,
		},
		{
			name:         "a 400 is not retried",
			replies:      []reply{{status: 400}},
			inputs:       texts(1),
			wantErr:      "status code: 400",
			wantRequests: 1,
		},
		{
			name:         "a request slower than the timeout fails",
			cfg:          OpenAIConfig{Timeout: 50 * time.Millisecond, MaxRetries: -1},
			replies:      []reply{{delay: 2 * time.Second}},
			inputs:       texts(1),
			wantErr:      "deadline exceeded",
			wantRequests: 1,
		},
		{
			name:         "dimensions is sent when set",
			cfg:          OpenAIConfig{Dims: 4},
			inputs:       texts(3),
			wantRequests: 1,
			check: func(t *testing.T, o *OpenAI, reqs []recorded) {
				if got, ok := reqs[0].body["dimensions"]; !ok || got != float64(4) {
					t.Errorf("dimensions = %v (present %v), want 4", got, ok)
				}
			},
		},
		{
			name:         "dimensions is not sent when unset",
			inputs:       texts(1),
			wantRequests: 1,
			check: func(t *testing.T, o *OpenAI, reqs []recorded) {
				if got, ok := reqs[0].body["dimensions"]; ok {
					t.Errorf("dimensions = %v, want no field", got)
				}
			},
		},
		{
			name:         "the key is sent as a bearer token",
			cfg:          OpenAIConfig{APIKey: "sk-test"},
			inputs:       texts(1),
			wantRequests: 1,
			check: func(t *testing.T, o *OpenAI, reqs []recorded) {
				if reqs[0].auth != "Bearer sk-test" {
					t.Errorf("Authorization = %q, want %q", reqs[0].auth, "Bearer sk-test")
				}
			},
		},
		{
			name:         "no key sends no authorization header",
			inputs:       texts(1),
			wantRequests: 1,
			check: func(t *testing.T, o *OpenAI, reqs []recorded) {
				if reqs[0].auth != "" {
					t.Errorf("Authorization = %q, want none", reqs[0].auth)
				}
			},
		},
		{
			name:         "no texts make no request",
			wantRequests: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &fakeEmbeddings{replies: tt.replies}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			cfg := tt.cfg
			cfg.BaseURL, cfg.Model = srv.URL+"/v1", "test-embed"
			o, err := NewOpenAI(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.Embed(context.Background(), tt.inputs)
			reqs := fake.requests()
			if len(reqs) != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", len(reqs), tt.wantRequests)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Embed error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Embed: %v", err)
			}
			if len(got) != len(tt.inputs) {
				t.Fatalf("got %d vectors, want %d", len(got), len(tt.inputs))
			}
			for i, v := range got {
				if len(v) != o.Dims() {
					t.Errorf("vector %d has %d dims, Dims() = %d", i, len(v), o.Dims())
				}
				if axis := i % len(v); math.Abs(float64(v[axis])-1) > 1e-6 {
					t.Errorf("vector %d = %v, want unit length along axis %d", i, v, axis)
				}
			}
			if tt.check != nil {
				tt.check(t, o, reqs)
			}
		})
	}
}

func TestOpenAIProbe(t *testing.T) {
	srv := httptest.NewServer(&fakeEmbeddings{})
	defer srv.Close()
	o, err := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "test-embed"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Dims() != 0 {
		t.Fatalf("Dims() = %d before any call, want 0", o.Dims())
	}
	if n, err := o.Probe(context.Background()); err != nil || n != 8 || o.Dims() != 8 {
		t.Fatalf("Probe = %d, %v; Dims() = %d; want 8, nil, 8", n, err, o.Dims())
	}
}

func TestNewOpenAIRequiresModel(t *testing.T) {
	if _, err := NewOpenAI(OpenAIConfig{}); err == nil {
		t.Fatal("NewOpenAI without a model succeeded, want an error")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Duration
		wantOK   bool
	}{
		{"seconds are read as a delay", "7", 7 * time.Second, true},
		{"an HTTP date is read as a time to wait for", now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, true},
		{"a missing header gives no hint", "", 0, false},
		{"garbage gives no hint", "soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	fake := &fakeEmbeddings{replies: []reply{{status: 429, retryAfter: "1"}}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	o, err := NewOpenAI(OpenAIConfig{BaseURL: srv.URL + "/v1", Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := o.Embed(context.Background(), texts(1)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("retry came after %v, want about the 1s the server asked for", took)
	}
}

func TestBackoffGrowsWithinItsCap(t *testing.T) {
	base, maxWait := 500*time.Millisecond, 4*time.Second
	for attempt, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		t.Run(fmt.Sprintf("attempt %d waits between half and all of %v", attempt, want), func(t *testing.T) {
			for range 50 {
				if d := backoff(base, maxWait, attempt); d < want/2 || d > want {
					t.Fatalf("backoff = %v, want within [%v, %v]", d, want/2, want)
				}
			}
		})
	}
}
