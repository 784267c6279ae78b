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
		// Earlier passages ranked higher; a small prior keeps ties with the ranking.
		prior := 0.08 * float64(len(passages)-pi) / float64(len(passages))
		for _, sp := range text.Sentences(p.Text) {
			s := sentence{passage: pi, start: sp.Start, end: sp.End}
			s.score = q.score(p.Text[sp.Start:sp.End], p.Title) + prior
			cands = append(cands, s)
		}
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	if len(cands) == 0 || cands[0].score < 0.15 {
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
		picked = append(picked, widen(passages[c.passage].Text, c))
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

// widen joins a short sentence with its neighbour in the same passage, so a quote carries
// enough context to be read on its own ("It opened in 1854." says little alone).
func widen(passage string, s sentence) sentence {
	const short = 90
	if s.end-s.start >= short {
		return s
	}
	spans := text.Sentences(passage)
	for i, sp := range spans {
		if sp.Start != s.start {
			continue
		}
		if i > 0 && spans[i-1].End-spans[i-1].Start < 2*short {
			s.start = spans[i-1].Start
		} else if i+1 < len(spans) && spans[i+1].End-spans[i+1].Start < 2*short {
			s.end = spans[i+1].End
		}
		break
	}
	return s
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

// question is what the scorer knows of a question.
type question struct {
	terms  map[string]float64 // stem -> weight
	total  float64
	words  map[string]bool // lower-cased surface words of the question
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
	out := question{terms: map[string]float64{}, words: map[string]bool{}}
	for _, t := range text.Terms(q) {
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
	for _, tok := range text.Tokens(s) {
		for _, t := range text.TokenTerms(tok) {
			have[t] = true
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
	rest := novelText.String()
	switch q.expect {
	case timeType:
		if yearRe.MatchString(rest) {
			sc += 0.15
		}
	case numberType:
		if numberRe.MatchString(rest) {
			sc += 0.15
		}
	case personType, placeType:
		if hasName(rest) {
			sc += 0.1
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
