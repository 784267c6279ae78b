package text

import (
	"math/bits"
	"unicode/utf8"
)

// Print is a text's fingerprint for Repeats: the set of its pairs of adjacent words, each
// pair hashed to one of 4,096 bits. Two texts' pairs that differ land on the same bit by
// chance about once in 4,096 tries, which raises a passage's Repeats of an unrelated one by
// about its length in pairs over 4,096 (0.04 for 1,000 bytes): far under the shares that
// tell a copy (0.5 and more) from a text about the same thing (0.1 to 0.3).
type Print [64]uint64

// Fingerprint returns s's Print. A word here is a run of ASCII letters and digits
// (lower-cased, inner apostrophes dropped) or of non-ASCII bytes, or one Chinese, Japanese
// or Korean character (their full-width punctuation parts words), read in one pass over the
// bytes: cheaper than Tokens' words, and a fingerprint only has to agree with other
// fingerprints. The pairs are hashed with 64-bit FNV-1a, mixed: the same in every run,
// never stored.
func Fingerprint(s string) Print {
	var p Print
	const offset, prime = 14695981039346656037, 1099511628211
	var prev, h uint64
	inWord, first := false, true
	end := func() {
		if !first {
			b := mix(prev*0x9e3779b97f4a7c15^h) % (64 * 64)
			p[b/64] |= 1 << (b % 64)
		}
		prev, first, inWord = h, false, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf && utf8.RuneStart(c) {
			// Chinese and Japanese put no spaces between words: each character is a word here
			// (so the pairs are Tokens' pairs of characters), and their punctuation parts them.
			r, n := utf8.DecodeRuneInString(s[i:])
			if cjk, punct := IsCJK(r), r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef; cjk || punct {
				if inWord {
					end()
				}
				if cjk {
					h = offset
					for k := range n {
						h = (h ^ uint64(s[i+k])) * prime
					}
					end()
				}
				i += n - 1
				continue
			}
		}
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c >= utf8.RuneSelf:
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '\'' && inWord:
			continue // "Britain's" is one word
		default:
			if inWord {
				end()
			}
			continue
		}
		if !inWord {
			h, inWord = offset, true
		}
		h = (h ^ uint64(c)) * prime
	}
	if inWord {
		end()
	}
	return p
}

// mix is splitmix64's finaliser: it spreads a combined pair's bits over the whole word.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Repeats is the share of p's word pairs that q holds too: 1 when every pair of p is in q
// (a copy, or a part of q), near 0 when none is, 0 when p has no pairs.
func (p *Print) Repeats(q *Print) float64 {
	var mine, both int
	for i := range p {
		mine += bits.OnesCount64(p[i])
		both += bits.OnesCount64(p[i] & q[i])
	}
	if mine == 0 {
		return 0
	}
	return float64(both) / float64(mine)
}
