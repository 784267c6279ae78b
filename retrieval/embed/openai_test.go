package embed

import (
	"context"
	"math"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/oai"
	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

// Retries, timeouts and the key are retrieval/oai's and tested there; these tests cover
// what the embedder adds: batching, dimensions, normalisation and checks of the reply.
func TestOpenAIEmbed(t *testing.T) {
	tests := []struct {
		name         string
		cfg          OpenAIConfig
		replies      []oaitest.Reply
		inputs       []string
		wantErr      string
		wantRequests int
		check        func(t *testing.T, o *OpenAI, reqs []oaitest.Request)
	}{
		{
			name:         "batches keep input order when the server shuffles indexes",
			cfg:          OpenAIConfig{BatchSize: 2},
			inputs:       oaitest.Texts(5),
			wantRequests: 3,
			check: func(t *testing.T, o *OpenAI, reqs []oaitest.Request) {
				if got := len(reqs[2].Body["input"].([]any)); got != 1 {
					t.Errorf("last batch has %d inputs, want 1", got)
				}
				if o.Dims() != 8 {
					t.Errorf("Dims() = %d after the first reply, want 8 (learned)", o.Dims())
				}
			},
		},
		{
			name:         "a rate limit is retried four times by default",
			replies:      []oaitest.Reply{oaitest.Failing(429), oaitest.Failing(429), oaitest.Failing(429), oaitest.Failing(429), {}},
			inputs:       oaitest.Texts(2),
			wantRequests: 5,
		},
		{
			name:         "a failing batch names its texts and the model",
			cfg:          OpenAIConfig{Config: oai.Config{MaxRetries: -1}},
			replies:      []oaitest.Reply{{Status: 400}},
			inputs:       oaitest.Texts(1),
			wantErr:      "embed texts 1-1 of 1 with test-embed: after 1 attempt:",
			wantRequests: 1,
		},
		{
			name:         "dimensions is sent when set",
			cfg:          OpenAIConfig{Dims: 4},
			inputs:       oaitest.Texts(3),
			wantRequests: 1,
			check: func(t *testing.T, o *OpenAI, reqs []oaitest.Request) {
				if got, ok := reqs[0].Body["dimensions"]; !ok || got != float64(4) {
					t.Errorf("dimensions = %v (present %v), want 4", got, ok)
				}
			},
		},
		{
			name:         "dimensions is not sent when unset",
			inputs:       oaitest.Texts(1),
			wantRequests: 1,
			check: func(t *testing.T, o *OpenAI, reqs []oaitest.Request) {
				if got, ok := reqs[0].Body["dimensions"]; ok {
					t.Errorf("dimensions = %v, want no field", got)
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
			srv := oaitest.New(t, tt.replies...)
			cfg := tt.cfg
			cfg.BaseURL, cfg.Model = srv.URL, "test-embed"
			o, err := NewOpenAI(cfg)
			if err != nil {
				t.Fatal(err)
			}
			got, err := o.Embed(context.Background(), tt.inputs)
			if !srv.Check(t, err, tt.wantErr, tt.wantRequests) {
				return
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
				tt.check(t, o, srv.Requests())
			}
		})
	}
}

func TestOpenAIProbe(t *testing.T) {
	srv := oaitest.New(t)
	o, err := NewOpenAI(OpenAIConfig{Config: oai.Config{BaseURL: srv.URL}, Model: "test-embed"})
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

func TestNewOpenAIRefusesBadSettings(t *testing.T) {
	for name, cfg := range map[string]OpenAIConfig{
		"without a model":          {},
		"with negative dimensions": {Model: "m", Dims: -1},
		"with a negative timeout":  {Model: "m", Config: oai.Config{Timeout: -1}},
	} {
		t.Run("NewOpenAI fails "+name, func(t *testing.T) {
			if _, err := NewOpenAI(cfg); err == nil {
				t.Fatal("NewOpenAI succeeded, want an error")
			}
		})
	}
}
