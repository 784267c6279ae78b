package text

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Scoring weights for Question.ScoreRead. The reranker (retrieval/rank.go, which holds
// the rest of ranking's constants) and the extractive answerer both score with them, so
// the passage ranked first is the one whose sentence gets quoted. The share of the
// question's weight a sentence holds (0 to 1) is the base score; these adjust it. Tuned by
// hand on the 272 squad-dev questions (README: Quality), with nothing held out. The
// effects quoted below were measured one constant at a time on that data (baseline hit@1
// 0.871, answer@1 0.790). Fitted again on split A's 162 questions alone by .ci/tune-split
// --fit A: kindBonus, nameKindShare and phraseWeight stay as they are (README: Fitting the
// ranking and quote weights on one half).
const (
	// kindBonus rewards a sentence holding the kind of thing the question asks for (a
	// year for "when", a number for "how many"). Higher favours a sentence with a date or
	// number over one that repeats more of the question's words. At 0, hit@1 is 0.868
	// and answer@1 0.779.
	kindBonus = 0.15
	// nameKindShare is the share of kindBonus a sentence gets for a capitalised word when
	// the question asks who or where: a capital is weak evidence of a name (a sentence's
	// first word and title-cased words have one too), so it earns less than a year or a
	// number does. At 1 nothing changes on the dev set; at 0, answer@1 is 0.787.
	nameKindShare = 0.7
	// phraseWeight rewards question words that stand side by side in the sentence too
	// ("space station"), as a share of the question's adjacent pairs: it separates a
	// sentence about the question's subject from one that mentions its words apart. At
	// 0, hit@1 is 0.868 and answer@1 0.779.
	phraseWeight = 0.2
	// echoPenalty marks a sentence that adds fewer than minNovelWords content words to
	// the question's own: one that only restates the question ("What is the capital of
	// France?" found in a quiz) cannot hold its answer, however many terms it shares. A
	// guard rather than a tuned weight: no dev question changes with the penalty at 0 or
	// minNovelWords at 1 or 3.
	echoPenalty   = 0.3
	minNovelWords = 2
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

// timeWords and numberWords are the words (maximal runs of ASCII letters, digits and
// "_", as an RE2 \b reads them) that say when and how many.
var (
	timeWords   = wordSet("January February March April May June July August September October November December century centuries")
	numberWords = wordSet("one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million billion dozen half")
)

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// isYear reports whether w is a year, 1000 to 2099, or its decade ("1990s").
func isYear(w string) bool {
	w = strings.TrimSuffix(w, "s")
	if len(w) != 4 || !(w[0] == '1' || w[0] == '2' && w[1] == '0') {
		return false
	}
	for i := 0; i < 4; i++ {
		if w[i] < '0' || w[i] > '9' {
			return false
		}
	}
	return true
}

// anyWord reports whether f holds for one of s's words: its maximal runs of ASCII
// letters, digits and "_" (what \w matches in an RE2 expression, so that a word here is
// what \bword\b finds). A sentence's kind was read with regular expressions of such
// words; these loops do the same without their backtracking (a twentieth of a search's
// CPU).
func anyWord(s string, f func(w string) bool) bool {
	start := -1
	for i := 0; i <= len(s); i++ {
		word := i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9' || s[i] == '_')
		switch {
		case word && start < 0:
			start = i
		case !word && start >= 0:
			if f(s[start:i]) {
				return true
			}
			start = -1
		}
	}
	return false
}

// holdsTime reports whether s says when: a year or decade, a month's name, a century.
func holdsTime(s string) bool {
	return anyWord(s, func(w string) bool { return timeWords[w] || isYear(w) })
}

// holdsNumber reports whether s holds a number other than a year (a year says when, not
// how many): a digit or a number's word.
func holdsNumber(s string) bool {
	return anyWord(s, func(w string) bool {
		return numberWords[w] || !isYear(w) && strings.ContainsAny(w, "0123456789")
	})
}

// isDigits reports whether w is all ASCII digits.
func isDigits(w string) bool {
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// Question is a question read for scoring sentences against it: its weighted terms, its
// phrases and the kind of answer it expects.
type Question struct {
	terms map[string]float64 // stem -> weight
	order []string           // the terms, sorted: sums in a fixed order are reproducible
	total float64
	words map[string]bool    // lower-cased surface words of the question
	pairs map[[2]string]bool // adjacent question terms ("space station")
	names map[string]bool    // terms the question writes as names (capitalised, or with a digit)
	// capital holds the terms the question writes only capitalised, and not as its first
	// word ("Block" in "the Block I program"): a sentence that writes such a word only in
	// lower case ("block most ripping programs") is using another word of the same
	// spelling, and holds it as a title does (half; Read, Share).
	capital map[string]bool
	expect  Kind
	// spelt maps a collection term to the question term it is a likely correct spelling of
	// ("sieg" for "seige"; Spell).
	spelt map[string]string
	// firsts holds the first byte of every term and spelling above (and 0): Read stems
	// only the words whose stems may begin with one of them (stemFirst).
	firsts [256]bool
	// lead holds the question terms that the first sentence of the article being read
	// holds (SetLead): Share weighs them at half in that article's sentences.
	lead map[string]bool
}

// LeadTerms returns the question terms that sentence s, an article's first, holds as asked.
func (q *Question) LeadTerms(s string) map[string]bool {
	r := q.Read(s)
	m := map[string]bool{}
	for t := range r.have {
		if !r.lower[t] {
			m[t] = true
		}
	}
	return m
}

// Expects returns the kind of answer the question asks for (AnswerKind).
func (q *Question) Expects() Kind { return q.expect }

// SetLead sets the question terms an article's first sentence holds (LeadTerms; nil for
// none) for the sentences of that article scored next: Share weighs them at half.
//
// A news story's first sentence says what the story is about, and a member asking about
// one of its details names the story too ("Which magistrate granted Nicole Kidman the
// restraining order against the two paparazzi photographers?"): the first sentence then
// holds most of the question's weight and wins, while the sentence with the answer
// ("Magistrate Lee Gilmore, who issued the restraining order ...") holds the words that
// ask for the detail. Weighed at half, the story's words still count, as a title's do,
// and the detail's words decide. On the split collections' questions (README: Knowing
// what the articles don't cover), the first quote held the answer for 6 and 3 more news
// questions and 1 more squad question on each half; no constant (the half is the title's).
func (q *Question) SetLead(terms map[string]bool) { q.lead = terms }

// NewQuestion reads q. weights gives each term's weight (its IDF in the collection); a
// term missing from it weighs 1.
func NewQuestion(q string, weights map[string]float64) *Question {
	out := &Question{terms: map[string]float64{}, words: map[string]bool{}, pairs: map[[2]string]bool{}, names: map[string]bool{}, capital: map[string]bool{}}
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
	out.firsts[0] = true
	for t := range out.terms {
		out.order = append(out.order, t)
		out.firsts[t[0]] = true
	}
	sort.Strings(out.order)
	for _, t := range out.order {
		out.total += out.terms[t]
	}
	for _, t := range Tokens(q) {
		out.words[t.Word] = true
	}
	titled := titlesBeforeNames(q)
	for t, f := range Forms(q, false) {
		if _, ok := out.terms[t]; ok && (f&(FormCapital|FormInitial) != 0 || strings.ContainsAny(t, "0123456789")) {
			out.names[t] = true
		}
		if _, ok := out.terms[t]; ok && f == FormCapital && !titled[t] && !strings.ContainsAny(t, "0123456789") {
			out.capital[t] = true
		}
	}
	out.expect = AnswerKind(q)
	return out
}

// titles are words English capitalises as a person's title only directly before a name
// ("President Kennedy", "Emperor Chengzong") and writes in lower case alone ("was elected
// president"): a closed class, like the stop words.
var titles = map[string]bool{
	"president": true, "vice": true, "king": true, "queen": true, "emperor": true, "empress": true,
	"prince": true, "princess": true, "duke": true, "duchess": true, "lord": true, "lady": true,
	"sir": true, "dame": true, "pope": true, "saint": true, "bishop": true, "archbishop": true,
	"cardinal": true, "reverend": true, "father": true, "general": true, "colonel": true,
	"major": true, "captain": true, "admiral": true, "lieutenant": true, "sergeant": true,
	"senator": true, "governor": true, "mayor": true, "judge": true, "justice": true,
	"chancellor": true, "minister": true, "secretary": true, "chairman": true, "professor": true,
	"doctor": true, "chief": true, "sultan": true, "shah": true, "tsar": true, "czar": true,
	"caliph": true, "khan": true,
}

// titlesBeforeNames returns the terms of q's title words that stand directly before
// another capitalised word: capitalised as a title, not as a name of their own.
func titlesBeforeNames(q string) map[string]bool {
	out := map[string]bool{}
	toks := Tokens(q)
	for i := 0; i+1 < len(toks); i++ {
		next, _ := utf8.DecodeRuneInString(q[toks[i+1].Start:])
		if titles[toks[i].Word] && unicode.IsUpper(next) {
			for _, t := range TokenTerms(toks[i]) {
				out[t] = true
			}
		}
	}
	return out
}

// Spell has the question read its misspelt words as their likely correct spellings: near
// maps a question term no passage of the collection holds to the collection's terms a few
// edits from it (retrieval's Store.nearTerms: "sieg" for "seige"). A sentence holding one
// of them holds the question's word, as the coverage check already reads it. Only
// neighbours one edit away count (a letter dropped, added, changed or two swapped: most
// misspellings): the coverage check also takes two edits for a long word, and a
// question's unseen word then has dozens ("empor" for "emporer" has emperor, but also
// empir, emir, export, ...), enough to lift an unrelated sentence; a number is never
// misspelt.
func (q *Question) Spell(near map[string][]string) {
	for _, t := range q.order { // in order: a spelling near two of its words goes to the first
		if strings.ContainsAny(t, "0123456789") {
			continue // a number one digit off is another number, not a misspelling
		}
		for _, v := range near[t] {
			if EditDistance(t, v, 1) > 1 {
				continue
			}
			if _, isTerm := q.terms[v]; isTerm || q.spelt[v] != "" {
				continue // the question holds it as itself, or it stands for another word
			}
			if q.spelt == nil {
				q.spelt = map[string]string{}
			}
			q.spelt[v] = t
			q.firsts[v[0]] = true
		}
	}
}

// Carry returns cur, a sentence that refers back to the one before it ("He made many
// reforms"), read as holding the question's names prev holds: "he" is the emperor the
// sentence before names. prev may itself carry names from its own predecessor, so a run of
// sentences about one person keeps its subject. Only names carry: a pronoun stands for a
// person or thing, not for what was said about it.
func (q *Question) Carry(prev, cur Sentence) Sentence {
	out := cur
	out.have = maps.Clone(cur.have)
	if out.have == nil {
		out.have = map[string]bool{}
	}
	for t := range prev.have {
		if q.names[t] && !prev.lower[t] {
			out.have[t] = true
			if out.lower[t] {
				out.lower = maps.Clone(out.lower)
				delete(out.lower, t)
			}
		}
	}
	return out
}

// Context returns title's terms together with the question's names that any of a
// passage's sentences holds: like a title, the passage around a sentence names what it is
// about ("the second division under Jebe" in a passage about Genghis Khan's campaigns), so
// ScoreRead counts such a name half, as it counts a title's.
func (q *Question) Context(title map[string]bool, read []Sentence) map[string]bool {
	out := maps.Clone(title)
	if out == nil {
		out = map[string]bool{}
	}
	for _, r := range read {
		for t := range r.have {
			if q.names[t] && !r.lower[t] {
				out[t] = true
			}
		}
	}
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
	// Japanese, Chinese and Korean ask with words of their own (a date is found by its
	// digits, as in English; a name or a place, uncapitalised, is not found).
	case has("いつ", "何年", "何月", "何日", "何時", "何世紀", "什么时候", "何时", "哪年", "哪一年", "언제"):
		return KindTime
	case has("いくつ", "何人", "何個", "何本", "何回", "何歳", "何倍", "何メートル", "何キロ", "何円", "何パーセント", "何％",
		"どれくらい", "どのくらい", "多少", "几", "몇", "얼마"):
		return KindNumber
	case has("誰", "だれ", "谁", "누구"):
		return KindPerson
	case has("どこ", "哪里", "哪儿", "어디"):
		return KindPlace
	}
	return KindAny
}

// Sentence is a sentence as the scorer reads it: which question terms and phrases it
// holds, how many words it adds to the question's, and whether those hold the kind of
// thing the question asks for. Read it once, score it alone or joined with a neighbour.
type Sentence struct {
	have map[string]bool // question terms present
	// lower holds the terms of q.capital that the sentence writes only in lower case, not
	// as its first word: held, but as another word (Share counts them half).
	lower map[string]bool
	spelt map[string]bool    // question terms present only as their correct spelling (Spell)
	pairs map[[2]string]bool // question phrases present
	novel int                // content words the question does not use
	kind  bool               // the novel words hold the kind of answer asked for
}

// Holds reports whether the sentence holds question term t.
func (s Sentence) Holds(t string) bool { return s.have[t] }

// Read reads sentence s for scoring against q.
func (q *Question) Read(s string) Sentence {
	var r Sentence // its maps are made when first written: most sentences hold few terms
	var novelText strings.Builder
	prev := ""
	var terms, lower, proper []string
	// The words one by one, as Tokens has them, without a slice of them all: the reranker
	// reads every sentence of 30 passages a search, and those slices were a fifth of the
	// bytes a search allocated.
	prevCapital := false
	eachToken(s, func(i int, tok Token) {
		// A number right after a capitalised word (not the sentence's first) is part of a
		// name, "Shrek 2", "Apollo 8": not how many of anything. Read only for "how many"
		// questions: the reranker reads every sentence of 30 passages a search.
		partOfName := false
		if q.expect == KindNumber {
			partOfName = prevCapital && isDigits(tok.Word)
			capital, _ := utf8.DecodeRuneInString(s[tok.Start:])
			prevCapital = i > 0 && unicode.IsUpper(capital)
		}
		// A word whose stem cannot begin as any of the question's terms begins cannot be
		// one: it is read as a term of no question (notQuestionTerm) without stemming it.
		// Stemming every word of every sentence of the passages reranked was most of the
		// reranker's CPU, and the reranker most of a search's at 10k passages.
		stop := IsStop(tok.Word)
		terms = appendTermsKnown(terms[:0], tok.Word, stop, &q.firsts)
		for _, t := range terms {
			if t == notQuestionTerm { // matches no term, spelling or phrase of the question
				prev = t
				continue
			}
			if qt, ok := q.spelt[t]; ok {
				// The question's word, spelt right: Share counts it as held; Holds, the
				// first coverage check's evidence, keeps to the words as asked.
				t = qt
				if r.spelt == nil {
					r.spelt = map[string]bool{}
				}
				r.spelt[t] = true
			} else if _, ok := q.terms[t]; ok {
				if r.have == nil {
					r.have = map[string]bool{}
				}
				r.have[t] = true
				if q.capital[t] {
					// A sentence's first word is capitalised whatever it is: either.
					first, _ := utf8.DecodeRuneInString(s[tok.Start:])
					if i > 0 && !unicode.IsUpper(first) {
						lower = append(lower, t)
					} else {
						proper = append(proper, t)
					}
				}
			}
			if q.pairs[[2]string{prev, t}] {
				if r.pairs == nil {
					r.pairs = map[[2]string]bool{}
				}
				r.pairs[[2]string{prev, t}] = true
			}
			prev = t
		}
		if !stop && !q.words[tok.Word] {
			r.novel++
			// A sentence's first word is capitalised whatever it is: no evidence of a name.
			if q.expect != KindAny && (i > 0 || (q.expect != KindPerson && q.expect != KindPlace)) && !partOfName {
				novelText.WriteString(s[tok.Start:tok.End])
				novelText.WriteByte(' ')
			}
		}
	})
	for _, t := range lower {
		if !slices.Contains(proper, t) {
			if r.lower == nil {
				r.lower = map[string]bool{}
			}
			r.lower[t] = true
		}
	}
	rest := novelText.String()
	switch q.expect {
	case KindTime:
		r.kind = holdsTime(rest)
	case KindNumber:
		// A year says when, not how many: "How many people in Quzhou are descended from
		// Confucius?" is not answered by "the Jin dynasty (1115–1234)".
		r.kind = holdsNumber(rest)
	case KindPerson, KindPlace:
		r.kind = hasName(rest)
	}
	return r
}

// TitleTerms returns the question terms found in an article title, for ScoreRead.
func (q *Question) TitleTerms(title string) map[string]bool {
	m := map[string]bool{}
	for _, t := range Terms(title) {
		if _, ok := q.terms[t]; ok {
			m[t] = true
		}
	}
	return m
}

// Score rates sentence s (of an article titled title) as an answer; see ScoreRead.
func (q *Question) Score(s, title string) float64 {
	return q.ScoreRead(q.TitleTerms(title), q.Read(s))
}

// Share is the share of the question's weight that sentences read together hold, a term
// only in the title counting half: 1 when they hold every question term.
func (q *Question) Share(title map[string]bool, parts ...Sentence) float64 {
	if q.total == 0 {
		return 0
	}
	var got, total float64
	for _, t := range q.order {
		w := q.terms[t]
		if q.lead[t] {
			w /= 2 // the story's word, not the detail's (SetLead)
		}
		total += w
		switch {
		case anyHasAsAsked(parts, t) || anySpelt(parts, t):
			got += w
		case title[t] || anyHas(parts, t): // a title's word, or a name held only in lower case
			got += w / 2
		}
	}
	return got / total
}

// ScoreRead rates sentences read together (one, or a sentence and its neighbour) as an
// answer: the share of the question's weight they hold (a term only in the title counts
// half: the title names what "it" is), plus a bonus for the question's phrases they repeat
// and for holding the kind of thing asked for (a date, a number, a name) beyond the
// question's own words, minus a penalty when they add almost nothing to the question.
// About 0 to 1.5.
func (q *Question) ScoreRead(title map[string]bool, parts ...Sentence) float64 {
	if q.total == 0 {
		return 0
	}
	sc := q.Share(title, parts...)
	novel, kind := 0, false
	phrases := 0
	for p := range q.pairs {
		for _, part := range parts {
			if part.pairs[p] {
				phrases++
				break
			}
		}
	}
	for _, part := range parts {
		novel += part.novel
		kind = kind || part.kind
	}
	if len(q.pairs) > 0 {
		sc += phraseWeight * float64(phrases) / float64(len(q.pairs))
	}
	if kind {
		if q.expect == KindPerson || q.expect == KindPlace {
			sc += kindBonus * nameKindShare // a capitalised word is weak evidence of a name
		} else {
			sc += kindBonus
		}
	}
	if novel < minNovelWords {
		sc -= echoPenalty // repeats the question: cannot hold its answer
	}
	return sc
}

func anySpelt(parts []Sentence, t string) bool {
	for _, p := range parts {
		if p.spelt[t] {
			return true
		}
	}
	return false
}

// anyHasAsAsked reports whether one of parts holds t written as the question writes it:
// not a name of the question held only in lower case.
func anyHasAsAsked(parts []Sentence, t string) bool {
	for _, p := range parts {
		if p.have[t] && !p.lower[t] {
			return true
		}
	}
	return false
}

func anyHas(parts []Sentence, t string) bool {
	for _, p := range parts {
		if p.have[t] {
			return true
		}
	}
	return false
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
