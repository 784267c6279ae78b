package answer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// chatReply scripts one response of the fake chat server: status 0 means a good reply
// whose message is content.
type chatReply struct {
	status  int
	content string
	delay   time.Duration
}

// fakeChat speaks OpenAI's /v1/chat/completions JSON, answering from a script and recording
// each request's body.
type fakeChat struct {
	mu      sync.Mutex
	replies []chatReply // consumed in order; the last one repeats
	bodies  []map[string]any
}

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	rep := f.replies[0]
	if len(f.replies) > 1 {
		f.replies = f.replies[1:]
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
	if rep.status != 0 {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(rep.status)
		fmt.Fprintf(w, `{"error":{"message":"status %d","type":"requests","param":null,"code":"rate_limit_exceeded"}}`, rep.status)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": body["model"],
		"choices": []map[string]any{{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": rep.content},
		}},
		"usage": map[string]int{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
	})
}

func (f *fakeChat) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.bodies...)
}

// newFakeChat starts a fake chat server and a Chat client of it; cfg's BaseURL and (when
// empty) Model are filled in.
func newFakeChat(t *testing.T, cfg ChatConfig, replies ...chatReply) (*fakeChat, *Chat) {
	t.Helper()
	fake := &fakeChat{replies: replies}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/v1"
	if cfg.Model == "" {
		cfg.Model = "llama3.1"
	}
	c, err := NewChat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func TestChatComplete(t *testing.T) {
	ok := chatReply{content: "  The answer [1].  "}
	tests := []struct {
		name         string
		cfg          ChatConfig
		replies      []chatReply
		want         string
		wantErr      string
		wantRequests int
		check        func(t *testing.T, body map[string]any)
	}{
		{
			name:         "a plain model gets max_tokens and a low temperature",
			replies:      []chatReply{ok},
			want:         "The answer [1].",
			wantRequests: 1,
			check: func(t *testing.T, body map[string]any) {
				if body["max_tokens"] != float64(700) || body["max_completion_tokens"] != nil {
					t.Errorf("max_tokens = %v, max_completion_tokens = %v; want 700 and none", body["max_tokens"], body["max_completion_tokens"])
				}
				if tmp, _ := body["temperature"].(float64); tmp < 0.099 || tmp > 0.101 {
					t.Errorf("temperature = %v, want 0.1", body["temperature"])
				}
				msgs, _ := body["messages"].([]any)
				if len(msgs) != 2 || msgs[0].(map[string]any)["role"] != "system" || msgs[1].(map[string]any)["content"] != "user text" {
					t.Errorf("messages = %v, want the system then the user message", msgs)
				}
			},
		},
		{
			name:         "a reasoning model gets max_completion_tokens and no temperature",
			cfg:          ChatConfig{Model: "gpt-5-mini", MaxTokens: 300},
			replies:      []chatReply{ok},
			want:         "The answer [1].",
			wantRequests: 1,
			check: func(t *testing.T, body map[string]any) {
				if body["max_completion_tokens"] != float64(300) || body["max_tokens"] != nil || body["temperature"] != nil {
					t.Errorf("body = %v, want max_completion_tokens 300 and neither max_tokens nor temperature", body)
				}
			},
		},
		{
			name:         "an o-series model gets max_completion_tokens",
			cfg:          ChatConfig{Model: "o3-mini"},
			replies:      []chatReply{ok},
			want:         "The answer [1].",
			wantRequests: 1,
			check: func(t *testing.T, body map[string]any) {
				if body["max_completion_tokens"] != float64(700) {
					t.Errorf("max_completion_tokens = %v, want 700", body["max_completion_tokens"])
				}
			},
		},
		{
			name:         "a 429 is retried and then succeeds",
			replies:      []chatReply{{status: 429}, ok},
			want:         "The answer [1].",
			wantRequests: 2,
		},
		{
			name:         "a 503 on every attempt fails once the retries run out",
			replies:      []chatReply{{status: 503}},
			wantErr:      "after 3 attempt(s)",
			wantRequests: 3,
		},
		{
			name:         "a 400 is not retried",
			replies:      []chatReply{{status: 400}},
			wantErr:      "status code: 400",
			wantRequests: 1,
		},
		{
			name:         "a reply slower than the timeout fails",
			cfg:          ChatConfig{Timeout: 50 * time.Millisecond, MaxRetries: -1},
			replies:      []chatReply{{delay: 2 * time.Second}},
			wantErr:      "deadline exceeded",
			wantRequests: 1,
		},
		{
			name:         "an empty reply is an error",
			replies:      []chatReply{{content: " "}},
			wantErr:      "empty reply",
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, c := newFakeChat(t, tt.cfg, tt.replies...)
			got, err := c.Complete(context.Background(), "system text", "user text")
			reqs := fake.requests()
			if len(reqs) != tt.wantRequests {
				t.Errorf("server saw %d requests, want %d", len(reqs), tt.wantRequests)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Complete error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Complete = %q, %v; want %q, nil", got, err, tt.want)
			}
			if tt.check != nil {
				tt.check(t, reqs[0])
			}
		})
	}
}

func TestNewChatRequiresModel(t *testing.T) {
	if _, err := NewChat(ChatConfig{}); err == nil {
		t.Fatal("NewChat without a model succeeded, want an error")
	}
}
