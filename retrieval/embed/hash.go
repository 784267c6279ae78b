package embed

import (
	"context"
	"math"
	"sync"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// HashModel names the offline embedder's model; a change to its features must change the
// name, so that stored vectors of the old features are never compared with new ones.
const HashModel = "footnote-hash-v2"

// Hash is the offline default embedder: feature hashing of stemmed words, word pairs and
// character n-grams into a fixed number of signed dimensions, L2-normalised. It is
// deterministic, needs no download and no network, and costs microseconds per passage.
//
// It is not a semantic model: it only knows which words (and word pieces) two texts share,
// so "car" and "automobile" are unrelated to it. The character n-grams make it forgiving of
// inflections and typos that stemming misses, and the word pairs reward shared phrases.
type Hash struct{ dims int }

// NewHash returns a hashing embedder of dims dimensions (256 when dims <= 0).
func NewHash(dims int) *Hash {
	if dims <= 0 {
		dims = 256
	}
	return &Hash{dims: dims}
}

// Model returns HashModel.
func (h *Hash) Model() string { return HashModel }

// Dims returns the vector length.
func (h *Hash) Dims() int { return h.dims }

// Embed returns one unit vector per text (a zero vector for a text with no words). It never
// fails except when ctx is done.
func (h *Hash) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		out[i] = h.vector(t)
	}
	return out, nil
}

// Feature weights, relative to a word's.
const (
	pairWeight  = 0.6
	ngramWeight = 0.35
)

// hashScratch is one vector's working memory, reused (hashScratches): an import embeds
// every passage, and a fresh map and accumulator per passage were an eighth of a
// 280k-article import's allocations, garbage the collector had to keep up with.
type hashScratch struct {
	acc    []float64
	counts map[uint64]float64
	gram   []rune
}

var hashScratches = sync.Pool{New: func() any { return &hashScratch{counts: map[uint64]float64{}} }}

func (h *Hash) vector(s string) []float32 {
	sc := hashScratches.Get().(*hashScratch)
	defer hashScratches.Put(sc)
	clear(sc.counts)
	if cap(sc.acc) < h.dims {
		sc.acc = make([]float64, h.dims)
	}
	acc := sc.acc[:h.dims]
	clear(acc)
	terms := text.Terms(s)
	// Features are counted by their 64-bit FNV-1a hash, computed over the feature's string
	// ("w:"+word, "p:"+a+" "+b, "g:"+4-gram) piece by piece without building it: the same
	// dimension and sign as hashing the string.
	counts := sc.counts
	gram := sc.gram
	defer func() { sc.gram = gram[:0] }()
	for i, t := range terms {
		counts[fnvString(fnvString(fnvOffset, "w:"), t)]++
		if i > 0 {
			counts[fnvString(fnvString(fnvString(fnvString(fnvOffset, "p:"), terms[i-1]), " "), t)] += pairWeight
		}
		// Character 4-grams of the stem with boundary marks ("^melb", "bour", "urn$").
		gram = append(append(append(gram[:0], '^'), []rune(t)...), '$')
		if len(gram) <= 4 {
			counts[fnvRunes(fnvString(fnvOffset, "g:"), gram)] += ngramWeight
			continue
		}
		w := ngramWeight / float64(len(gram)-3)
		for j := 0; j+4 <= len(gram); j++ {
			counts[fnvRunes(fnvString(fnvOffset, "g:"), gram[j:j+4])] += w * 2
		}
	}
	for x, c := range counts {
		idx := int(x % uint64(h.dims))
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		acc[idx] += sign * sublinear(c)
	}
	var norm float64
	for _, v := range acc {
		norm += v * v
	}
	out := make([]float32, h.dims)
	if norm == 0 {
		return out
	}
	norm = math.Sqrt(norm)
	for i, v := range acc {
		out[i] = float32(v / norm)
	}
	return out
}

// FNV-1a, 64 bits (hash/fnv's New64a), over pieces of a feature.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvString continues FNV-1a hash h over the bytes of s.
func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// fnvRunes continues FNV-1a hash h over the UTF-8 bytes of r.
func fnvRunes(h uint64, r []rune) uint64 {
	var buf [utf8.UTFMax]byte
	for _, c := range r {
		n := utf8.EncodeRune(buf[:], c)
		for _, b := range buf[:n] {
			h ^= uint64(b)
			h *= fnvPrime
		}
	}
	return h
}

// sublinear damps repeated features: a word said ten times is not ten times the evidence.
// Weights under one (pairs, n-grams seen once) are kept as they are.
func sublinear(c float64) float64 {
	if c <= 1 {
		return c
	}
	return 1 + math.Log(c)
}
