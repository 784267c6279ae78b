package text

import (
	"regexp"
	"strings"
	"unicode"
)

// Scoring weights for Question.Score, measured on ../shared/data/squad-dev (README: Quality).
const (
	// kindBonus rewards a sentence holding the kind of thing the question asks for.
	kindBonus = 0.15
	// phraseWeight rewards question words that stand side by side in the sentence too.
	phraseWeight = 0.2
	// echoPenalty marks a sentence that adds almost nothing to the question's own words.
	echoPenalty = 0.3
)

// Kind is the kind of answer a question asks for.
type Kind int

// Kinds of answers.
const (
	KindAny Kind = iota
	KindTime
	KindNumber
	KindPerson
	KindPlace
)

var (
	timeRe   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\bcentur(y|ies)\b`)
	numberRe = regexp.MustCompile(`\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half)\b`)
)

// Question is a question read for scoring sentences against it: its weighted terms, its
// phrases and the kind of answer it expects.
type Question struct {
	terms  map[string]float64 // stem -> weight
	total  float64
	words  map[string]bool    // lower-cased surface words of the question
	pairs  map[[2]string]bool // adjacent question terms ("space station")
	expect Kind
}

// NewQuestion reads q. weights gives each term's weight (its IDF in the collection); a
// term missing from it weighs 1.
func NewQuestion(q string, weights map[string]float64) *Question {
	out := &Question{terms: map[string]float64{}, words: map[string]bool{}, pairs: map[[2]string]bool{}}
	qt := Terms(q)
	for i := 1; i < len(qt); i++ {
		out.pairs[[2]string{qt[i-1], qt[i]}] = true
	}
	for _, t := range qt {
		w, ok := weights[t]
		if !ok || w <= 0 {
			w = 1
		}
		out.terms[t] = w
	}
	for _, w := range out.terms {
		out.total += w
	}
	for _, t := range Tokens(q) {
		out.words[t.Word] = true
	}
	out.expect = AnswerKind(q)
	return out
}

// AnswerKind guesses from its wording what kind of answer a question wants.
func AnswerKind(q string) Kind {
	lq := strings.ToLower(q)
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(lq, x) {
				return true
			}
		}
		return false
	}
	switch {
	case strings.HasPrefix(lq, "when") || has("what year", "which year", "what date", "what century", "how long ago"):
		return KindTime
	case has("how many", "how much", "percent", "how long", "how old", "how large", "how big", "what number", "how far"):
		return KindNumber
	case strings.HasPrefix(lq, "who") || has(" who ") || strings.HasPrefix(lq, "whom"):
		return KindPerson
	case strings.HasPrefix(lq, "where") || has(" where "):
		return KindPlace
	}
	return KindAny
}

// Score rates sentence s (of an article titled title) as an answer: the share of the
// question's weight it holds (a term only in the title counts half: the title names what
// "it" is), plus a bonus for the question's phrases it repeats and for holding the kind of
// thing asked for (a date, a number, a name) beyond the question's own words, minus a
// penalty when it adds almost nothing to the question. About 0 to 1.5.
func (q *Question) Score(s, title string) float64 {
	if q.total == 0 {
		return 0
	}
	have := map[string]bool{}
	pairs := map[[2]string]bool{}
	novel := 0
	var novelText strings.Builder
	prev := ""
	for _, tok := range Tokens(s) {
		for _, t := range TokenTerms(tok) {
			have[t] = true
			if q.pairs[[2]string{prev, t}] {
				pairs[[2]string{prev, t}] = true
			}
			prev = t
		}
		if !q.words[tok.Word] && !IsStop(tok.Word) {
			novel++
			novelText.WriteString(s[tok.Start:tok.End])
			novelText.WriteByte(' ')
		}
	}
	var titleTerms map[string]bool
	var got float64
	for t, w := range q.terms {
		if have[t] {
			got += w
			continue
		}
		if titleTerms == nil {
			titleTerms = map[string]bool{}
			for _, tt := range Terms(title) {
				titleTerms[tt] = true
			}
		}
		if titleTerms[t] {
			got += w / 2
		}
	}
	sc := got / q.total
	if len(q.pairs) > 0 {
		sc += phraseWeight * float64(len(pairs)) / float64(len(q.pairs))
	}
	rest := novelText.String()
	switch q.expect {
	case KindTime:
		if timeRe.MatchString(rest) {
			sc += kindBonus
		}
	case KindNumber:
		if numberRe.MatchString(rest) {
			sc += kindBonus
		}
	case KindPerson, KindPlace:
		if hasName(rest) {
			sc += kindBonus * 0.7
		}
	}
	if novel < 2 {
		sc -= echoPenalty // repeats the question: cannot hold its answer
	}
	return sc
}

// hasName reports a capitalised word (a likely name) among words.
func hasName(words string) bool {
	for _, w := range strings.Fields(words) {
		r := []rune(w)
		if len(r) > 1 && unicode.IsUpper(r[0]) {
			return true
		}
	}
	return false
}
