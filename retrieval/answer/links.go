package answer

import (
	"regexp"
	"strings"
)

// Links in an answer come only from the database (each citation's URL), never from the
// model's text: stripLinks removes everything in it that a reader or Discord could follow.
// It is deliberately broad, since a lost word costs little (a sentence that no longer holds
// up is dropped by the support check) and a link the model was talked into writing can
// cost a reader a lot.
var (
	// mdTargetRE is the target of a Markdown link or image, "[text](target)": the text
	// stays (a citation marker keeps its number), the target goes, whatever it holds.
	mdTargetRE = regexp.MustCompile(`\]\([^)\n]*\)`)
	// autolinkRE is a Markdown autolink, "<http://…>" or "<www.…>" or "<user@host>".
	autolinkRE = regexp.MustCompile(`<[^<>\s]*[:.@][^<>\s]*>`)
	// tokenRE is a run of characters that can belong to a link: brackets and quotes end
	// it, so a marker or a quotation next to a link survives the link's removal.
	tokenRE = regexp.MustCompile(`[^\s()\[\]<>"“”'‘’]+`)
	// linkishRE is a token that is, or hides, a link: anything with "://" (whatever is glued
	// in front: "0http://", "_https://"), defanged or disguised schemes ("hxxp", "h**p"),
	// "www." anywhere, a scheme a client may open, a protocol-relative "//host", an e-mail
	// address, or a bare host name with a letter top-level domain ("evil.example/path").
	linkishRE = regexp.MustCompile(`(?i)://|^h[xt*]{2}ps?\b|www\.|^(?:javascript|data|mailto|file|ftp|tel|sms|ssh|irc|magnet|discord):|^//\w|` +
		`^[^@\s]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$|^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?::\d+)?(?:[/?#].*)?$`)
)

// stripLinks removes every link-like token from s, keeping the sentence punctuation after
// it, and returns the new text and how many it removed.
func stripLinks(s string) (string, int) {
	n := 0
	s = mdTargetRE.ReplaceAllStringFunc(s, func(string) string { n++; return "]" })
	s = autolinkRE.ReplaceAllStringFunc(s, func(string) string { n++; return "" })
	s = tokenRE.ReplaceAllStringFunc(s, func(tok string) string {
		core := strings.TrimRight(tok, ".,;:!?")
		if !linkishRE.MatchString(core) {
			return tok
		}
		n++
		return tok[len(core):]
	})
	return s, n
}
