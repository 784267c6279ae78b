package retrieval

import (
	"slices"
	"testing"
)

func TestNotCoveredListsEachArticleOnce(t *testing.T) {
	res := func(ids ...int64) []Result {
		out := make([]Result, len(ids))
		for i, id := range ids {
			out[i] = Result{Rank: i + 1, ChunkID: int64(100 + i), ArticleID: id}
		}
		return out
	}
	tests := []struct {
		name       string
		in         []Result
		wantChunks []int64
	}{
		{"three passages of one article are listed as that article's best passage",
			res(7, 7, 7), []int64{100}},
		{"each article is listed once, by its first passage, in rank order",
			res(7, 7, 8, 7, 9, 10), []int64{100, 102, 104}},
		{"at most three articles are listed", res(1, 2, 3, 4), []int64{100, 101, 102}},
		{"no results list nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ans := NotCovered(tt.in)
			var got []int64
			for _, r := range ans.Closest {
				got = append(got, r.ChunkID)
			}
			if !slices.Equal(got, tt.wantChunks) {
				t.Errorf("closest passages = %v, want %v", got, tt.wantChunks)
			}
			if ans.Covered || len(ans.Citations) > 0 {
				t.Errorf("answer is covered or cites something: %+v", ans)
			}
		})
	}
}
