// Package text holds footnote's shared language tools: word tokens with offsets, stemmed
// index terms, stop words and sentence boundaries. Indexing, the offline embedder and the
// extractive answerer all use it, so the same words match everywhere.
package text

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Version identifies how Terms turns text into index terms. Change it with any change to
// tokens, folding, stop words or stemming: collections indexed under another version have
// their postings rebuilt by a reindex.
const Version = 3 // 3: Chinese, Japanese and Korean read as pairs of characters (2026-12-03)

// Token is one word of a text with its byte offsets.
type Token struct {
	Word       string // lower-cased surface form
	Start, End int    // text[Start:End] is the word as written
}

// Tokens splits s into words: runs of letters and digits, with inner apostrophes, dots
// between digits ("3.5") and hyphens kept inside a word ("state-owned" stays one token;
// its parts are added by Terms).
func Tokens(s string) []Token {
	// About one word in six bytes of English: one allocation for most texts, instead of
	// the doublings of a slice grown from nothing.
	out := make([]Token, 0, len(s)/6+1)
	eachToken(s, func(_ int, tok Token) { out = append(out, tok) })
	return out
}

// eachToken calls fn with the words of s that Tokens returns, in order and numbered from
// 0, without a slice of them all.
func eachToken(s string, fn func(i int, tok Token)) {
	i := 0
	scanWords(s, func(start, end int) {
		fn(i, Token{Word: fold(s[start:end]), Start: start, End: end})
		i++
	})
}

// scanWords calls word with the byte bounds of each word of s, in order: the words of
// Tokens. Chinese, Japanese and Korean are written without spaces between words (Korean
// with them between phrases, particles attached), and no dictionary is at hand to find
// the words: a run of their characters of one script is read as its overlapping pairs of
// characters ("東京都庁" as 東京, 京都, 都庁; one character alone as itself), as search
// engines read them without a dictionary (Lucene's CJK bigrams). A change of script ends a
// run: Japanese writes its content words in kanji and katakana and its particles and
// endings in hiragana ("富士山の標高は" is 富士山, の, 標高, は), and a hiragana word is a
// stop word (IsStop). A question's pairs then match the articles' wherever they share two
// characters of a word in a row.
func scanWords(s string, word func(start, end int)) {
	start := -1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x1100 && IsCJK(r) { // the first test keeps English text off the call
			if start >= 0 {
				word(start, i)
				start = -1
			}
			i = scanCJK(s, i, size, word)
			continue
		}
		if isASCIIWordByte(r) || r >= utf8.RuneSelf && isWordRune(r) {
			if start < 0 {
				start = i
			}
			i += size
			continue
		}
		if start >= 0 && (r == '\'' || r == '’' || r == '.' || r == ',' || r == '-') && i+size < len(s) {
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			joins := false
			switch r {
			case '.', ',':
				joins = unicode.IsDigit(prev) && unicode.IsDigit(next)
			default:
				joins = isWordRune(next)
			}
			if joins {
				i += size
				continue
			}
		}
		if start >= 0 {
			word(start, i)
			start = -1
		}
		i += size
	}
	if start >= 0 {
		word(start, len(s))
	}
}

