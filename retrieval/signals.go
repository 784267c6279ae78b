package retrieval

import (
	"context"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// Signals describe how well the passage an answer quotes first holds its question. The
// second coverage check (after the answerer has picked its quote) weighs them with a
// logistic model whose coefficients (coverBias, coverW*, rank.go) are fitted by `footnote
// calibrate` on the signals `footnote eval --signals` records; an answer whose weighted sum
// is below 0 cites nothing. Shares are of the question's IDF weight (a term's IDF in the
// collection times its count in the question).
type Signals struct {
	// Passage is the share the quoted passage and its article's title hold. A question
	// word no passage of the collection has counts fully against it, unless it is a
	// likely misspelling (a collection term a few edits away) that the passage holds.
	Passage float64 `json:"passage"`
	// Quote is the share the quoted text itself holds, on the same terms.
	Quote float64 `json:"quote"`
	// Article is the share the whole quoted article holds: an article about the
	// question's subject holds its words somewhere, one that mentions it in passing not.
	Article float64 `json:"article"`
	// Repeated is the share the article holds at least twice (its title and body): an
	// article about the question's subject repeats its words, one that uses them in
	// passing ("fat-cat salaries" for "Why do cats purr?") says each once.
	Repeated float64 `json:"repeated"`
	// Rarest is the IDF of the rarest question term the passage and title lack, as a share
	// of the question's highest IDF: 1 when its most specific word is missing, 0 when none is.
	Rarest float64 `json:"rarest_missing"`
	// Phrases is the share of the question's adjacent term pairs ("boiling point") that
	// stand side by side in the passage or title too; 1 for a question without pairs.
	Phrases float64 `json:"phrases"`
	// KindMissing is 1 when the question asks for a kind of answer (a date, a number, a
	// name; text.AnswerKind) that the quote does not hold beyond the question's words.
	KindMissing float64 `json:"kind_missing"`
	// Top is the best passage's rerank score; Margin how far it stands above the second's.
	Top    float64 `json:"top"`
	Margin float64 `json:"margin"`
	// Weak is the share held by the passage only in another sense than the question's:
	// as a name where the question writes the word in lower case ("Joe Pancake" for
	// "pancakes"), inside a compound ("North Rhine-Westphalia" for "the Rhine"), for
	// a name of the question, only at the head of a longer name ("Victoria Tower" for
	// Victoria; text.LongerNames), or only as another word of the same root (text.Words:
	// "succession" for "successful", "Elderly" for "Elders"; the stemmer joins them, their
	// meanings differ).
	Weak float64 `json:"weak"`
	// Unseen is the share of question words no passage holds and no collection term
	// is a few edits from (not a misspelling: a subject the collection lacks).
	Unseen float64 `json:"unseen"`
	// Names is the share of the question's names and numbers (words it capitalises,
	// terms with a digit; isName) the passage and title hold; Words the share of its
	// other words. A question names its subject and asks something about it:
	// a passage that holds the subject but none of what is asked ("a documentary about
	// Genghis Khan" for "Who was Genghis Khan's father?"), or what is asked about another
	// subject ("a youth named CJ sets out on missions" for "Who named the Apollo
	// missions?"), does not answer it. Each is 1 when the question has no such term.
	Names float64 `json:"names"`
	Words float64 `json:"words"`
	// Semantic is the cosine between the question and the quote as a sentence encoder
	// (Config.Judge) reads them: words do not tell a boiling point from "off the boil", nor
	// "turned over to" from "surrendered", and a sentence encoder does. Judged says it was
	// measured; an answer without it (no judge, or the judge failed) is weighed by the
	// model without it.
	Semantic float64 `json:"semantic,omitempty"`
	Judged   bool    `json:"judged,omitempty"`
}

// Vector returns the signals in the order of coverWeights.
func (s Signals) Vector() []float64 {
	return []float64{s.Passage, s.Quote, s.Article, s.Rarest, s.Phrases, s.KindMissing, s.Top, s.Margin, s.Unseen, s.Weak, s.Names, s.Words, s.Repeated}
}

// SignalNames names the entries of Signals.Vector, as the constants of rank.go do.
var SignalNames = []string{"Passage", "Quote", "Article", "Rarest", "Phrases", "KindMissing", "Top", "Margin", "Unseen", "Weak", "Names", "Words", "Repeated"}

// SignalSigns is the direction each signal is meant to push, in Vector's order: +1 when more
// of it is evidence the quote answers, -1 when it is evidence against. The fitter keeps
// every coefficient on its side (a signal whose fitted sign comes out wrong, an artefact
// of correlated signals, is left out), so the check stays monotone: more of the question in
// the quote never turns an answer into a refusal.
var SignalSigns = []float64{+1, +1, +1, -1, +1, -1, +1, +1, -1, -1, +1, +1, +1}

// JudgedVector is Vector with Semantic last: the inputs of the judged model.
func (s Signals) JudgedVector() []float64 { return append(s.Vector(), s.Semantic) }

// JudgedSignalNames and JudgedSignalSigns are SignalNames and SignalSigns for JudgedVector.
var (
	JudgedSignalNames = append(slices.Clone(SignalNames), "Semantic")
	JudgedSignalSigns = append(slices.Clone(SignalSigns), +1)
)

// coverWeights are the model's coefficients, in Vector's order; coverJudgedWeights the
// judged model's, in JudgedVector's.
var (
	coverWeights       = [...]float64{coverWPassage, coverWQuote, coverWArticle, coverWRarest, coverWPhrases, coverWKindMissing, coverWTop, coverWMargin, coverWUnseen, coverWWeak, coverWNames, coverWWords, coverWRepeated}
	coverJudgedWeights = [...]float64{coverJudgedWPassage, coverJudgedWQuote, coverJudgedWArticle, coverJudgedWRarest, coverJudgedWPhrases, coverJudgedWKindMissing, coverJudgedWTop, coverJudgedWMargin, coverJudgedWUnseen, coverJudgedWWeak, coverJudgedWNames, coverJudgedWWords, coverJudgedWRepeated, coverJudgedWSemantic}
)

// CoverScore is the model's log-odds that the answer is covered: coverBias plus the
// weighted signals, or, when the answer was judged, the judged model's. The answer is
// kept when it is at least 0.
func (s Signals) CoverScore() float64 {
	if s.Judged {
		z := coverJudgedBias
		for i, v := range s.JudgedVector() {
			z += coverJudgedWeights[i] * v
		}
		return z
	}
	z := coverBias
	for i, v := range s.Vector() {
		z += coverWeights[i] * v
	}
	return z
}

// HoldsTopic reports whether the quoted passage holds something of each part of a request's
// topic: of its names, and of its other words. "Tell me about German rivers" is not answered
// by a passage on German unemployment. A topic, unlike a question, has no words that merely
// ask (whose paraphrase an answer may lack), so this needs no fitting: a passage about the
// topic holds some of every part of it.
func (s Signals) HoldsTopic() bool { return s.Names > 0 && s.Words > 0 }

// Refused reports whether the answer cites nothing, or would have been refused by the
// second coverage check had it not been asked with AskOptions.KeepQuote.
func (a *Answer) Refused() bool {
	return len(a.Citations) == 0 || (a.Signals != nil && a.Signals.CoverScore() < 0)
}

// quoteSignals measures the answer's first quote against the question. ok is false when the
// answer quotes a passage it was not given (it never should): nothing vouches for it then.
func (e *Engine) quoteSignals(ctx context.Context, coll string, q queryTerms, res []Result, ans *Answer) (Signals, bool, error) {
	if len(ans.Citations) == 0 || len(res) == 0 {
		return Signals{}, false, nil
	}
	near := q.near
	if near == nil {
		var err error
		if near, err = e.spellings(ctx, coll, q); err != nil {
			return Signals{}, false, err
		}
	}
	title, body, err := e.store.articleText(ctx, coll, ans.Citations[0].ArticleID)
	if err != nil {
		return Signals{}, false, err
	}
	// One article's text, indexed again: under a millisecond for a news story or a
	// Wikipedia article, about 45 ms at the 2 MiB an article may hold (MaxArticleBytes).
	// Only the question's terms and their likely spellings are counted: nothing else is read.
	want := map[string]bool{}
	for _, t := range q.terms {
		want[t] = true
		for _, v := range near[t] {
			want[v] = true
		}
	}
	article := termCounts(want, title, body)
	for t, letters := range text.Acronyms(q.text) {
		article[t] += text.ExpansionCount(title, letters) + text.ExpansionCount(body, letters)
	}
	s, ok := signals(q, near, res, ans.Citations[0], article)
	return s, ok, nil
}

// signals computes Signals for a first citation c among the ranked passages res; near maps
// each unseen question term to its likely correct spellings in the collection, a name's
// already cut to one edit (Engine.spellings, nameSpellings), article counts the terms of its
// article (title and body; termCounts).
func signals(q queryTerms, near map[string][]string, res []Result, c Citation, article map[string]int) (Signals, bool) {
	var quoted *Result
	for i := range res {
		if res[i].ChunkID == c.ChunkID {
			quoted = &res[i]
			break
		}
	}
	if quoted == nil {
		return Signals{}, false
	}
	var s Signals
	s.Top = res[0].Score
	if len(res) > 1 {
		s.Margin = res[0].Score - res[1].Score
	}
	passage := termSet(quoted.Title, quoted.Text)
	qForms, pForms := text.Forms(q.text, false), text.Forms(quoted.Text, false)
	qWords, pWords := text.Words(q.text), text.Words(quoted.Title+"\n"+quoted.Text)
	for t, f := range text.Forms(quoted.Title, true) {
		pForms[t] |= f
	}
	quote := termSet(c.Quote)
	// An acronym of the question ("DSMs") is held where the text spells it out
	// ("Distinguished Service Medals"): articles name a thing in full, members type its
	// initials.
	expanded := map[string]bool{}
	for t, letters := range text.Acronyms(q.text) {
		if !passage[t] && text.ExpansionCount(quoted.Title, letters)+text.ExpansionCount(quoted.Text, letters) > 0 {
			passage[t], expanded[t] = true, true
		}
		if !quote[t] && text.ExpansionCount(c.Quote, letters) > 0 {
			quote[t] = true
		}
	}
	title, longer := termSet(quoted.Title), text.LongerNames(quoted.Text, text.Pairs(q.text))
	// times is how many times the article holds question term i, as asked or as one of its
	// likely correct spellings.
	times := func(counts map[string]int, i int) int {
		n := counts[q.terms[i]]
		for _, v := range near[q.terms[i]] {
			n += counts[v]
		}
		return n
	}
	holds := func(set map[string]bool, i int) bool {
		if set[q.terms[i]] {
			return true
		}
		for _, v := range near[q.terms[i]] {
			if set[v] {
				return true
			}
		}
		return false
	}
	var total, maxIDF, rarest, names, words, namesHeld, wordsHeld float64
	for i := range q.terms {
		w := q.idf[i] * q.qtf[i]
		total += w
		name := isName(q.terms[i], qForms[q.terms[i]])
		if name {
			names += w
		} else {
			words += w
		}
		maxIDF = max(maxIDF, q.idf[i])
		if q.df[i] == 0 && len(near[q.terms[i]]) == 0 && !expanded[q.terms[i]] {
			s.Unseen += w
		}
		if holds(passage, i) {
			s.Passage += w
			if name {
				namesHeld += w
			} else {
				wordsHeld += w
			}
			if t := q.terms[i]; passage[t] && !expanded[t] && (!text.SameSense(qForms[t], pForms[t]) || name && longer[t] && !title[t] || !text.SameWord(qWords[t], pWords[t])) {
				s.Weak += w
			}
		} else {
			rarest = max(rarest, q.idf[i])
		}
		if holds(quote, i) {
			s.Quote += w
		}
		if n := times(article, i); n > 0 {
			s.Article += w
			if n > 1 {
				s.Repeated += w
			}
		}
	}
	if total == 0 || maxIDF == 0 {
		return Signals{}, false
	}
	s.Passage, s.Quote, s.Article, s.Repeated, s.Unseen, s.Weak = s.Passage/total, s.Quote/total, s.Article/total, s.Repeated/total, s.Unseen/total, s.Weak/total
	s.Rarest = rarest / maxIDF
	s.Names, s.Words = partShare(namesHeld, names), partShare(wordsHeld, words)
	s.Phrases = phraseShare(q.text, quoted.Title, quoted.Text)
	if text.AnswerKind(q.text) != text.KindAny && !text.NewQuestion(q.text, q.weights()).Read(c.Quote).HoldsKind() {
		s.KindMissing = 1
	}
	for _, v := range s.Vector() {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Signals{}, false
		}
	}
	return s, true
}

