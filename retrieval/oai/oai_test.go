package oai

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

func embeddingRequest(n int) openai.EmbeddingRequestStrings {
	return openai.EmbeddingRequestStrings{Input: oaitest.Texts(n), Model: "test-embed"}
}

func TestClientRetries(t *testing.T) {
	tests := []struct {
		name         string
		def          Retry
		timeout      time.Duration // Config.Timeout
		retries      int           // Config.MaxRetries
		replies      []oaitest.Reply
		wantErr      string
		wantRequests int
	}{
		{
			name:         "a 429 is retried and then succeeds",
			def:          Retry{MaxRetries: 2},
			replies:      []oaitest.Reply{oaitest.Failing(429), {}},
			wantRequests: 2,
		},
		{
			name:         "a 5xx on every attempt fails once the retries run out",
			def:          Retry{MaxRetries: 2},
			replies:      []oaitest.Reply{oaitest.Failing(500), oaitest.Failing(502), oaitest.Failing(503)},
			wantErr:      "after 3 attempts:",
			wantRequests: 3,
		},
		{
			name:         "a 400 is not retried",
			def:          Retry{MaxRetries: 2},
			replies:      []oaitest.Reply{oaitest.Failing(400)},
			wantErr:      "status code: 400",
			wantRequests: 1,
		},
		{
			name:         "a reply slower than the timeout fails",
			def:          Retry{Timeout: time.Minute},
			timeout:      50 * time.Millisecond,
			replies:      []oaitest.Reply{{Delay: 2 * time.Second}},
			wantErr:      "deadline exceeded",
			wantRequests: 1,
		},
		{
			name:         "the configured retries replace the caller's default",
			def:          Retry{MaxRetries: 4},
			retries:      1,
			replies:      []oaitest.Reply{oaitest.Failing(503)},
			wantErr:      "after 2 attempts:",
			wantRequests: 2,
		},
		{
			name:         "negative retries mean none",
			def:          Retry{MaxRetries: 4},
			retries:      -1,
			replies:      []oaitest.Reply{oaitest.Failing(503)},
			wantErr:      "after 1 attempt:",
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oaitest.New(t, tt.replies...)
			c, err := New(Config{BaseURL: srv.URL, Timeout: tt.timeout, MaxRetries: tt.retries}, "test-embed", tt.def)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.CreateEmbeddings(context.Background(), embeddingRequest(1))
			srv.Check(t, err, tt.wantErr, tt.wantRequests)
		})
	}
}

func TestClientSendsTheKey(t *testing.T) {
	for _, tt := range []struct{ name, key, want string }{
		{"the key is sent as a bearer token", "sk-test", "Bearer sk-test"},
		{"no key sends no authorization header", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := oaitest.New(t, oaitest.Reply{Content: "hello"})
			c, err := New(Config{BaseURL: srv.URL, APIKey: tt.key}, "m", Retry{})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.CreateChatCompletion(context.Background(), openai.ChatCompletionRequest{Model: c.Model(),
				Messages: []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "hi"}}})
			if err != nil || len(resp.Choices) != 1 || resp.Choices[0].Message.Content != "hello" {
				t.Fatalf("CreateChatCompletion = %+v, %v; want the reply hello", resp, err)
			}
			if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Auth != tt.want || reqs[0].Path != "/v1/chat/completions" {
				t.Errorf("requests = %+v, want one to /v1/chat/completions with Authorization %q", reqs, tt.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Run("an empty base URL means OpenAI's", func(t *testing.T) {
		c, err := New(Config{}, "m", Retry{})
		if err != nil || c.BaseURL() != DefaultBaseURL {
			t.Fatalf("New(Config{}) = base URL %q, %v; want %q", c.BaseURL(), err, DefaultBaseURL)
		}
	})
	t.Run("zero settings take the caller's defaults", func(t *testing.T) {
		def := Retry{MaxRetries: 4, Timeout: 30 * time.Second, Base: time.Second}
		c, err := New(Config{BaseURL: "http://127.0.0.1:11434/v1"}, "m", def)
		if err != nil || c.Retry() != def || c.BaseURL() != "http://127.0.0.1:11434/v1" {
			t.Fatalf("New = %+v at %q, %v; want %+v", c.Retry(), c.BaseURL(), err, def)
		}
	})
	t.Run("a negative timeout is refused", func(t *testing.T) {
		if _, err := New(Config{Timeout: -time.Second}, "m", Retry{}); err == nil || !strings.Contains(err.Error(), "timeout") {
			t.Fatalf("New with a negative timeout: %v, want an error naming the timeout", err)
		}
	})
	t.Run("a client without a model is refused", func(t *testing.T) {
		if _, err := New(Config{}, "", Retry{}); err == nil || !strings.Contains(err.Error(), "model") {
			t.Fatalf("New without a model: %v, want an error naming the model", err)
		}
	})
}

func TestUnreachableServerIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	c, err := New(Config{BaseURL: "http://" + addr + "/v1"}, "m", Retry{MaxRetries: 1, Base: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateEmbeddings(context.Background(), embeddingRequest(1))
	if err == nil || !strings.Contains(err.Error(), "after 2 attempts:") || !strings.Contains(err.Error(), addr) {
		t.Fatalf("CreateEmbeddings on a closed port: %v, want two attempts and the address", err)
	}
}