// fold lower-cases a word and strips its diacritics ("Ögedei" -> "ogedei", "Temür" ->
// "temur"): names are written with them in articles and without them in questions.
func fold(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	if strings.ContainsFunc(w, isFullWidth) {
		return fold(HalfWidth(w))
	}
	if hasKana(w) { // が is not か: Japanese keeps its marks
		return norm.NFC.String(w)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// isASCIIWordByte is isWordRune for an ASCII r, cheap enough to inline: English text is
// nearly all of it.
func isASCIIWordByte(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

// IsCJK reports whether r is a character of the scripts written without spaces between
// words: Han, Hiragana, Katakana (with its prolonged sound mark ー and the iteration mark
// 々) and Hangul syllables.
func IsCJK(r rune) bool { return cjkScript(r) != 0 }

// cjkScript is r's script among those IsCJK reads (1 Han, 2 Hiragana, 3 Katakana, 4
// Hangul), 0 for any other rune.
func cjkScript(r rune) int {
	switch {
	case r < 0x1100:
		return 0
	case r == '々' || r == '〆' || unicode.Is(unicode.Han, r):
		return 1
	case unicode.Is(unicode.Hiragana, r):
		return 2
	case r == 'ー' || unicode.Is(unicode.Katakana, r):
		return 3
	case unicode.Is(unicode.Hangul, r):
		return 4
	}
	return 0
}

// scanCJK calls word with each pair of adjacent characters of the run of one CJK script
// that begins at s[i] (its first character size bytes long), or with the one character
// when the run has no other, and returns where the run ends.
func scanCJK(s string, i, size int, word func(start, end int)) int {
	r, _ := utf8.DecodeRuneInString(s[i:])
	script := cjkScript(r)
	a, b := i, i+size // the current character, and where the next begins
	paired := false
	for b < len(s) {
		r, n := utf8.DecodeRuneInString(s[b:])
		if cjkScript(r) != script {
			break
		}
		word(a, b+n)
		paired = true
		a, b = b, b+n
	}
	if !paired {
		word(a, b)
	}
	return b
}

// isHiragana reports whether w is written in hiragana alone: in Japanese, particles and
// endings (の, は, ですか, ました), too common to index.
func isHiragana(w string) bool {
	for _, r := range w {
		if cjkScript(r) != 2 {
			return false
		}
	}
	return w != ""
}

// isFullWidth reports whether r is a full-width Latin letter or digit (Ａ, ａ, ０).
func isFullWidth(r rune) bool {
	return r >= '０' && r <= '９' || r >= 'Ａ' && r <= 'Ｚ' || r >= 'ａ' && r <= 'ｚ'
}

// HalfWidth writes s's full-width Latin letters and digits as ASCII ones: Japanese and
// Chinese text writes them full-width too ("１９６４年"), and they are the same letters and
// digits.
func HalfWidth(s string) string {
	if !strings.ContainsFunc(s, isFullWidth) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFullWidth(r) {
			return r - 0xfee0
		}
		return r
	}, s)
}

// hasKana reports whether w holds Hiragana or Katakana, whose voicing marks (が, パ) are
// part of the letter, not a diacritic to fold away.
func hasKana(w string) bool {
	return strings.ContainsFunc(w, func(r rune) bool { s := cjkScript(r); return s == 2 || s == 3 })
}

// stemCache memoises Stem: stemming is most of the cost of tokenising, and a language's
// working vocabulary is small. It stops growing at stemCacheMax words (a hostile text of
// random words cannot make it use unbounded memory); it is a pure cache, never state.
// Numbers are not kept: they need no stemming, and news is full of distinct ones (9,000
// in 20,000 articles, beside 55,000 distinct words). Every entry is live heap that each
// garbage collection scans: at 200,000 entries the cache was 36 MB of a 280k-article
// import's heap, under the import's 150 MB soft limit, and collection took over half of
// that import's CPU. The first words seen are the common ones, so a smaller cache keeps
// most hits.
var (
	stemCache    sync.Map
	stemCacheLen atomic.Int64
)

const stemCacheMax = 50_000

// Stem returns the index form of one lower-cased word: possessives dropped, then the
// Snowball English stem. Numbers are kept as written.
func Stem(w string) string {
	if v, ok := stemCache.Load(w); ok {
		return v.(string)
	}
	s := stem(w)
	if r, _ := utf8.DecodeRuneInString(w); !unicode.IsDigit(r) && stemCacheLen.Load() < stemCacheMax && len(w) < 40 {
		if _, loaded := stemCache.LoadOrStore(strings.Clone(w), s); !loaded {
			stemCacheLen.Add(1)
		}
	}
	return s
}

func stem(w string) string {
	w, mapped := stemInput(w)
	if w == "" {
		return w
	}
	if r, _ := utf8.DecodeRuneInString(w); !mapped && unicode.IsDigit(r) {
		return strings.ReplaceAll(w, ",", "")
	}
	return english.Stem(w, false)
}

// stemInput is w as the stemmer takes it: its possessive cut, curly apostrophes made
// straight, and an ordinal or irregular form replaced by the word it stands for ("3rd" by
// "third", "ran" by "run"; mapped tells).
func stemInput(w string) (string, bool) {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
	if strings.IndexByte(w, 0xE2) >= 0 { // the first byte of ’ in UTF-8
		w = strings.ReplaceAll(w, "’", "'")
	}
	if w == "" {
		return w, false
	}
	// The maps only when w may be in them: Question.Read calls this for most words of
	// every sentence it reads.
	if w[0] >= '0' && w[0] <= '9' {
		if o, ok := ordinals[w]; ok {
			return o, true
		}
	}
	if irregularFirsts[w[0]] {
		if b, ok := irregular[w]; ok {
			return b, true
		}
	}
	return w, false
}

// irregularFirsts holds the first byte of every irregular form (irregular).
var irregularFirsts = func() (f [256]bool) {
	for w := range irregular {
		f[w[0]] = true
	}
	return f
}()

// Terms returns the stemmed index terms of s, stop words removed, in order, with repeats.
// A hyphenated word yields its parts as well as the joined form.
func Terms(s string) []string {
	// Words straight from the scanner, without Tokens' slice: indexing and the offline
	// embedder call this for every passage, and a 280k-article import spent a fifth of
	// its allocations on that slice.
	out := make([]string, 0, len(s)/6+1)
	scanWords(s, func(start, end int) {
		out = appendTerms(out, fold(s[start:end]))
	})
	return out
}

// maxTermBytes bounds an index term: longer "words" are encoded data or junk, and an
// unbounded one would not fit in a database index entry.
const maxTermBytes = 64

func appendTerms(out []string, w string) []string {
	if len(w) > maxTermBytes {
		return out
	}
	if strings.Contains(w, "-") {
		for _, p := range strings.Split(w, "-") {
			if p != "" && !IsStop(p) {
				out = append(out, Stem(p))
			}
		}
		return append(out, Stem(strings.ReplaceAll(w, "-", "")))
	}
	if IsStop(w) {
		return out
	}
	return append(out, Stem(w))
}

// appendTermsKnown is appendTerms for Question.Read, for a word whose IsStop the caller
// has read already (stop): a plain word (no hyphen, no stop word) whose stem cannot begin
// with a byte firsts holds adds notQuestionTerm, unstemmed.
func appendTermsKnown(out []string, w string, stop bool, firsts *[256]bool) []string {
	switch {
	case len(w) > maxTermBytes:
		return out
	case strings.Contains(w, "-"):
		return appendTerms(out, w)
	case stop:
		return out
	case !firsts[stemFirst(w)]:
		return append(out, notQuestionTerm)
	}
	return append(out, Stem(w))
}

// notQuestionTerm stands in Question.Read for the term of a word that cannot be one of
// the question's terms: no term is empty, so it matches none and pairs with none.
const notQuestionTerm = ""

// stemFirst is the byte Stem(w) begins with, found without stemming: the word as stem
// reads it (possessive cut, ordinal or irregular form replaced); the Snowball stemmer's
// suffix rules never touch a word's first letter. It is 0 where that is not sure: an empty
// word, or one that begins with an apostrophe (the stemmer drops it, from longer words).
func stemFirst(w string) byte {
	w, _ = stemInput(w)
	if w == "" || w[0] == '\'' {
		return 0
	}
	return w[0]
}

// ordinals spells out the small ordinal numbers, which texts mostly write as words.
var ordinals = map[string]string{
	"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth",
	"6th": "sixth", "7th": "seventh", "8th": "eighth", "9th": "ninth", "10th": "tenth",
	"11th": "eleventh", "12th": "twelfth", "13th": "thirteenth", "14th": "fourteenth",
	"15th": "fifteenth", "16th": "sixteenth", "17th": "seventeenth", "18th": "eighteenth",
	"19th": "nineteenth", "20th": "twentieth",
}

// TokenTerms returns the index terms of one token (several for a hyphenated word, none for a
// stop word).
func TokenTerms(t Token) []string { return appendTerms(nil, t.Word) }

// Counts returns each term of s with its frequency, and the number of terms.
func Counts(s string) (map[string]int, int) {
	ts := Terms(s)
	m := make(map[string]int, len(ts))
	for _, t := range ts {
		m[t]++
	}
	return m, len(ts)
}
