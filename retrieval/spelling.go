package retrieval

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// A question word no passage holds is either the sign of a subject the collection does not
// cover ("Rhine") or a misspelling of one it does ("Bedigo" for Bendigo, "seige",
// "emporer"). The coverage check (signals) tells them apart by looking for collection terms
// a few edits away: a misspelling has a neighbour, a foreign word usually has none.

// minSpellRunes is the shortest term looked up for neighbours: a short stem is within an
// edit or two of hundreds of words, so a neighbour would say nothing. maxSpellEdits is how
// far a neighbour may be, as edits of the stems (a swap of adjacent letters is one edit):
// one for stems under longSpellRunes runes, two from there ("empor" and "emperor"). Set by
// hand from the misspellings of the dev questions, not tuned.
const (
	minSpellRunes  = 4
	longSpellRunes = 5
	maxSpellEdits  = 2
)

// spellLimit is how many edits a neighbour of term may be away; 0 for a term too short to
// look up.
func spellLimit(term string) int {
	switch n := utf8.RuneCountInString(term); {
	case n < minSpellRunes:
		return 0
	case n < longSpellRunes:
		return 1
	default:
		return maxSpellEdits
	}
}

// spellings returns, for each term of q no passage of the collection holds, the
// collection's terms it is likely a misspelling of (nearTerms; a name's only one edit
// away, nameSpellings). The answerer (text.Question.Spell) and the second coverage check
// read the question with them; the reranker and the first check keep to the words as asked.
func (e *Engine) spellings(ctx context.Context, coll string, q queryTerms) (map[string][]string, error) {
	var unseen []string
	for i, t := range q.terms {
		if q.df[i] == 0 {
			unseen = append(unseen, t)
		}
	}
	near, err := e.store.nearTerms(ctx, coll, unseen)
	if err != nil || len(near) == 0 {
		return map[string][]string{}, err
	}
	return nameSpellings(text.Forms(q.text, false), near), nil
}

// nearTerms returns, for each term of unseen long enough to look up, the collection's terms
// within spellLimit edits that begin with the same letter (a misspelling rarely changes the
// first), and for a short plural the stemmer leaves alone ("kgs", "cds") its singular.
// Terms without neighbours are absent from the map.
func (s *Store) nearTerms(ctx context.Context, coll string, unseen []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, t := range unseen {
		limit := spellLimit(t)
		singular := pluralOf(t)
		if limit == 0 && singular == "" {
			continue
		}
		first, size := utf8.DecodeRuneInString(t)
		lo, hi := t[:size], string(first+1)
		vocab, err := s.termsBetween(ctx, coll, lo, hi)
		if err != nil {
			return nil, err
		}
		for _, v := range vocab {
			if v == singular || limit > 0 && v != t && text.EditDistance(t, v, limit) <= limit {
				out[t] = append(out[t], v)
			}
		}
	}
	return out, nil
}

// pluralOf returns the singular of a short term the stemmer leaves in the plural: an
// abbreviation with an s ("kgs" for kg, "mps" for MP), too short for spellLimit to look up.
// It returns "" for any other term.
func pluralOf(term string) string {
	if n := utf8.RuneCountInString(term); n < 3 || n >= minSpellRunes || !strings.HasSuffix(term, "s") {
		return ""
	}
	return strings.TrimSuffix(term, "s")
}
