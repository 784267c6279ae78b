package retrieval

import (
	"math"
	"testing"
)

func TestFuse(t *testing.T) {
	hits := func(ids ...int64) []hit {
		out := make([]hit, len(ids))
		for i, id := range ids {
			out[i] = hit{chunkID: id, score: float64(100 - i)} // arm scores play no part
		}
		return out
	}
	rrf := func(w float64, rank int) float64 { return w / float64(rrfK+rank) }
	tests := []struct {
		name    string
		lists   [][]hit
		weights []float64
		want    []hit
	}{
		{
			name:    "one list keeps its order with reciprocal rank scores",
			lists:   [][]hit{hits(7, 3, 9)},
			weights: []float64{1},
			want:    []hit{{7, rrf(1, 1)}, {3, rrf(1, 2)}, {9, rrf(1, 3)}},
		},
		{
			name:    "a passage in both lists outranks one at the top of only one",
			lists:   [][]hit{hits(1, 2, 3), hits(3, 4, 1)},
			weights: []float64{1, 1},
			want: []hit{
				{1, rrf(1, 1) + rrf(1, 3)},
				{3, rrf(1, 3) + rrf(1, 1)},
				{2, rrf(1, 2)},
				{4, rrf(1, 2)},
			},
		},
		{
			name:    "equal scores are ordered by chunk id",
			lists:   [][]hit{hits(50, 8), hits(20, 9)},
			weights: []float64{1, 1},
			want:    []hit{{20, rrf(1, 1)}, {50, rrf(1, 1)}, {8, rrf(1, 2)}, {9, rrf(1, 2)}},
		},
		{
			name:    "a heavier list's first passage beats a lighter list's first",
			lists:   [][]hit{hits(1, 2), hits(3, 4)},
			weights: []float64{1, 2},
			want:    []hit{{3, rrf(2, 1)}, {4, rrf(2, 2)}, {1, rrf(1, 1)}, {2, rrf(1, 2)}},
		},
		{
			name:    "a lighter list only breaks ties within the heavier one's order",
			lists:   [][]hit{hits(1, 2, 3), hits(3, 2, 1)},
			weights: []float64{1, 0.5},
			want: []hit{
				{1, rrf(1, 1) + rrf(0.5, 3)},
				{2, rrf(1, 2) + rrf(0.5, 2)},
				{3, rrf(1, 3) + rrf(0.5, 1)},
			},
		},
		{
			name:    "an empty arm leaves the other's order alone",
			lists:   [][]hit{hits(5, 6), nil},
			weights: []float64{1, 0.5},
			want:    []hit{{5, rrf(1, 1)}, {6, rrf(1, 2)}},
		},
		{
			name:    "no hits at all fuse to nothing",
			lists:   [][]hit{nil, nil},
			weights: []float64{1, 0.5},
			want:    []hit{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fuse(tt.lists, tt.weights)
			if len(got) != len(tt.want) {
				t.Fatalf("fuse = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i].chunkID != tt.want[i].chunkID || math.Abs(got[i].score-tt.want[i].score) > 1e-12 {
					t.Errorf("fuse = %v,\nwant %v", got, tt.want)
					break
				}
			}
		})
	}
}
