package answer

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// Extractive answers by quoting: it scores every sentence of the top passages against the
// question and returns the best ones, verbatim, as numbered citations. It needs no model and
// no network, and is the fallback whenever an LLM answer fails.
type Extractive struct {
	// Passages is how many of the top passages it reads (default 5).
	Passages int
	// MaxQuotes is how many quotes it returns at most (default 3).
	MaxQuotes int
}

// sentence is one candidate quote.
type sentence struct {
	passage    int // index into the evidence's passages
	start, end int // byte offsets in the passage text
	score      float64
}

// Answer implements retrieval.Answerer. It never fails; with no sentence bearing on the
// question it returns an answer that is not Covered, with the closest sources.
func (x Extractive) Answer(_ context.Context, ev retrieval.Evidence) (*retrieval.Answer, error) {
	np, nq := x.Passages, x.MaxQuotes
	if np <= 0 {
		np = 5
	}
	if nq <= 0 {
		nq = 3
	}
	passages := ev.Passages
	if len(passages) > np {
		passages = passages[:np]
	}
	q := analyse(ev.Question, ev.TermWeights)
	var cands []sentence
	for pi, p := range passages {
		// Passages come ranked; a prior keeps the choice close to the ranking.
		prior := passagePrior * float64(len(passages)-pi) / float64(len(passages))
		spans := text.Sentences(p.Text)
		for i, sp := range spans {
			s := sentence{passage: pi, start: sp.Start, end: sp.End}
			s.score = q.score(p.Text[sp.Start:sp.End], p.Title) + prior
			cands = append(cands, s)
			// A pair of adjacent sentences is a candidate too: the answer is often in the
			// sentence after the one that names the question's subject.
			if i+1 < len(spans) && spans[i+1].End-sp.Start <= maxPair {
				s2 := sentence{passage: pi, start: sp.Start, end: spans[i+1].End}
				s2.score = q.score(p.Text[s2.start:s2.end], p.Title) + prior - pairPenalty
				cands = append(cands, s2)
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	if len(cands) == 0 || cands[0].score < minSentence {
		return &retrieval.Answer{Mode: retrieval.ModeExtractive, Covered: false,
			Text: "The tracked articles do not seem to answer this question.", Closest: first(ev.Passages, 3)}, nil
	}
	best := cands[0].score
	var picked []sentence
	for _, c := range cands {
		if len(picked) == nq || c.score < 0.6*best {
			break
		}
		if overlaps(picked, c) {
			continue
		}
		picked = append(picked, c)
	}
	ans := &retrieval.Answer{Mode: retrieval.ModeExtractive, Covered: true}
	var body strings.Builder
	for i, s := range picked {
		p := passages[s.passage]
		quote := p.Text[s.start:s.end]
		ans.Citations = append(ans.Citations, retrieval.Citation{
			N: i + 1, ChunkID: p.ChunkID, ArticleID: p.ArticleID, URL: p.URL, Title: p.Title,
			Site: p.Site, Published: p.Published, Quote: quote,
			Start: p.Start + s.start, End: p.Start + s.end,
		})
		if i == 0 {
			fmt.Fprintf(&body, "“%s” [%d]", quote, i+1)
		} else {
			fmt.Fprintf(&body, "\n\nSee also: “%s” [%d]", quote, i+1)
		}
	}
	ans.Text = body.String()
	return ans, nil
}

func overlaps(picked []sentence, c sentence) bool {
	for _, p := range picked {
		if p.passage == c.passage && c.start < p.end && p.start < c.end {
			return true
		}
	}
	return false
}

func first(r []retrieval.Result, n int) []retrieval.Result {
	if len(r) > n {
		return r[:n]
	}
	return r
}

// Scoring constants, measured on ../shared/data/squad-dev (README: Quality).
const (
	// passagePrior is the bonus of the top passage's sentences, falling linearly to 0 for
	// the last passage read: the ranking already knows which passage bears on the question.
	passagePrior = 0.08
	// maxPair bounds a two-sentence quote, in bytes; pairPenalty makes a pair win only
	// when its second sentence adds to the match.
	maxPair     = 400
	pairPenalty = 0.02
	// typeBonus rewards a sentence holding the kind of thing the question asks for.
	typeBonus = 0.15
	// pairWeight rewards question words that stand side by side in the sentence too.
	pairWeight = 0.2
	// minSentence is the score under which no sentence is taken to answer the question:
	// under it the answer says the articles do not cover it. On the dev questions, 98% of
	// answerable questions score above it and half of 20 off-topic ones below.
	minSentence = 0.4
)

// question is what the scorer knows of a question.
type question struct {
	terms  map[string]float64 // stem -> weight
	total  float64
	words  map[string]bool    // lower-cased surface words of the question
	pairs  map[[2]string]bool // adjacent question terms ("space station")
	expect answerType
}

type answerType int

const (
	anyType answerType = iota
	timeType
	numberType
	personType
	placeType
)

var (
	yearRe   = regexp.MustCompile(`\b(1[0-9]{3}|20[0-9]{2})s?\b|\b(January|February|March|April|May|June|July|August|September|October|November|December)\b|\bcentur(y|ies)\b`)
	numberRe = regexp.MustCompile(`\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|million|billion|dozen|half)\b`)
)

// analyse reads a question: its weighted terms and the kind of answer it expects.
func analyse(q string, weights map[string]float64) question {
	out := question{terms: map[string]float64{}, words: map[string]bool{}, pairs: map[[2]string]bool{}}
	qt := text.Terms(q)
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
	for _, t := range text.Tokens(q) {
		out.words[t.Word] = true
	}
	lq := strings.ToLower(q)
	switch {
	case strings.HasPrefix(lq, "when") || strings.Contains(lq, "what year") || strings.Contains(lq, "which year") ||
		strings.Contains(lq, "what date") || strings.Contains(lq, "what century") || strings.Contains(lq, "how long ago"):
		out.expect = timeType
	case strings.Contains(lq, "how many") || strings.Contains(lq, "how much") || strings.Contains(lq, "percent") ||
		strings.Contains(lq, "how long") || strings.Contains(lq, "how old") || strings.Contains(lq, "how large") ||
		strings.Contains(lq, "how big") || strings.Contains(lq, "what number") || strings.Contains(lq, "how far"):
		out.expect = numberType
	case strings.HasPrefix(lq, "who") || strings.Contains(lq, " who ") || strings.HasPrefix(lq, "whom"):
		out.expect = personType
	case strings.HasPrefix(lq, "where") || strings.Contains(lq, " where "):
		out.expect = placeType
	}
	return out
}

// score rates one sentence as an answer: the share of the question's weight it holds, a
// bonus when it has the kind of thing the question asks for (a date, a number, a name) that
// the question itself does not, and a penalty when it adds nothing to the question.
func (q question) score(s, title string) float64 {
	if q.total == 0 {
		return 0
	}
	have := map[string]bool{}
	novel := 0
	var novelText strings.Builder
	prev := ""
	pairs := map[[2]string]bool{}
	for _, tok := range text.Tokens(s) {
		for _, t := range text.TokenTerms(tok) {
			have[t] = true
			if q.pairs[[2]string{prev, t}] {
				pairs[[2]string{prev, t}] = true
			}
			prev = t
		}
		if !q.words[tok.Word] && !text.IsStop(tok.Word) {
			novel++
			novelText.WriteString(s[tok.Start:tok.End])
			novelText.WriteByte(' ')
		}
	}
	titleTerms := map[string]bool{}
	for _, t := range text.Terms(title) {
		titleTerms[t] = true
	}
	var got float64
	for t, w := range q.terms {
		switch {
		case have[t]:
			got += w
		case titleTerms[t]:
			// The article's subject, named in its title, is often "it" in the sentence.
			got += 0.5 * w
		}
	}
	sc := got / q.total
	if len(q.pairs) > 0 {
		// Question words in the same order, side by side, are a phrase the sentence shares.
		sc += pairWeight * float64(len(pairs)) / float64(len(q.pairs))
	}
	rest := novelText.String()
	switch q.expect {
	case timeType:
		if yearRe.MatchString(rest) {
			sc += typeBonus
		}
	case numberType:
		if numberRe.MatchString(rest) {
			sc += typeBonus
		}
	case personType, placeType:
		if hasName(rest) {
			sc += typeBonus * 0.7
		}
	}
	if novel < 2 {
		sc -= 0.3 // repeats the question: cannot hold its answer
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
