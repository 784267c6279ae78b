package answer

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Links in an answer come only from the database (each citation's URL), never from the
// model's text: stripLinks removes everything in it that a reader or Discord could follow,
// or that a reader could copy into a browser (a defanged "evil[.]com", an address
// "1.2.3.4:8080", a host written with full-width letters or an ideographic full stop:
// Discord links none of them, but the model still wrote a link). It is deliberately broad,
// since a lost word costs little (a sentence that no longer holds up is dropped by the
// support check) and a link the model was talked into writing can cost a reader a lot.
var (
	// mdLinkRE is a Markdown link or image, "[text](target)", or "[text] (target)" with a
	// target of one word (not "[1] (the council said)"): the text stays (a citation marker
	// keeps its brackets, so its number), the target goes, whatever it holds.
	mdLinkRE = regexp.MustCompile(`!?\[([^\[\]\n]*)\](?:\([^)\n]*\)|[ \t]+\([^)\s]*\))`)
	// markerTextRE is the text of a citation marker: numbers, commas, dashes.
	markerTextRE = regexp.MustCompile(`^[\d\s,–-]+$`)
	// autolinkRE is a Markdown autolink, "<http://…>" or "<www.…>" or "<user@host>".
	autolinkRE = regexp.MustCompile(`<[^<>\s]*[:.@][^<>\s]*>`)
	// defangedRE is a host whose dots are bracketed or spelled out ("evil[.]com",
	// "evil(dot)com", "evil [.] com"), with whatever path follows.
	defangedRE = regexp.MustCompile(`(?i)[\p{L}\p{N}_-]+(?:\s?[\[({]\s?(?:\.|dot)\s?[\])}]\s?[\p{L}\p{N}_-]+)+[^\s()\[\]<>"]*`)
	// tokenRE is a run of characters that can belong to a link: brackets and quotes end
	// it, so a marker or a quotation next to a link survives the link's removal.
	tokenRE = regexp.MustCompile(`[^\s()\[\]<>"“”'‘’]+`)
	// argsRE is the parenthesised part of a link that tokenRE left out,
	// "javascript:alert(1)".
	argsRE = regexp.MustCompile(`^\([^()\s]*\)`)
	// linkishRE is a token that is, or hides, a link: anything with "://" (whatever is glued
	// in front: "0http://", "_https://"), defanged or disguised schemes ("hxxp", "h**p"),
	// "www." anywhere, a scheme a client may open, a protocol-relative "//host", an e-mail
	// address, a bare host name with a letter top-level domain ("evil.example/path"), or an
	// IPv4 address with a port or a path ("1.2.3.4:8080", "1.2.3.4/x").
	linkishRE = regexp.MustCompile(`(?i)://|^h[xt*]{2}ps?\b|www\.|^(?:javascript|data|mailto|file|ftp|tel|sms|ssh|irc|magnet|discord):|^//\w|` +
		`^[^@\s]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}$|^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}(?::\d+)?(?:[/?#].*)?$|` +
		`^\d{1,3}(?:\.\d{1,3}){3}(?::\d+|[/?#].*)`)
	// dotsRE are the full stops a browser reads as the dot of a host name: ideographic
	// and half-width ones (full-width ones become "." by NFKC).
	dotsRE = strings.NewReplacer("。", ".", "｡", ".", "︒", ".")
	// emptyParensRE is a pair of parentheses a removed link left empty.
	emptyParensRE = regexp.MustCompile(`[ \t]*\([ \t]*\)`)
)

// stripLinks removes every link-like token from s, keeping the sentence punctuation after
// it, and returns the new text and how many it removed. It repeats until nothing is left to
// remove: a removal can join what stood around it into a new link ("evil(http://a).com"
// leaves "evil.com"; found by FuzzStripLinks's check). Each round that removes something
// shortens s, so the repetition ends.
func stripLinks(s string) (string, int) {
	total := 0
	for {
		out, n := stripLinksOnce(s)
		if n == 0 {
			return s, total
		}
		s, total = out, total+n
	}
}

// stripLinksOnce is one round of stripLinks.
func stripLinksOnce(s string) (string, int) {
	n := 0
	s = mdLinkRE.ReplaceAllStringFunc(s, func(m string) string {
		n++
		label := mdLinkRE.FindStringSubmatch(m)[1]
		if markerTextRE.MatchString(label) {
			return "[" + label + "]"
		}
		return label
	})
	s = autolinkRE.ReplaceAllStringFunc(s, func(string) string { n++; return "" })
	s = defangedRE.ReplaceAllStringFunc(s, func(string) string { n++; return "" })
	var b strings.Builder
	at, removed := 0, n
	for _, loc := range tokenRE.FindAllStringIndex(s, -1) {
		if loc[0] < at {
			continue
		}
		tok := s[loc[0]:loc[1]]
		core := strings.TrimRight(tok, ".,;:!?")
		if !linkishRE.MatchString(dotsRE.Replace(norm.NFKC.String(core))) {
			continue
		}
		n++
		b.WriteString(s[at:loc[0]])
		at = loc[0] + len(core)
		if a := argsRE.FindString(s[at:]); a != "" && at == loc[1] {
			at += len(a)
		}
	}
	s = b.String() + s[at:]
	if n > removed {
		s = emptyParensRE.ReplaceAllString(s, "")
	}
	return s, n
}
