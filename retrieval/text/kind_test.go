package text

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		name, a, b  string
		limit, want int
	}{
		{"equal words are 0 apart", "bendigo", "bendigo", 2, 0},
		{"a dropped letter is one edit", "bedigo", "bendigo", 2, 1},
		{"a swap of adjacent letters is one edit", "seig", "sieg", 2, 1},
		{"two substitutions are two edits", "emporer", "emperor", 2, 2},
		{"words further apart than the limit give limit+1", "rhine", "river", 1, 2},
		{"a length gap over the limit gives limit+1 at once", "pan", "pancakes", 2, 3},
		{"letters are counted as runes", "ögedei", "ogedei", 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EditDistance(tt.a, tt.b, tt.limit); got != tt.want {
				t.Errorf("EditDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
			}
		})
	}
}

func TestPairs(t *testing.T) {
	p := Pairs("What is the boiling point of water?")
	if !p[[2]string{"boil", "point"}] || !p[[2]string{"point", "water"}] {
		t.Errorf("Pairs = %v, want {boil point} and {point water}", p)
	}
	if q := Pairs("Roddick has gone off the boil. He gives Nadal three break points."); q[[2]string{"boil", "point"}] {
		t.Errorf("Pairs(off the boil ... break points) = %v: the words are apart, not a phrase", q)
	}
}

func TestSameSense(t *testing.T) {
	tests := []struct {
		name, question, passage, term string
		titleCase                     bool
		want                          bool
	}{
		{"a lower-case word is not matched by a name alone", "How do I make pancakes?", "The award went to foreman Joe Pancake on Friday.", "pancak", false, false},
		{"a lower-case word is matched by the same word in lower case", "How do I make pancakes?", "Mix the flour for the pancakes.", "pancak", false, true},
		{"a sentence's first word matches either case", "How do I make pancakes?", "Pancakes need flour.", "pancak", false, true},
		{"a name is not matched by a part of a compound", "What is the largest city the Rhine runs through?", "Voters in North Rhine-Westphalia go to the polls.", "rhine", false, false},
		{"a name is matched by the name", "What is the largest city the Rhine runs through?", "Cologne lies on the Rhine.", "rhine", false, true},
		{"a name in a question matches a name in a passage", "Where was Victoria first set to be located?", "The colony of Victoria was founded in 1851.", "victoria", false, true},
		{"a title's capitals say nothing", "How do I make pancakes?", "Pancake Day Recipes", "pancak", true, true},
		{"a compound in the question matches its parts", "Who runs North Rhine-Westphalia?", "Voters in North Rhine-Westphalia go to the polls.", "rhine", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, p := Forms(tt.question, false), Forms(tt.passage, tt.titleCase)
			if got := SameSense(q[tt.term], p[tt.term]); got != tt.want {
				t.Errorf("SameSense(%q: %b, %q: %b) = %v, want %v", tt.question, q[tt.term], tt.passage, p[tt.term], got, tt.want)
			}
		})
	}
}

func TestHoldsKind(t *testing.T) {
	q := NewQuestion("When did Apollo 11 land on the Moon?", nil)
	if !q.Read("Apollo 11 landed on the Moon in July 1969.").HoldsKind() {
		t.Error("a sentence with a date does not hold the date a when-question asks for")
	}
	if q.Read("Apollo 11 landed on the Moon with two astronauts.").HoldsKind() {
		t.Error("a sentence without a date holds the date a when-question asks for")
	}
}

func TestLongerNames(t *testing.T) {
	tests := []struct {
		name, question, passage, term string
		want                          bool
	}{
		{"a name followed by another is a longer name", "What city is the capital of Victoria?", "The show opens at the Victoria Palace Theatre in London.", "victoria", true},
		{"a person named after the word is a longer name", "What city is the capital of Victoria?", "One woman, Victoria Lapete, found her sister.", "victoria", true},
		{"the name alone elsewhere in the passage is the name", "What city is the capital of Victoria?", "Victoria Park is in Melbourne, the capital of Victoria.", "victoria", false},
		{"the question's own longer name is the name", "Who was Genghis Khan's father?", "A documentary about the warrior Genghis Khan.", "genghi", false},
		{"a first name before the word leaves the name the same", "What was the title of Polo's book?", "The merchant Marco Polo wrote an account.", "polo", false},
		{"a title after the word leaves the name the same", "What government department did Buyantu shut down?", "The fourth Yuan emperor, Buyantu Khan (Ayurbarwada), was a competent emperor.", "buyantu", false},
		{"a name after the word that is no title is a longer name", "What government department did Buyantu shut down?", "The fourth Yuan emperor, Buyantu Street, was a road.", "buyantu", true},
		{"a comma ends a name", "What city is the capital of Victoria?", "In Victoria, Melbourne is the capital.", "victoria", false},
		{"a lower-case word is no name", "Which river runs alongside Jacksonville?", "The city is on the St. Johns River and the river floods.", "river", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LongerNames(tt.passage, Pairs(tt.question))[tt.term]; got != tt.want {
				t.Errorf("LongerNames(%q)[%q] = %v, want %v", tt.passage, tt.term, got, tt.want)
			}
		})
	}
}
