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
// the passages the sentence cites, for the sentence to be kept. A paraphrase keeps most of
// its passage's words; an invented claim about a real subject ("The chief executive was
// arrested for fraud [1]", "The transport minister resigned [1]") brings new ones. Two
// thirds lets a sentence add one word of its own for every two it takes from its passage
// (a verb of framing, a connective) but not assert a new predicate of the same weight as
// the passage's own ("minister" and "transport" from the passage, "arrested" and "fraud"
// invented: 1/2, dropped). It was chosen on the cases in support_test.go, not on eval
// data: there is no LLM on the evaluation machines. A stricter share loses more
// paraphrases, which then fall back to the extractive answer (safe but terser); a looser
// one lets more invented predicates through.
const minSupportShare = 2.0 / 3

// Besides the share, every number and every capitalised word past a sentence's first (a
// name, mostly) must occur in a cited passage, its title, site or date: those are the
// words a reader checks first, and the ones a model invents most convincingly.

// attribution holds the stems of the words that say who says something rather than what:
// they are the model's framing, never a claim about the passage's subject.
var attribution = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range text.Terms("said says say according reported reports report stated states added adds noted notes told tells explained explains wrote writes described describes") {
		m[t] = true
	}
	return m
}()

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

// vocabulary is what a sentence citing some passages may say: their words, titles, sites
// and publication dates, as index terms.
type vocabulary map[string]bool

func (v vocabulary) add(s string) {
	for _, t := range text.Terms(s) {
		v[t] = true
	}
}

// passageVocab returns the vocabulary of passage p.
func passageVocab(p retrieval.Result) vocabulary {
	v := vocabulary{}
	v.add(p.Text)
	v.add(p.Title)
	v.add(p.Site)
	if !p.Published.IsZero() {
		v.add(p.Published.Format("2 January 2006 Monday"))
	}
	return v
}

// supported reports whether sentence (sentinels removed) holds up against the vocabularies
// of the passages it cites: at least one content stem, every number and name present, and
// at least minSupportShare of its content stems present.
func supported(sentence string, cited []vocabulary) bool {
	has := func(t string) bool {
		for _, v := range cited {
			if v[t] {
				return true
			}
		}
		return false
	}
	total, found := 0, 0
	for i, tok := range text.Tokens(sentence) {
		first, _ := utf8.DecodeRuneInString(sentence[tok.Start:tok.End])
		checked := unicode.IsDigit(first) || i > 0 && unicode.IsUpper(first)
		for _, t := range text.TokenTerms(tok) {
			if attribution[t] {
				continue
			}
			total++
			switch {
			case has(t):
				found++
			case checked:
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
// claim, the first one on a tie (or when none shares any).
func bestSentence(passage, claim string) span {
	want := map[string]bool{}
	for _, t := range text.Terms(markerRE.ReplaceAllString(claim, " ")) {
		want[t] = true
	}
	best, bestN := span{}, -1
	for _, sp := range text.Sentences(passage) {
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
