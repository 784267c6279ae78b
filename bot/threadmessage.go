package bot

import (
	"strings"
	"unicode"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// In footnote's own thread members also chat ("thanks!", a picture, "lol"), so a message
// there is answered only when it is addressed to footnote: it mentions footnote, replies to
// one of footnote's messages, or reads as a question or request. A message with no text
// (an image, a sticker, or one whose text the gateway withholds without the Message Content
// intent) is never answered.

// questionStarts are first words that make a sentence a question even without a question
// mark: the wh-words and the auxiliary verbs a yes/no question opens with.
var questionStarts = map[string]bool{
	"who": true, "whom": true, "whose": true, "what": true, "whats": true, "what's": true, "which": true,
	"when": true, "where": true, "why": true, "how": true, "hows": true, "how's": true,
	"is": true, "are": true, "was": true, "were": true, "am": true,
	"do": true, "does": true, "did": true, "can": true, "could": true, "will": true, "would": true,
	"should": true, "shall": true, "may": true, "might": true, "must": true,
	"has": true, "have": true, "had": true,
	"isn't": true, "aren't": true, "wasn't": true, "weren't": true, "don't": true, "doesn't": true,
	"didn't": true, "can't": true, "won't": true, "wouldn't": true, "shouldn't": true,
	"hasn't": true, "haven't": true,
}

// requestStarts are imperative openings that ask footnote for something and that
// text.StripRequest (which knows only requests for an overview) does not cover.
var requestStarts = []string{"explain", "describe", "list", "show me", "find", "compare", "define",
	"give me", "tell me", "remind me", "and what", "and when", "and who", "and where", "and how", "and why"}

// readsAsQuestion reports whether q reads as a question or a request to footnote.
func readsAsQuestion(q string) bool {
	q = strings.TrimSpace(q)
	if q == "" {
		return false
	}
	if strings.ContainsAny(q, "?？") {
		return true
	}
	if _, ok := text.StripRequest(q); ok {
		return true
	}
	lower := strings.ToLower(q)
	lower = strings.ReplaceAll(lower, "’", "'")
	first := strings.FieldsFunc(lower, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if len(first) > 0 && questionStarts[strings.TrimRight(first[0], ".!:;")] {
		return true
	}
	lower = strings.TrimPrefix(lower, "please ")
	for _, p := range requestStarts {
		if strings.HasPrefix(lower, p+" ") {
			return true
		}
	}
	return false
}

// repliesTo reports whether m replies to a message by the user self.
func repliesTo(m *dg.Message, self string) bool {
	ref := m.ReferencedMessage
	return ref != nil && ref.Author != nil && ref.Author.ID == self
}

// addressedInThread reports whether a message in footnote's thread, with question its text
// stripped of mentions, is for footnote to answer.
func addressedInThread(m *dg.Message, question, self string, mentioned bool) bool {
	if question == "" {
		return false
	}
	return mentioned || repliesTo(m, self) || readsAsQuestion(question)
}
