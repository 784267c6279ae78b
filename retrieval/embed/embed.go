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
