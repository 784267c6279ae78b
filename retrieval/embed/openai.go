package embed

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/footnote-bot/footnote/retrieval/oai"
)

// OpenAIConfig configures an embedder on any OpenAI-compatible /embeddings endpoint
// (OpenAI, Ollama, vLLM, LocalAI, ...). The server's settings are oai.Config's; a zero
// Timeout means 30s and zero MaxRetries means 4.
type OpenAIConfig struct {
	oai.Config
	Model string // required
	// Dims asks the server for vectors of this length (the "dimensions" field); 0 sends no
	// such field and takes the model's default, learned from the first reply.
	Dims      int
	BatchSize int // texts per request; 0 means 64
}

// OpenAI is an Embedder backed by an OpenAI-compatible server. It returns L2-normalised
// vectors, so cosine similarity and inner product agree. It is safe for concurrent use.
type OpenAI struct {
	client    *oai.Client
	reqDims   int
	batchSize int
	dims      atomic.Int64 // reqDims, or learned from the first reply
}

// NewOpenAI returns an embedder for cfg, or an error when cfg.Model is empty or cfg.Dims,
// cfg.BatchSize or cfg.Timeout is negative (a negative cfg.MaxRetries is allowed and means
// no retries). It makes no request.
func NewOpenAI(cfg OpenAIConfig) (*OpenAI, error) {
	if cfg.Dims < 0 || cfg.BatchSize < 0 {
		return nil, errors.New("openai embedder: dims and batch size must not be negative")
	}
	// An import embeds thousands of batches, so it can afford to wait out a rate limit; one
	// batch is quick to answer.
	client, err := oai.New(cfg.Config, cfg.Model, oai.Retry{MaxRetries: 4, Timeout: 30 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("openai embedder: %w", err)
	}
	o := &OpenAI{client: client, reqDims: cfg.Dims, batchSize: cmp.Or(cfg.BatchSize, 64)}
	o.dims.Store(int64(cfg.Dims))
	return o, nil
}

// Model returns the configured model name.
func (o *OpenAI) Model() string { return o.client.Model() }

// Dims returns the configured dimensions, else the length learned from the first reply,
// else 0 (nothing embedded yet). Callers that need the length before the first Embed (to
// pick an embedding space, say) should set FOOTNOTE_EMBED_DIMS (OpenAIConfig.Dims) or call
// Probe.
func (o *OpenAI) Dims() int { return int(o.dims.Load()) }

// Remote reports that the embedder sends texts to a server (embed.Remote): always true.
func (o *OpenAI) Remote() bool { return true }

// Probe embeds a fixed short text once and returns the vector length, which Dims reports
// from then on. It returns 0 and the request's error when the server cannot be reached or
// replies badly.
func (o *OpenAI) Probe(ctx context.Context) (int, error) {
	if _, err := o.Embed(ctx, []string{"dimension probe"}); err != nil {
		return 0, err // Embed's error says what failed; the caller says why it asked
	}
	return o.Dims(), nil
}

// Embed returns one unit-length vector per text, in input order, sending BatchSize texts a
// request. It returns nil, nil for no texts, and nil and an error (no partial results) when
// any batch fails after its retries, when ctx ends, or when a reply is malformed: wrong
// count, out-of-range or repeated index, empty vector, or a length other than Dims.
func (o *OpenAI) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	out := make([][]float32, len(texts))
	for start := 0; start < len(texts); start += o.batchSize {
		end := min(start+o.batchSize, len(texts))
		if err := o.embedBatch(ctx, texts[start:end], out[start:end]); err != nil {
			return nil, fmt.Errorf("embed texts %d-%d of %d with %s: %w", start+1, end, len(texts), o.client.Model(), err)
		}
	}
	return out, nil
}

// embedBatch fills out (len(out) == len(batch)) from one request, retried per oai.Retry.
func (o *OpenAI) embedBatch(ctx context.Context, batch []string, out [][]float32) error {
	req := openai.EmbeddingRequestStrings{
		Input:          batch,
		Model:          openai.EmbeddingModel(o.client.Model()),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
		Dimensions:     o.reqDims, // omitted from the JSON when 0
	}
	resp, err := o.client.CreateEmbeddings(ctx, req)
	if err != nil {
		return err
	}
	if len(resp.Data) != len(batch) {
		return fmt.Errorf("server returned %d vectors for %d texts", len(resp.Data), len(batch))
	}
	clear(out)
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(out) || out[d.Index] != nil {
			return fmt.Errorf("server returned a bad or repeated index %d", d.Index)
		}
		if len(d.Embedding) == 0 {
			return fmt.Errorf("server returned an empty vector at index %d", d.Index)
		}
		// The first reply fixes the length when none was configured.
		o.dims.CompareAndSwap(0, int64(len(d.Embedding)))
		if want := o.Dims(); len(d.Embedding) != want {
			return fmt.Errorf("server returned %d dimensions, want %d", len(d.Embedding), want)
		}
		out[d.Index] = normalize(d.Embedding)
	}
	return nil
}

// normalize scales v to unit length in place and returns it; a zero vector stays zero.
func normalize(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 {
		return v
	}
	inv := 1 / math.Sqrt(sum)
	for i, x := range v {
		v[i] = float32(float64(x) * inv)
	}
	return v
}

var _ Remote = (*OpenAI)(nil)
