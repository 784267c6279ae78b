package text

import "testing"

func TestAnswerKind(t *testing.T) {
	tests := []struct {
		q    string
		want Kind
	}{
		{"When did the tram line open?", KindTime},
		{"In what year was the council formed?", KindTime},
		{"What year was the bridge built?", KindTime},
		{"How many passengers use the line?", KindNumber},
		{"Who designed the station?", KindPerson},
		{"Where is the depot?", KindPlace},
		{"What did the council approve?", KindAny},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			if got := AnswerKind(tt.q); got != tt.want {
				t.Errorf("AnswerKind(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestQuestionScore(t *testing.T) {
	weights := map[string]float64{"tram": 3, "line": 1, "open": 2, "harbour": 3}
	q := NewQuestion("When did the tram line open?", weights)
	t.Run("a sentence with the terms and a date beats one with the terms alone", func(t *testing.T) {
		dated := q.Score("The tram line will open in March 2028 after years of work.", "")
		undated := q.Score("The tram line will open after years of work and delays.", "")
		if dated <= undated {
			t.Fatalf("dated %.3f <= undated %.3f", dated, undated)
		}
	})
	t.Run("a sentence with more of the question's weight scores higher", func(t *testing.T) {
		more := q.Score("The tram line opened to passengers in 2028.", "")
		less := q.Score("The line opened to passengers in 2028.", "")
		if more <= less {
			t.Fatalf("more %.3f <= less %.3f", more, less)
		}
	})
	t.Run("a term found only in the title counts half", func(t *testing.T) {
		inTitle := q.Score("It will open in 2028 to passengers.", "Harbour tram line")
		noTitle := q.Score("It will open in 2028 to passengers.", "Council news")
		if inTitle <= noTitle {
			t.Fatalf("with title %.3f <= without %.3f", inTitle, noTitle)
		}
	})
	t.Run("a sentence that only repeats the question is penalised", func(t *testing.T) {
		echo := q.Score("When did the tram line open?", "")
		answer := q.Score("The tram line did open in 2028, on time.", "")
		if echo >= answer {
			t.Fatalf("echo %.3f >= answer %.3f", echo, answer)
		}
	})
	t.Run("a question with no terms scores everything zero", func(t *testing.T) {
		if got := NewQuestion("What is it?", nil).Score("Anything at all.", ""); got != 0 {
			t.Fatalf("got %.3f", got)
		}
	})
}

func TestHowManyIsNotAnsweredByAYear(t *testing.T) {
	q := NewQuestion("How many people in Quzhou are descended from Confucius?", nil)
	// Both hold every question term; only the second holds a count.
	year := q.Read("The descendant of Confucius fled to Quzhou, while the Jin dynasty (1115–1234) ruled the north.")
	count := q.Read("Confucius's descendants in Quzhou alone number 30,000.")
	if year.HoldsKind() {
		t.Errorf("a sentence whose only numbers are years holds the count a how-many question asks for")
	}
	if !count.HoldsKind() {
		t.Errorf("a sentence with 30,000 does not hold a count")
	}
	if q.ScoreRead(nil, count) <= q.ScoreRead(nil, year) {
		t.Errorf("the sentence with the count scores %.3f, not above the one with years (%.3f)", q.ScoreRead(nil, count), q.ScoreRead(nil, year))
	}
	// A when question still takes a year.
	if !NewQuestion("When did the Jin dynasty end?", nil).Read("The Jin dynasty (1115–1234) ruled the north.").HoldsKind() {
		t.Errorf("a year does not answer a when question")
	}
}

func TestCarryKeepsTheQuestionsNamesOnly(t *testing.T) {
	q := NewQuestion("What department did Buyantu shut down?", nil)
	prev := q.Read("Buyantu was a competent emperor who shut down many offices.")
	cur := q.Read("He made many reforms, including the liquidation of the Department of State Affairs.")
	got := q.Carry(prev, cur)
	if !got.Holds("buyantu") {
		t.Errorf("the sentence after one naming Buyantu, opening with He, does not hold Buyantu")
	}
	if got.Holds("shut") {
		t.Errorf("a word that is not a name (shut) was carried from the sentence before")
	}
	if cur.Holds("buyantu") {
		t.Errorf("Carry changed the sentence it was given")
	}
	if q.ScoreRead(nil, got) <= q.ScoreRead(nil, cur) {
		t.Errorf("carrying the name did not raise the score: %.3f <= %.3f", q.ScoreRead(nil, got), q.ScoreRead(nil, cur))
	}
}

func TestSentenceInitialCapitalIsNoName(t *testing.T) {
	q := NewQuestion("Who described Kublai's China to Europe?", nil)
	// Its only capitalised word beyond the question's is its first: no name in it.
	if q.Read("Travellers described Kublai's China to Europe at length.").HoldsKind() {
		t.Errorf("a sentence whose only new capital is its first word holds a name")
	}
	if !q.Read("Marco Polo described Kublai's China to Europe.").HoldsKind() {
		t.Errorf("a sentence opening with a name (Marco Polo) holds none")
	}
	if !q.Read("Kublai's China was described to Europe by Polo.").HoldsKind() {
		t.Errorf("a sentence naming Polo after its first word holds no name")
	}
	// A when question still takes a year that opens the sentence.
	if !NewQuestion("When did the Jin dynasty end?", nil).Read("1234 saw the Jin dynasty end.").HoldsKind() {
		t.Errorf("a year opening a sentence does not answer a when question")
	}
}

func TestContextHoldsThePassagesNamesOnly(t *testing.T) {
	q := NewQuestion("What strategy did Jebe use against Kuchlug?", nil)
	read := []Sentence{q.Read("Jebe marched west."), q.Read("The Mongols used a strategy of inciting revolt.")}
	ctx := q.Context(map[string]bool{"kuchlug": true}, read)
	if !ctx["jebe"] || !ctx["kuchlug"] {
		t.Errorf("context %v lacks a name the passage (jebe) or its title (kuchlug) holds", ctx)
	}
	if ctx["strategi"] || ctx["use"] {
		t.Errorf("context %v holds a word that is not a name", ctx)
	}
	if q.ScoreRead(ctx, read[1]) <= q.ScoreRead(nil, read[1]) {
		t.Errorf("the passage's names did not raise the sentence's score")
	}
}

// A misspelt question word ("seige") is read as the collection spells it when Spell has
// its neighbours: the sentence holding "siege" holds the word and the phrase "siege
// warfare". Only neighbours one edit away count, a number never, and Holds (the first
// coverage check's evidence) keeps to the words as asked.
func TestSpellReadsAMisspeltWordAsSpeltRight(t *testing.T) {
	const s = "He adopted new ideas, such as siege warfare from the Chinese."
	q := NewQuestion("From whom did Genghis Khan learn seige warfare in 1219?", nil)
	before := q.Score(s, "")
	q.Spell(map[string][]string{"seig": {"sieg", "seiz"}, "warfar": {"warfare"}, "1219": {"1218"}})
	after := q.Score(s, "")
	if after <= before {
		t.Fatalf("score with spellings %.3f, without %.3f: want higher", after, before)
	}
	r := q.Read(s)
	if !r.spelt["seig"] || r.Holds("seig") {
		t.Fatalf("spelt %v, Holds(seig) %v: want seig spelt, not held", r.spelt, r.Holds("seig"))
	}
	if !r.pairs[[2]string{"seig", "warfar"}] {
		t.Fatalf("pairs %v: want the phrase seige warfare", r.pairs)
	}
	if q.spelt["1218"] != "" {
		t.Fatalf("a number took a spelling: %v", q.spelt)
	}

	far := NewQuestion("What did the emporer fear?", nil)
	far.Spell(map[string][]string{"empor": {"emperor", "empir"}})
	if far.spelt["emperor"] != "" || far.spelt["empir"] != "empor" {
		t.Fatalf("spelt %v: want empir (one edit) only, not emperor (two)", far.spelt)
	}
}

// A word the question writes as a name ("the Judicial Council") is held only half by a
// sentence that writes it in lower case ("the council's school", "co-judicial"): another
// word of the same spelling. A sentence that writes it as a name, or as its first word,
// holds it fully; a title before a name ("President Kennedy") is no name of its own.
func TestNameHeldOnlyInLowerCaseCountsHalf(t *testing.T) {
	weights := map[string]float64{"judici": 4, "council": 3, "term": 2, "member": 1, "long": 1}
	q := NewQuestion("How long is the term of a Judicial Council member?", weights)
	named := q.Read("Each member of the Judicial Council serves a long term.")
	lower := q.Read("Each member of the judicial council serves a long term.")
	first := q.Read("Council members of the Judicial bench serve a long term.")
	if got, want := q.Share(nil, named), 1.0; got != want {
		t.Errorf("named: share %.3f, want %.3f", got, want)
	}
	if got, want := q.Share(nil, lower), (1+2+1+(4+3)/2.0)/11; got != want {
		t.Errorf("lower case: share %.3f, want %.3f (the two names count half)", got, want)
	}
	if got := q.Share(nil, first); got != 1 {
		t.Errorf("a sentence's first word and a name: share %.3f, want 1", got)
	}
	if !lower.Holds("council") {
		t.Error("Holds (the first coverage check's evidence) keeps the word as held")
	}
	// Written both ways in one sentence: held as a name.
	if got := q.Share(nil, q.Read("The council, the Judicial Council, sets a long term for each judicial member.")); got != 1 {
		t.Errorf("both cases: share %.3f, want 1", got)
	}
	// A pronoun sentence carries the names of the one before only as that one holds them.
	if got := q.Share(nil, q.Carry(lower, q.Read("It sets a long term for each member."))); got == 1 {
		t.Errorf("a lower-case name carried as a name: share %.3f", got)
	}

	k := NewQuestion("What was President Kennedy put off by regarding the space program?", map[string]float64{"presid": 2, "kennedi": 5, "space": 1, "program": 1})
	lowerTitle := k.Share(nil, k.Read("Kennedy was elected president after a campaign about space and the program."))
	if upper := k.Share(nil, k.Read("Kennedy was elected President after a campaign about space and the program.")); lowerTitle != upper {
		t.Errorf("a title before a name: share %.3f in lower case, %.3f as a name; want the same", lowerTitle, upper)
	}
}

// The terms an article's first sentence holds weigh half (SetLead): the sentence that only
// echoes the story's words loses share, the one holding the question's other words gains.
func TestSetLeadHalvesTheStorysWords(t *testing.T) {
	q := NewQuestion("Which magistrate granted Nicole Kidman the restraining order?",
		map[string]float64{"magistr": 5, "grant": 2, "nicol": 4, "kidman": 6, "restrain": 4, "order": 1})
	lead := "Actress Nicole Kidman has won a restraining order against two photographers."
	detail := "Magistrate Lee Gilmore, who granted the restraining order, said the photographers had gone too far."
	before := [2]float64{q.Share(nil, q.Read(lead)), q.Share(nil, q.Read(detail))}
	terms := q.LeadTerms(lead)
	for _, want := range []string{"nicol", "kidman", "restrain", "order"} {
		if !terms[want] {
			t.Errorf("LeadTerms(%q) = %v, want %q in it", lead, terms, want)
		}
	}
	q.SetLead(terms)
	after := [2]float64{q.Share(nil, q.Read(lead)), q.Share(nil, q.Read(detail))}
	if !(after[0] < before[0] && after[1] > before[1] && after[1] > after[0]) {
		t.Errorf("shares (lead, detail) %v before SetLead, %v after: want the lead's down, the detail's up and ahead", before, after)
	}
	q.SetLead(nil)
	if got := q.Share(nil, q.Read(lead)); got != before[0] {
		t.Errorf("SetLead(nil): lead's share %v, want %v again", got, before[0])
	}
}

// A number after a capitalised word is part of a name ("Shrek 2"): it does not answer "how
// many", and the sentence with the count does.
func TestANumberInANameIsNoCount(t *testing.T) {
	q := NewQuestion("How many awards did The Incredibles win at the Annies?", nil)
	for s, want := range map[string]bool{
		"The Incredibles movie has beaten Shrek 2 to the main prizes at Hollywood's animation awards.": false,
		"The Incredibles won a total of 10 awards at the ceremony.":                                    true,
		"Apollo 13 was the oldest of the 25 films nominated.":                                          true, // 25
	} {
		if got := q.Read(s).HoldsKind(); got != want {
			t.Errorf("Read(%q).HoldsKind() = %v, want %v", s, got, want)
		}
	}
}
