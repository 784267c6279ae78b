package answer

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// minSupportShare is the share of a sentence's content stems (text.Terms: stop words out,
// stemmed; attribution words such as "said" or "according" not counted) that must occur in
// the one passage that supports it. A paraphrase keeps most of its passage's words; an
// invented claim about a real subject ("The chief executive was arrested for fraud [1]")
// brings new ones. Two thirds lets a sentence add one word of its own for every two it
// takes from its passage (a verb of framing, a connective). It was chosen on the cases in
// support_test.go, not on eval data: there is no LLM on the evaluation machines. A stricter
// share loses more paraphrases, which then fall back to the extractive answer (safe but
// terser); a looser one lets more invented predicates through.
const minSupportShare = 2.0 / 3

// The share alone lets one invented word through in a sentence long enough ("The transport
// minister opened the tram line and was sacked [1]": four of six stems from the passage).
// So a stem the passage lacks must also be a common word, one of commonStems (common.go:
// stems that at least one BBC article in twenty uses, names excluded; "decide", "agree",
// "plan", "open"), the words a paraphrase borrows. A rare word the passage lacks ("sacked",
// "fraud", "arrested", a name written in lower case such as "leeds") is a claim of its own,
// and the sentence goes, wherever the word stands in it (the first word too). One in twenty
// was taken as a round share, not fitted: it leaves "arrest", "resign" (one in 37 articles)
// and "sack" (one in 65) out and "approve" (one in 26) out too, which then costs a paraphrase
// its sentence; a lower share would let more invented predicates through.
//
// Besides, every number (in digits or words: "15", "fifteen", "million"), every negation
// ("not", "never", "n't", "without"...) and every capitalised word past a sentence's first
// (a name, mostly) must occur in that passage, its title, site or date: those are the
// words a reader checks first, and the ones a model invents or flips most convincingly. The
// day and year of the passage's date count only next to its month ("on 5 March 2024"), so
// that the date does not lend its numbers to a sum ("cost 2024 million").

// setOf returns the set of the space-separated words of s.
func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// attribution holds the stems of the words that say who says something rather than what:
// they are the model's framing, never a claim about the passage's subject.
var attribution = setOf(strings.Join(text.Terms("said says say according reported reports report stated states added adds noted notes told tells explained explains wrote writes described describes"), " "))

// numberWords holds the stems of the number words, which must occur in the passage as
// digits must; digitWord maps the small numbers to their words, so that "12" in a passage
// supports "twelve" in a sentence and the other way round.
var (
	numberWords = setOf(strings.Join(text.Terms("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion dozen"), " "))
	digitWord   = func() map[string]string {
		m := map[string]string{}
		for i, t := range text.Terms("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty") {
			m[strconv.Itoa(i+1)] = t
			m[t] = strconv.Itoa(i + 1)
		}
		return m
	}()
)

// negation returns the negation a lower-cased word carries ("not" for "not", "cannot" and
// any "n't"), or "".
func negation(w string) string {
	switch {
	case w == "cannot" || strings.HasSuffix(w, "n't") || strings.HasSuffix(w, "n’t"):
		return "not"
	case w == "not" || w == "no" || w == "never" || w == "nor" || w == "without" || w == "neither" || w == "none":
		return w
	}
	return ""
}

// leadingMarksRE is a run of citation sentinels that opens a sentence span; it closes the
// sentence before ("… entirely. [1] The next …").
var leadingMarksRE = regexp.MustCompile(`^(?:\x01\d+\x02[ \t]*)+`)

// sentinelView shows sentinels as brackets, byte for byte, so that text.Sentences ends a
// sentence before a marker as it does before "[".
var sentinelView = strings.NewReplacer("\x01", "[", "\x02", "]")

// markedSentences splits s (with citation sentinels) into sentences, each marker run
// belonging to the sentence it follows.
func markedSentences(s string) []text.Span {
	spans := text.Sentences(sentinelView.Replace(s))
	out := spans[:0]
	for _, sp := range spans {
		if loc := leadingMarksRE.FindStringIndex(s[sp.Start:sp.End]); loc != nil && len(out) > 0 {
			out[len(out)-1].End = sp.Start + len(strings.TrimRight(s[sp.Start:sp.Start+loc[1]], " \t"))
			sp.Start += loc[1]
		}
		if sp.Start < sp.End {
			out = append(out, sp)
		}
	}
	return out
}

// vocabulary is what a sentence citing one passage may say: its words, title and site as
// index terms, its negations under "¬" + negation, and its publication date's month and
// weekday as words, its day and year under "date:" (they count only next to the month).
type vocabulary map[string]bool

func (v vocabulary) add(s string) {
	for _, tok := range text.Tokens(s) {
		for _, t := range text.TokenTerms(tok) {
			v[t] = true
			if w, ok := digitWord[t]; ok {
				v[w] = true
			}
		}
		if n := negation(tok.Word); n != "" {
			v["¬"+n] = true
		}
	}
}

// passageVocab returns the vocabulary of passage p.
func passageVocab(p retrieval.Result) vocabulary {
	v := vocabulary{}
	v.add(withoutInstructions(p.Text)) // an instruction to the model supports nothing (injection.go)
	if !addressesModel(p.Title) {
		v.add(p.Title)
	}
	v.add(p.Site)
	if d := p.Published; !d.IsZero() {
		v.add(d.Format("January Monday"))
		v["date:"+strconv.Itoa(d.Day())] = true
		v["date:"+strconv.Itoa(d.Year())] = true
		v["month:"+strings.ToLower(d.Month().String())] = true
	}
	return v
}

