// Package embed turns passages into vectors: an offline hashing embedder (the default) and an
// OpenAI-compatible client (through retrieval/oai).
package embed

import "context"

// Embedder maps texts to vectors of Dims() dimensions, in input order.
type Embedder interface {
	// Embed returns one vector per text, or an error (no partial results).
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	// Model names the model; with Dims it identifies an embedding space.
	Model() string
	// Dims is the length of every vector Embed returns.
	Dims() int
}

// Remote is implemented by embedders that send texts to a model server (OpenAI), which
// counts, and often bills, them in tokens: a reindex says how many it will send before it
// sends them. The offline embedder is not Remote.
type Remote interface {
	Embedder
	// Remote reports whether Embed sends texts to a server.
	Remote() bool
}

// CharsPerToken is the rule of thumb for English text under OpenAI's tokenisers: about four
// characters a token. EstimateTokens divides by it; real counts run higher for other
// languages, numbers and code, so an estimate is a size, not a quote.
const CharsPerToken = 4

// EstimateTokens returns about how many tokens chars characters of text make (rounded up).
func EstimateTokens(chars int64) int64 {
	return (chars + CharsPerToken - 1) / CharsPerToken
}
