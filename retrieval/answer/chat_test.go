package answer

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

// newFakeChat starts a fake chat server and a Chat client of it; cfg's BaseURL and (when
// empty) Model are filled in.
func newFakeChat(t *testing.T, cfg ChatConfig, replies ...oaitest.Reply) (*oaitest.Server, *Chat) {
	t.Helper()
	srv := oaitest.New(t, replies...)
	cfg.BaseURL = srv.URL
	if cfg.Model == "" {
		cfg.Model = "llama3.1"
	}
	c, err := NewChat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// Retries, timeouts and the key are retrieval/oai's and tested there; these tests cover
// what the chat client adds: the request's shape per model family and checks of the reply.
func TestChatComplete(t *testing.T) {
	ok := oaitest.Reply{Content: "  The answer [1].  "}
	tests := []struct {
		name         string
		cfg          ChatConfig
		replies      []oaitest.Reply
		want         string
		wantErr      string
		wantRequests int
		check        func(t *testing.T, body map[string]any)
	}{
		{
			name:         "a plain model gets max_tokens and a low temperature",
			replies:      []oaitest.Reply{ok},
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
			replies:      []oaitest.Reply{ok},
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
			replies:      []oaitest.Reply{ok},
			want:         "The answer [1].",
			wantRequests: 1,
			check: func(t *testing.T, body map[string]any) {
				if body["max_completion_tokens"] != float64(700) {
					t.Errorf("max_completion_tokens = %v, want 700", body["max_completion_tokens"])
				}
			},
		},
		{
			name:         "a 503 on every attempt is retried twice by default and names the model",
			replies:      []oaitest.Reply{oaitest.Failing(503)},
			wantErr:      "chat completion with llama3.1: after 3 attempts:",
			wantRequests: 3,
		},
		{
			name:         "an empty reply is an error",
			replies:      []oaitest.Reply{{Content: " "}},
			wantErr:      "empty reply",
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, c := newFakeChat(t, tt.cfg, tt.replies...)
			got, err := c.Complete(context.Background(), "system text", "user text")
			if !srv.Check(t, err, tt.wantErr, tt.wantRequests) {
				return
			}
			if got != tt.want {
				t.Fatalf("Complete = %q, want %q", got, tt.want)
			}
			if tt.check != nil {
				tt.check(t, srv.Requests()[0].Body)
			}
		})
	}
}

func TestNewChatRequiresModel(t *testing.T) {
	if _, err := NewChat(ChatConfig{}); err == nil {
		t.Fatal("NewChat without a model succeeded, want an error")
	}
}
