package embed

import (
	"context"
	"math"
	"testing"
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
