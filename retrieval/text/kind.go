package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// HoldsKind reports whether the sentence, beyond the question's own words, holds the kind
// of thing the question asks for (a date for "when", a number for "how many", a name for
// "who"); false when the question asks for no particular kind (AnswerKind gives KindAny).
func (s Sentence) HoldsKind() bool { return s.kind }

// Pairs returns the adjacent pairs of terms of s ("boiling point" gives {boil, point}),
// a hyphenated word's parts included, for telling a phrase of the question from its words
// used apart.
func Pairs(s string) map[[2]string]bool {
	ts := Terms(s)
	m := make(map[[2]string]bool, len(ts))
	for i := 1; i < len(ts); i++ {
		m[[2]string{ts[i-1], ts[i]}] = true
	}
	return m
}

// EditDistance is the optimal string alignment distance between a and b (insertions,
// deletions, substitutions and swaps of adjacent letters each cost 1), counted in runes
// and capped at limit+1: enough to tell a misspelling ("seige", "emporer") from another
// word.
func EditDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}

// Form is a set of the ways a text writes a term: the same word written as a name
// ("Joe Pancake") or inside a compound ("North Rhine-Westphalia") is weak evidence that a
// text is about what a question asks ("pancakes", "the Rhine").
type Form uint8

// Forms of a term.
const (
	FormLower   Form = 1 << iota // in lower case
	FormCapital                  // capitalised, not first in its sentence: a name
	FormInitial                  // capitalised first word of a sentence or a title word: either
	FormPart                     // a part of a hyphenated word
)

// Forms returns, for each term of s, the forms in which s writes it. In a title
// (titleCase), a capital says nothing: its words count as FormInitial.
func Forms(s string, titleCase bool) map[string]Form {
	out := map[string]Form{}
	for _, sp := range Sentences(s) {
		for i, tok := range Tokens(s[sp.Start:sp.End]) {
			surface := s[sp.Start+tok.Start : sp.Start+tok.End]
			var f Form
			switch r, _ := utf8.DecodeRuneInString(surface); {
			case !unicode.IsUpper(r):
				f = FormLower
			case i == 0 || titleCase:
				f = FormInitial
			default:
				f = FormCapital
			}
			ts := TokenTerms(tok)
			for j, t := range ts {
				if strings.Contains(tok.Word, "-") && j < len(ts)-1 {
					out[t] |= FormPart // the last term is the joined word
				} else {
					out[t] |= f
				}
			}
		}
	}
	return out
}

// SameSense reports whether a passage writing a term in forms p can be using it in the sense
// a question writing it in forms q does: a lower-case word is not matched by a name alone,
// nor a word by a part of a compound; a sentence's first word matches either case.
func SameSense(q, p Form) bool {
	switch {
	case p == 0:
		return false
	case q == 0 || q&FormPart != 0 || p&FormInitial != 0:
		return true
	case q&FormInitial != 0:
		return p&(FormLower|FormCapital) != 0
	case q&FormLower != 0 && p&FormLower != 0:
		return true
	case q&FormCapital != 0:
		return p&(FormLower|FormCapital) != 0
	}
	return false
}

