// Package oai is footnote's client of OpenAI-compatible servers (OpenAI, Ollama, vLLM,
// LocalAI, ...): one place that builds the go-openai client, bounds each request by a
// timeout and retries what is worth retrying, honouring Retry-After. The embedder
// (retrieval/embed) and the chat answerer (retrieval/answer) both speak through it.
package oai

import (
	"context"
	"errors"
	"net/http"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// DefaultBaseURL is the server a Config with no BaseURL talks to.
const DefaultBaseURL = "https://api.openai.com/v1"

// Config says how to reach an OpenAI-compatible server. The zero Config reaches OpenAI
// without a key, with the caller's defaults for Timeout and MaxRetries (see New).
type Config struct {
	BaseURL    string        // including /v1; "" means DefaultBaseURL
	APIKey     string        // "" sends no Authorization header (Ollama, local servers)
	Timeout    time.Duration // bound on each request attempt; 0 means the caller's default
	MaxRetries int           // retries of a failed request; 0 means the caller's default, negative none
	HTTPClient *http.Client  // nil means a plain client; its own Timeout, if any, also applies
}

// Client sends requests for one model to one OpenAI-compatible server, each attempt
// bounded by the timeout and retried per Retry. It is safe for concurrent use.
type Client struct {
	api     *openai.Client
	model   string
	retry   Retry
	baseURL string
}

// New returns a client of model for cfg. A zero cfg.Timeout or cfg.MaxRetries takes def's
// (each caller knows how long its requests may take and how many retries a user can wait
// for); def's Base and Cap shape the backoff. It fails when model is empty or cfg.Timeout
// is negative, and makes no request.
func New(cfg Config, model string, def Retry) (*Client, error) {
	if model == "" {
		return nil, errors.New("model is required")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("the request timeout must not be negative")
	}
	r := def
	if cfg.Timeout != 0 {
		r.Timeout = cfg.Timeout
	}
	if cfg.MaxRetries != 0 {
		r.MaxRetries = cfg.MaxRetries
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = DefaultBaseURL
	if cfg.BaseURL != "" {
		oc.BaseURL = cfg.BaseURL
	}
	oc.HTTPClient = withRetryAfter(cfg.HTTPClient)
	return &Client{api: openai.NewClientWithConfig(oc), model: model, retry: r, baseURL: oc.BaseURL}, nil
}

// Model returns the model named to New; requests should name it.
func (c *Client) Model() string { return c.model }

// BaseURL returns the server's URL: Config.BaseURL, or DefaultBaseURL.
func (c *Client) BaseURL() string { return c.baseURL }

// Retry returns the policy every request of c follows, defaults filled in.
func (c *Client) Retry() Retry { return c.retry }

// CreateEmbeddings asks the server's /embeddings for req. It returns the reply, or the
// last attempt's error (see Retry.Do) when every attempt fails or ctx ends.
func (c *Client) CreateEmbeddings(ctx context.Context, req openai.EmbeddingRequestStrings) (openai.EmbeddingResponse, error) {
	return retried(ctx, c.retry, c.api.CreateEmbeddings, openai.EmbeddingRequestConverter(req))
}

// CreateChatCompletion asks the server's /chat/completions for req. It returns the reply,
// or the last attempt's error (see Retry.Do) when every attempt fails or ctx ends.
func (c *Client) CreateChatCompletion(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, error) {
	return retried(ctx, c.retry, c.api.CreateChatCompletion, req)
}

// retried runs call(req) under r and returns its last reply and error.
func retried[Req, Resp any](ctx context.Context, r Retry, call func(context.Context, Req) (Resp, error), req Req) (Resp, error) {
	var resp Resp
	err := r.Do(ctx, func(ctx context.Context) error {
		var err error
		resp, err = call(ctx, req)
		return err
	})
	return resp, err
}
