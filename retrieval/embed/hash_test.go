package embed

import (
	"context"
	"hash/fnv"
	"math"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/text"
)

func cosine(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

func TestHashIsDeterministic(t *testing.T) {
	h := NewHash(256)
	texts := []string{"The council approved the tram line.", "Prices rose 3% in March."}
	a, err := h.Embed(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewHash(256).Embed(context.Background(), texts)
	for i := range a {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("text %d dim %d: %v then %v", i, j, a[i][j], b[i][j])
			}
		}
	}
}

func TestHashVectors(t *testing.T) {
	h := NewHash(384)
	v, _ := h.Embed(context.Background(), []string{
		"Melbourne is the sporting capital of Australia",
		"Which city is the sporting capital of Australia?",
		"The central bank raised interest rates again",
		"",
	})
	t.Run("vectors are unit length and of the configured size", func(t *testing.T) {
		for i, x := range v[:3] {
			if len(x) != 384 {
				t.Fatalf("vector %d has %d dims", i, len(x))
			}
			if n := math.Sqrt(cosine(x, x)); math.Abs(n-1) > 1e-5 {
				t.Fatalf("vector %d has norm %v", i, n)
			}
		}
	})
	t.Run("a text with no words is the zero vector", func(t *testing.T) {
		if cosine(v[3], v[3]) != 0 {
			t.Fatal("empty text has a non-zero vector")
		}
	})
	t.Run("texts sharing words are closer than unrelated texts", func(t *testing.T) {
		if near, far := cosine(v[0], v[1]), cosine(v[0], v[2]); near <= far+0.2 {
			t.Fatalf("related %.3f not well above unrelated %.3f", near, far)
		}
	})
}

func TestHashHonoursCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewHash(8).Embed(ctx, []string{"a"}); err == nil {
		t.Fatal("no error from a cancelled context")
	}
}

// stringFeatureVector is Hash.vector as first written, hashing each feature's string: the
// reference the allocation-free hashing must match.
func stringFeatureVector(dims int, s string) []float32 {
	acc := make([]float64, dims)
	terms := text.Terms(s)
	counts := map[string]float64{}
	for i, t := range terms {
		counts["w:"+t]++
		if i > 0 {
			counts["p:"+terms[i-1]+" "+t] += pairWeight
		}
		padded := "^" + t + "$"
		r := []rune(padded)
		if len(r) <= 4 {
			counts["g:"+padded] += ngramWeight
			continue
		}
		w := ngramWeight / float64(len(r)-3)
		for j := 0; j+4 <= len(r); j++ {
			counts["g:"+string(r[j:j+4])] += w * 2
		}
	}
	for f, c := range counts {
		hv := fnv.New64a()
		hv.Write([]byte(f))
		x := hv.Sum64()
		sign := 1.0
		if x>>63 == 1 {
			sign = -1
		}
		acc[int(x%uint64(dims))] += sign * sublinear(c)
	}
	var norm float64
	for _, v := range acc {
		norm += v * v
	}
	out := make([]float32, dims)
	if norm == 0 {
		return out
	}
	for i, v := range acc {
		out[i] = float32(v / math.Sqrt(norm))
	}
	return out
}

func TestHashVectorsMatchHashingEachFeaturesString(t *testing.T) {
	h := NewHash(256)
	for _, tc := range []struct{ name, text string }{
		{"plain English words, pairs and n-grams", "The Melbourne ferry crosses the bay every morning with 300 passengers."},
		{"short words give whole padded grams", "a an at I"},
		{"non-ASCII letters are hashed as UTF-8", "Zürich's café naïve Ελληνικά 東京"},
		{"a text with no words is the zero vector", "  ...  "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, want := h.vector(tc.text), stringFeatureVector(256, tc.text)
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Fatalf("dimension %d = %v, want %v", i, got[i], want[i])
				}
			}
		})
	}
}
