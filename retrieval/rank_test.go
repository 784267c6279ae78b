package retrieval

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/text"
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

// questionTerms reads question as lookupTerms would, every term held by df passages out
// of ten and weighing idf (by term; 1 when not given).
func questionTerms(question string, df, idf map[string]float64) queryTerms {
	counts, _ := text.Counts(question)
	q := queryTerms{text: question, n: 10}
	for t := range counts {
		q.terms = append(q.terms, t)
	}
	sort.Strings(q.terms)
	for _, t := range q.terms {
		w, ok := idf[t]
		if !ok {
			w = 1
		}
		d, ok := df[t]
		if !ok {
			d = 1
		}
		q.qtf = append(q.qtf, float64(counts[t]))
		q.idf = append(q.idf, w)
		q.df = append(q.df, d)
	}
	return q
}

func TestRerank(t *testing.T) {
	q := questionTerms("When did the moon landing happen?", nil, nil)
	apart := Result{ChunkID: 1, Title: "Night sky", Text: "The moon is bright tonight. A landing strip was built nearby."}
	answers := Result{ChunkID: 2, Title: "Apollo", Text: "Apollo flew many missions. The first moon landing happened in 1969."}
	titled := Result{ChunkID: 3, Title: "Moon", Text: "The landing happened in July 1969, watched by millions."}
	tests := []struct {
		name string
		res  []Result
		lex  map[int64]float64
		want []int64
	}{
		{
			name: "a passage that answers in one sentence outranks a higher BM25 score whose terms lie apart",
			res:  []Result{apart, answers},
			lex:  map[int64]float64{1: 9, 2: 6},
			want: []int64{2, 1},
		},
		{
			name: "between equal passages the higher BM25 score comes first",
			res:  []Result{answers, {ChunkID: 4, Title: answers.Title, Text: answers.Text}},
			lex:  map[int64]float64{2: 5, 4: 6},
			want: []int64{4, 2},
		},
		{
			name: "with no BM25 scores the sentences alone decide",
			res:  []Result{apart, answers},
			lex:  nil,
			want: []int64{2, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, held := rerank(q, append([]Result(nil), tt.res...), tt.lex)
			if len(got) != len(tt.want) || len(held) != len(got) {
				t.Fatalf("rerank returned %d results and %d held sets, want %d", len(got), len(held), len(tt.want))
			}
			for i, id := range tt.want {
				if got[i].ChunkID != id {
					t.Fatalf("rerank order: got chunk %d at %d, want %d", got[i].ChunkID, i, id)
				}
				// Strictly: each case's order reverses its input, which the stable sort
				// does only on different scores.
				if i > 0 && got[i].Score >= got[i-1].Score {
					t.Errorf("chunk %d at %d scores %v, not below %v at %d: scores must fall as ranks rise",
						id, i, got[i].Score, got[i-1].Score, i-1)
				}
			}
		})
	}
	t.Run("the held terms follow the new order and count the title", func(t *testing.T) {
		got, held := rerank(q, []Result{apart, titled}, map[int64]float64{1: 9, 3: 1})
		if got[0].ChunkID != 3 {
			t.Fatalf("got chunk %d first, want 3", got[0].ChunkID)
		}
		moon, landing := text.Stem("moon"), text.Stem("landing")
		if !held[0][moon] || !held[0][landing] {
			t.Errorf("held for chunk 3 = %v, want %q (from the title) and %q", held[0], moon, landing)
		}
		if !held[1][moon] || !held[1][landing] {
			t.Errorf("held for chunk 1 = %v, want %q and %q", held[1], moon, landing)
		}
	})
}