// termCounts is how many times the texts hold each index term of want (text.Terms, as
// ingest indexes them).
func termCounts(want map[string]bool, texts ...string) map[string]int {
	m := map[string]int{}
	for _, s := range texts {
		for _, t := range text.Terms(s) {
			if want[t] {
				m[t]++
			}
		}
	}
	return m
}

// termSet is the set of index terms of the texts.
func termSet(texts ...string) map[string]bool {
	m := map[string]bool{}
	for _, s := range texts {
		for _, t := range text.Terms(s) {
			m[t] = true
		}
	}
	return m
}

// phraseShare is the share of the question's adjacent term pairs found side by side in the
// title or the body; 1 when the question has no pairs.
func phraseShare(question, title, body string) float64 {
	qp := text.Pairs(question)
	if len(qp) == 0 {
		return 1
	}
	tp, bp := text.Pairs(title), text.Pairs(body)
	n := 0
	for p := range qp {
		if tp[p] || bp[p] {
			n++
		}
	}
	return float64(n) / float64(len(qp))
}

// isName reports whether a question term, written in forms f, names something: a word the
// question capitalises, or a term with a digit (a year, a model). A question's first word is
// a question word ("Who", "What"), a stop word and no term, so a capitalised first term is a
// name too ("Genghis Khan's sons", "German rivers" once "Tell me about" is stripped).
func isName(term string, f text.Form) bool {
	return f&(text.FormCapital|text.FormInitial) != 0 || strings.ContainsAny(term, "0123456789")
}

// partShare is held as a share of total, 1 when total is 0 (nothing of the kind to hold).
func partShare(held, total float64) float64 {
	if total == 0 {
		return 1
	}
	return held / total
}

// nameSpellings drops from near (question term -> likely correct spellings) a name's
// neighbours more than one edit away: a name the collection never saw is more often a
// subject it lacks ("Mongke") than a misspelling, and only a neighbour one edit away
// ("Bedigo", Bendigo) stands in for it. forms are the question's (text.Forms).
func nameSpellings(forms map[string]text.Form, near map[string][]string) map[string][]string {
	out := maps.Clone(near)
	for t, vs := range out {
		if isName(t, forms[t]) {
			out[t] = slices.DeleteFunc(slices.Clone(vs), func(v string) bool { return text.EditDistance(t, v, 1) > 1 })
		}
	}
	return out
}
