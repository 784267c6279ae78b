package retrieval

import (
	"context"
	"fmt"
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

// nearTerms returns, for each term of unseen long enough to look up, the collection's terms
// within spellLimit edits that begin with the same letter (a misspelling rarely changes the
// first). Terms without neighbours are absent from the map.
func (s *Store) nearTerms(ctx context.Context, coll string, unseen []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, t := range unseen {
		limit := spellLimit(t)
		if limit == 0 {
			continue
		}
		first, size := utf8.DecodeRuneInString(t)
		lo, hi := t[:size], string(first+1)
		vocab, err := s.termsBetween(ctx, coll, lo, hi)
		if err != nil {
			return nil, err
		}
		for _, v := range vocab {
			if v != t && text.EditDistance(t, v, limit) <= limit {
				out[t] = append(out[t], v)
			}
		}
	}
	return out, nil
}

// maxVocabScan bounds the terms read for one unseen word (a collection of a few thousand
// articles has a few thousand terms per first letter).
const maxVocabScan = 20000

// termsBetween lists the collection's distinct terms in [lo, hi). postings' primary key
// (collection, term, chunk_id) has one entry per passage holding a term, so the query skips
// from term to term (a loose index scan: one index probe per distinct term) instead of
// reading every posting.
func (s *Store) termsBetween(ctx context.Context, coll, lo, hi string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		WITH RECURSIVE t(term) AS (
			(SELECT term FROM postings WHERE collection = $1 AND term >= $2 AND term < $3
			 ORDER BY term LIMIT 1)
			UNION ALL
			SELECT (SELECT p.term FROM postings p
			        WHERE p.collection = $1 AND p.term > t.term AND p.term < $3
			        ORDER BY p.term LIMIT 1)
			FROM t WHERE t.term IS NOT NULL
		)
		SELECT term FROM t WHERE term IS NOT NULL LIMIT $4`, coll, lo, hi, maxVocabScan)
	if err != nil {
		return nil, fmt.Errorf("list terms near %q: %w", lo, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("list terms near %q: %w", lo, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list terms near %q: %w", lo, err)
	}
	return out, nil
}

// articleTerms returns which of terms some passage of the article holds (titles are indexed
// with their passages). It reads the article's postings through chunks' (article_id,
// ordinal) key and postings' chunk index: a few dozen rows per passage.
func (s *Store) articleTerms(ctx context.Context, coll string, articleID int64, terms []string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT p.term
		FROM chunks c JOIN postings p ON p.chunk_id = c.id
		WHERE c.article_id = $1 AND c.collection = $2 AND p.term = ANY($3::text[])`, articleID, coll, terms)
	if err != nil {
		return nil, fmt.Errorf("read terms of article %d: %w", articleID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("read terms of article %d: %w", articleID, err)
		}
		out[t] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read terms of article %d: %w", articleID, err)
	}
	return out, nil
}
