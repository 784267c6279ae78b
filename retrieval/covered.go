package retrieval

import "github.com/footnote-bot/footnote/retrieval/text"

// quotedCovers is the second coverage check, made once the answerer has picked its first
// quote: footnote answers only when
//   - the passage it quotes (with its article's title) holds at least minQuotedCoverage of
//     the question's IDF weight, a word no passage of the collection has counting fully
//     against it ("Rhine" in a collection that never names the Rhine), and
//   - the best passage's rerank score (its best sentence and sentence pair against the
//     question: shared weight, phrases, the kind of answer asked for) reaches minTopScore.
//
// The first check (coverage, before answering) looks at the best of the top passages and
// forgives unseen words by half; this one looks at what is actually quoted, so a quote from
// an unrelated article that shares the question's common words ("off the boil") is refused.
func quotedCovers(q queryTerms, res []Result, ans *Answer) bool {
	if len(ans.Citations) == 0 || len(res) == 0 {
		return ans.Covered
	}
	if res[0].Score < minTopScore {
		return false
	}
	first := ans.Citations[0]
	for _, r := range res {
		if r.ChunkID == first.ChunkID {
			return passageCoverage(q, r.Title, r.Text) >= minQuotedCoverage
		}
	}
	// The answerer quoted something it was not given (it never should): don't vouch for it.
	return false
}

// passageCoverage is the share of the question's IDF weight (times each term's count in the
// question) that one passage and its title hold. Unlike coverage, a term the collection never
// saw counts fully: it is the question's most specific word, and no passage can hold it.
func passageCoverage(q queryTerms, title, body string) float64 {
	has := map[string]bool{}
	for _, s := range []string{title, body} {
		for _, t := range text.Terms(s) {
			has[t] = true
		}
	}
	var total, got float64
	for i, t := range q.terms {
		w := q.idf[i] * q.qtf[i]
		total += w
		if has[t] {
			got += w
		}
	}
	if total == 0 {
		return 0
	}
	return got / total
}
