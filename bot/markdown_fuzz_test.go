package bot

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzEscapeMarkdown checks that article text escaped for Discord shows literally. For any
// text s:
//   - escapeMarkdown(s) has no live markup character (every one of markdownEscapable
//     stands behind the backslash that escapes it) and unescaping it gives s back;
//   - escapeBody(s) is the same except for bare citation markers [n] not followed by "(";
//   - no masked link [text](url) can be read in either, alone or inside footnote's own
//     markup around it (an embed title "[1] [2] …", a quote "> **[1]** …");
//   - splitText cuts escapeBody(s) into messages that each keep these properties (a cut
//     never separates a backslash from the character it escapes).
func FuzzEscapeMarkdown(f *testing.F) {
	f.Add(hostile, 40)
	f.Add("The council said [1] it would \"review\" the plan [2]. See *page 4* (PDF).", 25)
	f.Add("[1][2] [3](x) \\[4\\] [12]: ~~struck~~ __under__ ||spoil|| `tick` ```fence```", 17)
	f.Add("<@&123> <#456> <:emoji:789> <t:1700000000:R> </ask:1> @here", 9)
	f.Add("> quote\n>>> rest\n# h1\n## h2\n-# small\n- item\n1. first", 12)
	f.Add("\\*already\\* escaped \\\\ backslash \\", 6)
	f.Add("[the report](https://evil.example/a) [x]( http://a \"title\" )", 30)
	f.Fuzz(func(t *testing.T, s string, max int) {
		e := escapeMarkdown(s)
		if at := liveAt(e, false); at >= 0 {
			t.Fatalf("escapeMarkdown(%q) = %q: live %q at byte %d", s, e, e[at], at)
		}
		if got := markdownEscape.ReplaceAllString(e, "$1"); got != s {
			t.Fatalf("unescaping escapeMarkdown(%q) = %q gives %q", s, e, got)
		}
		b := escapeBody(s)
		if at := liveAt(b, true); at >= 0 {
			t.Fatalf("escapeBody(%q) = %q: live %q at byte %d", s, b, b[at], at)
		}
		if got := markdownEscape.ReplaceAllString(b, "$1"); got != s {
			t.Fatalf("unescaping escapeBody(%q) = %q gives %q", s, b, got)
		}
		for _, m := range []string{e, b, "[1] [2] " + e, "> **[1]** " + e, "**" + e + "**", "[3] " + b} {
			if at := maskedLinkIn(m); at >= 0 {
				t.Fatalf("%q reads as a masked link from byte %d (input %q)", m, at, s)
			}
		}
		max = 8 + int(uint(max)%200)
		for _, part := range splitText(b, max) {
			if n := utf8.RuneCountInString(part); n > max {
				t.Fatalf("splitText(%q, %d): a part of %d characters", b, max, n)
			}
			if at := liveAt(part, true); at >= 0 {
				t.Fatalf("splitText(%q, %d): part %q has a live %q at byte %d", b, max, part, part[at], at)
			}
			if at := maskedLinkIn(part); at >= 0 {
				t.Fatalf("splitText(%q, %d): part %q reads as a masked link from byte %d", b, max, part, at)
			}
		}
	})
}

// bareMarkerAt matches a citation marker as escapeBody leaves it.
var bareMarkerAt = regexp.MustCompile(`^\[\d{1,3}\]`)

// liveAt returns the byte offset of the first character of markdownEscapable that Discord
// would read as markup in s, or -1. It reads s as Discord's parser does, left to right: a
// backslash before a punctuation character makes that character literal. With markers, a
// citation marker [n] not followed by "(" is footnote's own and allowed.
func liveAt(s string, markers bool) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
			continue
		}
		if markers && c == '[' {
			if m := bareMarkerAt.FindString(s[i:]); m != "" && !strings.HasPrefix(s[i+len(m):], "(") {
				i += len(m) - 1
				continue
			}
		}
		if strings.IndexByte(markdownEscapable, c) >= 0 {
			return i
		}
	}
	return -1
}

func isASCIIPunct(c byte) bool {
	return c < 0x80 && c > ' ' && c != 0x7f &&
		!('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z')
}

// linkHref is the rest of simple-markdown's link rule after "](", the library whose rules
// Discord's masked links follow: a target, an optional title, and ")".
var linkHref = regexp.MustCompile(`^\s*<?((?:\([^)]*\)|[^\s\\]|\\.)*?)>?(?:\s+['"]([\s\S]*?)['"])?\s*\)`)

// maskedLinkIn returns the offset of the first "[" in s, outside a backslash escape, from
// which simple-markdown's link rule matches, or -1. The rule is
//
//	^\[((?:\[[^\]]*\]|[^\[\]]|\](?=[^\[]*\]))*)\]\( href \)
//
// whose text may run over escaped brackets: the regular expression does not read
// backslashes, so in "[1]\](http://a)" the text is `1]\` and the link is live. Go's
// regexp has no lookahead, so the text part is walked as an automaton here.
func maskedLinkIn(s string) int {
	// nextOpen[p] and nextClose[p] are the first "[" and "]" at or after p.
	nextOpen, nextClose := make([]int, len(s)+1), make([]int, len(s)+1)
	nextOpen[len(s)], nextClose[len(s)] = len(s), len(s)
	for p := len(s) - 1; p >= 0; p-- {
		nextOpen[p], nextClose[p] = nextOpen[p+1], nextClose[p+1]
		switch s[p] {
		case '[':
			nextOpen[p] = p
		case ']':
			nextClose[p] = p
		}
	}
	seen := make([]bool, len(s)+1)
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]) {
			i++
			continue
		}
		if s[i] != '[' {
			continue
		}
		clear(seen)
		todo := []int{i + 1}
		for len(todo) > 0 {
			p := todo[len(todo)-1]
			todo = todo[:len(todo)-1]
			if p >= len(s) || seen[p] {
				continue
			}
			seen[p] = true
			switch s[p] {
			case '[': // a bracketed group: "[" up to the next "]"
				if q := nextClose[p]; q < len(s) {
					todo = append(todo, q+1)
				}
			case ']':
				if p+1 < len(s) && s[p+1] == '(' && linkHref.MatchString(s[p+2:]) {
					return i
				}
				// A "]" the text may hold: one with another "]" ahead before any "[".
				if nextClose[p+1] < nextOpen[p+1] {
					todo = append(todo, p+1)
				}
			default:
				todo = append(todo, p+1)
			}
		}
	}
	return -1
}

func TestMaskedLinkIn(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		want    int
	}{
		{"a plain masked link is found", "see [the report](https://evil.example/a)", 4},
		{"escaped brackets are no link", `\[the report\](https://evil.example/a)`, -1},
		{"a marker then an escaped bracket and a paren is a link", `[1]\](https://evil.example/a)`, 0},
		{"a marker then words then an escaped bracket and a paren is a link", `[1] said \](http://a)`, 0},
		{"a marker before an escaped link with an opening bracket between is none", `[1] see \[x\](y)`, -1},
		{"a bracket with no closing paren is none", `[1](http://a`, -1},
		{"a link target with a space is none", `[x](http://a b)`, -1},
		{"a titled target is a link", `[x](http://a "t")`, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maskedLinkIn(tc.s); got != tc.want {
				t.Errorf("maskedLinkIn(%q) = %d, want %d", tc.s, got, tc.want)
			}
		})
	}
}