// supported reports whether sentence (sentinels removed) holds up against one of the
// vocabularies of the passages it cites (see minSupportShare).
func supported(sentence string, cited []vocabulary) bool {
	for _, v := range cited {
		if supportedBy(sentence, v) {
			return true
		}
	}
	return false
}

// supportedBy reports whether v alone supports sentence: at least one content stem, every
// number, negation and name present, every missing stem a common word, and at least
// minSupportShare of its content stems present.
func supportedBy(sentence string, v vocabulary) bool {
	toks := text.Tokens(sentence)
	inDate := func(i int) bool { // a month of v's date within two words of toks[i]
		for j := max(0, i-2); j <= min(len(toks)-1, i+2); j++ {
			if v["month:"+toks[j].Word] {
				return true
			}
		}
		return false
	}
	total, found := 0, 0
	for i, tok := range toks {
		if n := negation(tok.Word); n != "" && !v["¬"+n] {
			return false
		}
		first, _ := utf8.DecodeRuneInString(sentence[tok.Start:tok.End])
		name := i > 0 && unicode.IsUpper(first)
		for _, t := range text.TokenTerms(tok) {
			if attribution[t] {
				continue
			}
			number := unicode.IsDigit(first) || numberWords[t] && !(t == "one" && i+1 < len(toks) && toks[i+1].Word == "of")
			total++
			switch {
			case v[t] || number && v["date:"+t] && inDate(i):
				found++
			case number || name || !commonStems[t]:
				return false
			}
		}
	}
	return total > 0 && float64(found) >= minSupportShare*float64(total)
}

// keepSupported drops every sentence of s (text with citation sentinels) that cites no
// passage or that its passages do not support, keeps the paragraph breaks between the
// sentences it keeps, and returns the text and how many sentences it dropped. A sentence
// without a citation is dropped even when it claims nothing: it then adds nothing either.
func keepSupported(s string, ps []retrieval.Result) (string, int) {
	vocab := make([]vocabulary, len(ps))
	var b strings.Builder
	dropped, prev := 0, -1
	for _, sp := range markedSentences(s) {
		sent := s[sp.Start:sp.End]
		var cited []vocabulary
		for _, m := range sentinelsRE.FindAllString(sent, -1) {
			for _, f := range strings.FieldsFunc(m, func(r rune) bool { return r < '0' || r > '9' }) {
				p, _ := strconv.Atoi(f)
				if vocab[p-1] == nil {
					vocab[p-1] = passageVocab(ps[p-1])
				}
				cited = append(cited, vocab[p-1])
			}
		}
		if len(cited) == 0 || !supported(sentinelsRE.ReplaceAllString(sent, " "), cited) {
			dropped++
			continue
		}
		if prev >= 0 {
			b.WriteString(gap(s[prev:sp.Start]))
		}
		b.WriteString(sent)
		prev = sp.End
	}
	return b.String(), dropped
}

// gap is the separator between two kept sentences: a paragraph break or line break when the
// text between them held one, else a space.
func gap(between string) string {
	switch {
	case strings.Contains(between, "\n\n"):
		return "\n\n"
	case strings.Contains(between, "\n"):
		return "\n"
	}
	return " "
}

// maxAnswerRunes bounds the text of an LLM answer, so that any reply fits in one Discord
// message (2,000 characters) with the line the engine may add before it. The prompt asks
// for a few sentences, which take 300 to 800 characters; a reply beyond this is a model
// that did not stop, and its first sentences are the answer.
const maxAnswerRunes = 1500

// capSentences returns the longest run of s's first sentences that fits in maxAnswerRunes
// (s holds sentinels, each as long as the marker it becomes, give or take a digit).
func capSentences(s string) string {
	if utf8.RuneCountInString(s) <= maxAnswerRunes {
		return s
	}
	end, n := 0, 0
	for _, sp := range markedSentences(s) {
		n += utf8.RuneCountInString(s[end:sp.End])
		if n > maxAnswerRunes {
			break
		}
		end = sp.End
	}
	return s[:end]
}

// citingSentence returns the first sentence of s that carries marker [n], else all of s.
func citingSentence(s string, sents []text.Span, n int) string {
	m := "[" + strconv.Itoa(n) + "]"
	for _, sp := range sents {
		if strings.Contains(s[sp.Start:sp.End], m) {
			return s[sp.Start:sp.End]
		}
	}
	return s
}

// bestSentence returns the sentence of passage that shares the most distinct terms with
// claim, the first one on a tie (or when none shares any). A sentence addressed to the
// model is never the one; a passage of nothing else has none (an empty span).
func bestSentence(passage, claim string) span {
	want := map[string]bool{}
	for _, t := range text.Terms(markerRE.ReplaceAllString(claim, " ")) {
		want[t] = true
	}
	best, bestN := span{}, -1
	for _, sp := range text.Sentences(passage) {
		if addressesModel(passage[sp.Start:sp.End]) {
			continue
		}
		seen := map[string]bool{}
		for _, t := range text.Terms(passage[sp.Start:sp.End]) {
			if want[t] {
				seen[t] = true
			}
		}
		if len(seen) > bestN {
			best, bestN = span{sp.Start, sp.End}, len(seen)
		}
	}
	return best
}
