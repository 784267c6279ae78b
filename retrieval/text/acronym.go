package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Acronyms returns the acronyms a text writes, each as its index term (Terms) mapped to its
// letters in upper case: a word of two to six letters all capitals, or such a word with a
// plural s ("DSMs": term "dsms", letters "DSM"). A question may write as an acronym what an
// article spells out ("Distinguished Service Medal"): ExpansionCount finds that.
func Acronyms(s string) map[string]string {
	var out map[string]string
	eachToken(s, func(_ int, tok Token) {
		w := s[tok.Start:tok.End]
		letters := strings.TrimSuffix(w, "s")
		if len(letters) < 2 || len(letters) > 6 {
			return
		}
		for _, r := range letters {
			if r < 'A' || r > 'Z' {
				return
			}
		}
		terms := Terms(w)
		if len(terms) != 1 {
			return
		}
		if out == nil {
			out = map[string]string{}
		}
		out[terms[0]] = letters
	})
	return out
}

// ExpansionCount counts the places where s spells out an acronym of the given letters: as
// many capitalised words in a row whose initials are those letters, in order ("Apollo
// Applications Program" for AAP); "of", "and", "for" and "the" may stand between them
// without a letter ("Bank for International Settlements" for BIS).
func ExpansionCount(s, letters string) int {
	if letters == "" {
		return 0
	}
	want := []rune(letters)
	toks := Tokens(s)
	n := 0
	for i := 0; i < len(toks); i++ {
		j, k := i, 0
		for j < len(toks) && k < len(want) {
			w := s[toks[j].Start:toks[j].End]
			first, _ := utf8.DecodeRuneInString(w)
			if unicode.IsUpper(first) && first == want[k] {
				j, k = j+1, k+1
				continue
			}
			if k > 0 && connective[toks[j].Word] {
				j++
				continue
			}
			break
		}
		if k == len(want) {
			n++
			i = j - 1
		}
	}
	return n
}

// connective words may stand inside a name spelt out without giving its acronym a letter.
var connective = map[string]bool{"of": true, "and": true, "for": true, "the": true}