func TestCoverage(t *testing.T) {
	moon, landing := text.Stem("moon"), text.Stem("landing")
	idf := map[string]float64{moon: 3, landing: 1}
	q := questionTerms("moon landing", nil, idf)
	has := func(terms ...string) map[string]bool {
		m := map[string]bool{}
		for _, t := range terms {
			m[t] = true
		}
		return m
	}
	tests := []struct {
		name string
		q    queryTerms
		held []map[string]bool
		want float64
	}{
		{"a passage holding every term covers the whole question", q, []map[string]bool{has(moon, landing)}, 1},
		{"terms are weighed by their IDF", q, []map[string]bool{has(landing)}, 0.25},
		{"the best of the first three passages counts", q, []map[string]bool{has(), has(landing), has(moon)}, 0.75},
		{"terms held by different passages do not add up", q, []map[string]bool{has(moon), has(landing)}, 0.75},
		{"a passage below the first three does not count", q, []map[string]bool{has(), has(), has(), has(moon, landing)}, 0},
		{"a term no passage has counts for half its weight",
			questionTerms("moon landing", map[string]float64{landing: 0}, map[string]float64{moon: 1, landing: 2}),
			[]map[string]bool{has(moon)}, 0.5},
		{"no passages cover nothing", q, nil, 0},
		{"a question without terms covers nothing", queryTerms{}, []map[string]bool{has(moon)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := coverage(tt.q, tt.held); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("coverage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCopies(t *testing.T) {
	story := "The zeppelin moored at the harbour on Friday, and crowds lined the quay to watch it land."
	copyOf := Result{ChunkID: 2, Text: "The zeppelin moored at the harbour on Saturday, and crowds lined the quay to watch it land."}
	other := Result{ChunkID: 3, Text: "Harbour officials said the zeppelin's visit had doubled the number of visitors this week."}
	inside := Result{ChunkID: 4, Text: "crowds lined the quay to watch it land"}
	first := Result{ChunkID: 1, Text: story}
	last := Result{ChunkID: 5, Text: "A second airship is expected in the spring, the council said."}
	ids := func(rs []Result) []int64 {
		var out []int64
		for _, r := range rs {
			out = append(out, r.ChunkID)
		}
		return out
	}
	tests := []struct {
		name string
		res  []Result
		n    int
		want []int64
	}{
		{"a copy with a word changed is left out, the first of the two kept", []Result{first, copyOf, other}, 10, []int64{1, 3}},
		{"a passage whose words all stand in one above it is left out", []Result{first, inside, other}, 10, []int64{1, 3}},
		{"the longer passage below a short one is kept: it adds text", []Result{inside, first}, 10, []int64{4, 1}},
		{"copies do not count towards n", []Result{first, copyOf, inside, other, last}, 2, []int64{1, 3}},
		{"n stops the list", []Result{first, other, last}, 2, []int64{1, 3}},
		{"distinct passages are all kept, in order", []Result{last, other, first}, 10, []int64{5, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c copies
			c.add(tt.res, tt.n)
			if got := ids(c.res); !slices.Equal(got, tt.want) {
				t.Errorf("kept %v, want %v", got, tt.want)
			}
		})
	}
	// A copy of another article is named in the Also of the passage it copies: once per
	// article, never the passage's own article, at most maxAlso.
	t.Run("the articles of the copies left out are named", func(t *testing.T) {
		orig := Result{ChunkID: 1, ArticleID: 10, Text: story, URL: "https://a.example/1"}
		var res []Result
		res = append(res, orig)
		for i := range 8 {
			dup := copyOf
			dup.ChunkID, dup.ArticleID, dup.URL, dup.Site = int64(20+i), int64(20+i), fmt.Sprintf("https://b.example/%d", i), fmt.Sprintf("Site %d", i)
			res = append(res, dup)
			if i == 0 {
				again := dup
				again.ChunkID = 99 // another passage of the same copying article
				res = append(res, again)
			}
		}
		own := copyOf
		own.ChunkID, own.ArticleID = 98, 10 // the original's own article, repeating itself
		res = append(res, own)
		var c copies
		c.add(res, 10)
		if len(c.res) != 1 {
			t.Fatalf("kept %v, want the original alone", ids(c.res))
		}
		var also []int64
		for _, s := range c.res[0].Also {
			also = append(also, s.ArticleID)
		}
		if want := []int64{20, 21, 22, 23, 24}; !slices.Equal(also, want) {
			t.Errorf("Also names articles %v, want %v (each once, in rank order, at most %d)", also, want, maxAlso)
		}
		if s := c.res[0].Also[1]; s.URL != "https://b.example/1" || s.Site != "Site 1" {
			t.Errorf("Also[1] = %+v, want the copy's link and site", s)
		}
	})
	// A second add continues the first: a copy of a passage kept earlier stays out.
	var c copies
	c.add([]Result{first, other}, 10)
	c.add([]Result{copyOf, last}, 10)
	if got := ids(c.res); !slices.Equal(got, []int64{1, 3, 5}) {
		t.Errorf("after two adds kept %v, want [1 3 5]", got)
	}
}
