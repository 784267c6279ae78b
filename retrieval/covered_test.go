package retrieval

import "testing"

func TestPassageCoverage(t *testing.T) {
	// boil is rare, water unseen in the collection, point common.
	q := queryTerms{terms: []string{"boil", "point", "water"}, qtf: []float64{1, 1, 1}, idf: []float64{4, 1, 5}, df: []float64{2, 300, 0}}
	tests := []struct {
		name, title, body string
		want              float64
	}{
		{"a passage with every term holds all the weight", "Water", "Water boils at one hundred degrees; that is its boiling point.", 1},
		{"an unseen term counts fully against a passage without it", "Tennis", "Roddick has gone off the boil. He gives Nadal three break points.", 0.5},
		{"a term in the title counts", "Boiling water", "It takes a while.", 0.9},
		{"a passage with none holds nothing", "Budget", "The council approved the budget.", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := passageCoverage(q, tt.title, tt.body); got < tt.want-1e-9 || got > tt.want+1e-9 {
				t.Errorf("passageCoverage = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestQuotedCovers(t *testing.T) {
	q := queryTerms{terms: []string{"boil", "point", "water"}, qtf: []float64{1, 1, 1}, idf: []float64{4, 1, 5}, df: []float64{2, 300, 0}}
	tennis := Result{ChunkID: 1, Title: "Tennis", Text: "Roddick gives Nadal three break points.", Score: 2}
	water := Result{ChunkID: 2, Title: "Water", Text: "Water boils at one hundred degrees at sea level: its boiling point.", Score: 2}
	quoting := func(id int64) *Answer { return &Answer{Covered: true, Citations: []Citation{{N: 1, ChunkID: id}}} }
	tests := []struct {
		name string
		res  []Result
		ans  *Answer
		want bool
	}{
		{"a quote from a passage holding the question covers it", []Result{water, tennis}, quoting(2), true},
		{"a quote from a passage holding only the question's common word does not", []Result{tennis, water}, quoting(1), false},
		{"a quote from a passage the answerer was not given does not", []Result{water}, quoting(9), false},
		{"a best passage scoring under minTopScore does not", []Result{{ChunkID: 2, Title: water.Title, Text: water.Text, Score: minTopScore / 2}}, quoting(2), false},
		{"an answer without citations keeps its own verdict", []Result{water}, &Answer{Covered: false}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quotedCovers(q, tt.res, tt.ans); got != tt.want {
				t.Errorf("quotedCovers = %v, want %v", got, tt.want)
			}
		})
	}
}
