package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a half-open byte range of a text.
type Span struct{ Start, End int }

// Sentences splits s into sentence spans, trimmed of surrounding white space. A line break
// always ends a sentence; ".", "!" and "?" end one when followed by space and a capital,
// digit or quote, except after a known abbreviation or a single initial; Chinese and
// Japanese full-width "。", "！" and "？" end one outside 「」, 『』 and （）.
func Sentences(s string) []Span {
	var out []Span
	start := 0
	quoted := 0 // open full-width brackets and quotes: 「, 『, （
	emit := func(end int) {
		a, b := Trim(s, start, end)
		if b > a {
			out = append(out, Span{a, b})
		}
		start = end
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf && !sentenceMark[c] { // most bytes: nothing to decide
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			emit(i)
		case r == '.' || r == '!' || r == '?' || r == '…':
			j := i + size
			// Closing quotes and brackets belong to the sentence they end.
			for j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				if c != '"' && c != '\'' && c != '”' && c != '’' && c != ')' && c != ']' && c != '.' {
					break
				}
				j += n
			}
			if endsSentence(s, i, j, r) {
				emit(j)
				i = j
				continue
			}
		case r < 0x3000: // the tests below are for full-width marks only
		case r == '「' || r == '『' || r == '（':
			quoted++
		case r == '」' || r == '』' || r == '）':
			quoted = max(quoted-1, 0)
		case (r == '。' || r == '！' || r == '？') && quoted == 0:
			// Chinese and Japanese end a sentence with a full-width mark and no space after
			// it (not one inside 「...」: "「本当？」と聞いた。" is one sentence); its closing
			// brackets and quotes belong to it.
			j := i + size
			for j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				if !strings.ContainsRune("」』）】〕\"”’)", c) {
					break
				}
				j += n
			}
			emit(j)
			i = j
			continue
		}
		i += size
	}
	emit(len(s))
	return out
}

// sentenceMark marks the ASCII bytes Sentences looks at: a line break and the marks that
// may end a sentence.
var sentenceMark = [utf8.RuneSelf]bool{'\n': true, '.': true, '!': true, '?': true}

// endsSentence decides whether the mark at s[i] (running to s[j]) closes a sentence.
func endsSentence(s string, i, j int, mark rune) bool {
	if j >= len(s) {
		return true
	}
	c, n := utf8.DecodeRuneInString(s[j:])
	if !unicode.IsSpace(c) {
		return false
	}
	k := j + n
	for k < len(s) {
		c, n = utf8.DecodeRuneInString(s[k:])
		if c == '\n' || !unicode.IsSpace(c) {
			break
		}
		k += n
	}
	if k >= len(s) || c == '\n' {
		return true
	}
	if !(unicode.IsUpper(c) || unicode.IsDigit(c) || strings.ContainsRune("\"'“‘([", c)) {
		return false
	}
	if mark != '.' {
		return true
	}
	// The word before the full stop: an abbreviation or an initial does not end a sentence.
	w := i
	for w > 0 {
		p, n := utf8.DecodeLastRuneInString(s[:w])
		if !unicode.IsLetter(p) && p != '.' {
			break
		}
		w -= n
	}
	word := strings.ToLower(strings.TrimSuffix(s[w:i], "."))
	if utf8.RuneCountInString(word) == 1 && unicode.IsUpper([]rune(s[w:i])[0]) {
		return false // "J. Smith", "U.S. Army"
	}
	if strings.Contains(word, ".") {
		return false // "e.g", "u.s"
	}
	_, abbr := abbreviations[word]
	return !abbr
}

var abbreviations = map[string]struct{}{
	"mr": {}, "mrs": {}, "ms": {}, "dr": {}, "prof": {}, "sr": {}, "jr": {}, "st": {}, "mt": {},
	"gen": {}, "col": {}, "lt": {}, "sgt": {}, "capt": {}, "gov": {}, "sen": {}, "rep": {},
	"rev": {}, "hon": {}, "no": {}, "vs": {}, "etc": {}, "inc": {}, "ltd": {}, "co": {},
	"corp": {}, "jan": {}, "feb": {}, "mar": {}, "apr": {}, "jun": {}, "jul": {}, "aug": {},
	"sep": {}, "sept": {}, "oct": {}, "nov": {}, "dec": {}, "approx": {}, "fig": {}, "ca": {},
}

// Trim narrows s[a:b] to exclude leading and trailing white space and returns the new
// bounds (equal when the range holds only white space).
func Trim(s string, a, b int) (int, int) {
	for a < b {
		r, n := utf8.DecodeRuneInString(s[a:])
		if !unicode.IsSpace(r) {
			break
		}
		a += n
	}
	for b > a {
		r, n := utf8.DecodeLastRuneInString(s[:b])
		if !unicode.IsSpace(r) {
			break
		}
		b -= n
	}
	return a, b
}

// Paragraphs splits s at blank lines into trimmed spans.
func Paragraphs(s string) []Span {
	var out []Span
	start := 0
	for start < len(s) {
		i := strings.Index(s[start:], "\n\n")
		end := len(s)
		if i >= 0 {
			end = start + i
		}
		a, b := Trim(s, start, end)
		if b > a {
			out = append(out, Span{a, b})
		}
		if i < 0 {
			break
		}
		start = end + 2
	}
	return out
}