// LongerNames returns the terms that s capitalises only at the head of a longer name: a
// capitalised word directly followed by another ("Victoria Tower", "Victoria Palace
// Theatre", "Victoria Lapete"), a pair that keep (the question's own pairs, text.Pairs)
// does not hold. Such a name is another thing than the one word: a passage about Victoria
// Tower is not about Victoria. A term s also writes in lower case, alone, or followed by a
// pair of keep is not returned; nor is a word preceded by a capitalised one ("Marco Polo"
// for "Polo"), since a first name or a title leaves the name the same; nor one followed by
// a title ("Buyantu Khan", "Reza Shah": titles, question.go), for the same reason.
func LongerNames(s string, keep map[[2]string]bool) map[string]bool {
	longer, free := map[string]bool{}, map[string]bool{}
	for _, sp := range Sentences(s) {
		sent := s[sp.Start:sp.End]
		toks := Tokens(sent)
		for i, tok := range toks {
			ts := TokenTerms(tok)
			if len(ts) == 0 {
				continue
			}
			head := false
			if i+1 < len(toks) && capitalised(sent[tok.Start:tok.End]) && capitalised(sent[toks[i+1].Start:toks[i+1].End]) &&
				strings.TrimSpace(sent[tok.End:toks[i+1].Start]) == "" {
				if next := TokenTerms(toks[i+1]); len(next) > 0 && !keep[[2]string{ts[len(ts)-1], next[0]}] && !titles[toks[i+1].Word] {
					head = true
				}
			}
			for _, t := range ts {
				if head {
					longer[t] = true
				} else {
					free[t] = true
				}
			}
		}
	}
	for t := range free {
		delete(longer, t)
	}
	return longer
}

// capitalised reports whether a word as written begins with an upper-case letter.
func capitalised(word string) bool {
	r, _ := utf8.DecodeRuneInString(word)
	return unicode.IsUpper(r)
}

// Words returns, for each term of s, the words s writes it as, each reduced to its base
// by dropping inflection (plural, past, -ing, possessive: "launches", "launched" and
// "launching" all give "launch"). The stemmer joins words of one root but another meaning
// ("successful" and "succession" are both success; "Elders" and "elderly" both elder): a
// passage that holds a question's term only as another word of its root is weak evidence
// that it speaks of what the question asks.
func Words(s string) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, tok := range Tokens(s) {
		// A hyphenated word's terms are its parts' and then the joined word's
		// (appendTerms): each is written as its own part ("lowest" and "ranked" in
		// "lowest-ranked"), not as the whole.
		var parts []string
		if strings.Contains(tok.Word, "-") {
			for _, p := range strings.Split(tok.Word, "-") {
				if p != "" && !IsStop(p) {
					parts = append(parts, p)
				}
			}
		}
		for j, t := range TokenTerms(tok) {
			if out[t] == nil {
				out[t] = map[string]bool{}
			}
			w := tok.Word
			if j < len(parts) {
				w = parts[j]
			} else if parts != nil {
				w = strings.ReplaceAll(w, "-", "")
			}
			out[t][inflectionBase(w)] = true
		}
	}
	return out
}

// SameWord reports whether a text writing a term as the words p (Words) writes it as one
// of the words q: not only as another word of the same root.
func SameWord(q, p map[string]bool) bool {
	for w := range q {
		if p[w] {
			return true
		}
	}
	return len(q) == 0
}

// inflectionBase drops a word's inflection, crudely but the same way for every word:
// possessive, then plural or verb endings, then a final e and a doubled final consonant
// ("making" and "make" both give "mak", "stopped" and "stop" "stop"). An irregular form
// ("ran") gives its base ("run").
func inflectionBase(w string) string {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	if o, ok := ordinals[w]; ok {
		w = o // "3rd" is "third", as Stem reads it
	} else if b, ok := irregular[w]; ok {
		w = b
	}
	// The plural or third person first ("meetings", "studies"), then a verb's ending
	// ("meeting", "studied").
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		w = w[:n-3] + "y"
	case n > 4 && strings.HasSuffix(w, "es") && strings.ContainsAny(w[n-3:n-2], "sxz") || n > 5 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes")):
		w = w[:n-2]
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		w = w[:n-1]
	}
	n = len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ied"):
		w = w[:n-3] + "y"
	case n > 5 && strings.HasSuffix(w, "ing"):
		w = w[:n-3]
	case n > 3 && strings.HasSuffix(w, "ed"):
		w = w[:n-2]
	}
	w = strings.TrimSuffix(w, "e")
	if n := len(w); n > 2 && w[n-1] == w[n-2] && !strings.ContainsAny(w[n-1:], "aeiou") {
		w = w[:n-1]
	}
	return w
}
