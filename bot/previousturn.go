package bot

import (
	"context"
	"regexp"
	"slices"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// A follow-up in footnote's thread is asked with the thread's previous turn: the question
// and footnote's answer to it, read back from the thread. An answer spans up to
// maxAnswerMessages messages, written for Discord (escaped article text, [n] markers,
// bylines with date markup); the engine gets it back as the plain words of the answer and
// its quotes, like the console's previousAnswer, and nothing at all when the answer was
// not covered or was an error, which name no subject a follow-up could lean on.

// previousTurn returns the question asked before message id in footnote's thread (the
// newest earlier message by a member, or else the message the thread was opened on, which
// shares the thread's id) and footnote's answer to it (all its messages after that
// question, as previousTurnAnswer reads them). Either is "" when it cannot be read.
func (b *Bot) previousTurn(ctx context.Context, thread dg.Channel, id, self string) (question, answer string) {
	msgs, err := b.session.ChannelMessages(thread.ID, 20, id, "", "", dg.WithContext(ctx))
	if err != nil {
		b.log.Warn("read thread history", "guild_id", thread.GuildID, "channel_id", thread.ID, "err", err)
	}
	var said []*dg.Message // footnote's messages after the question, newest first
	for _, pm := range msgs {
		switch {
		case pm.Author == nil:
		case pm.Author.ID == self:
			said = append(said, pm)
		case pm.Author.Bot:
		default:
			if q := b.stripMentions(pm.Content, thread.GuildID, self); readsAsQuestion(q) {
				return q, previousTurnAnswer(said)
			}
		}
	}
	answer = previousTurnAnswer(said)
	if thread.ParentID == "" {
		return "", answer
	}
	start, err := b.session.ChannelMessage(thread.ParentID, thread.ID, dg.WithContext(ctx))
	if err != nil {
		b.log.Warn("read thread's first message", "guild_id", thread.GuildID, "channel_id", thread.ID, "err", err)
		return "", answer
	}
	return b.stripMentions(start.Content, thread.GuildID, self), answer
}

var (
	// citedTitle is the start of a covered answer's embed title: its markers, "[1] [3] ".
	citedTitle = regexp.MustCompile(`^(\[\d{1,3}\] )+`)
	// quoteLead is the marker before a quote in an embed: "> **[2]** ".
	quoteLead = regexp.MustCompile(`^> \*\*\[\d{1,3}\]\*\* `)
	// markdownEscape is a backslash escapeMarkdown put before a character.
	markdownEscape = regexp.MustCompile(`\\([` + regexp.QuoteMeta(markdownUnescapable) + `])`)
)

// previousTurnAnswer is what a follow-up carries of footnote's messages (newest first):
// the answer's words and its quotes as the article gives them, or "" when the messages are
// no covered answer (not covered, an error: no embed cites a passage).
func previousTurnAnswer(said []*dg.Message) string {
	said = slices.Clone(said)
	slices.Reverse(said)
	covered := false
	var body, quotes []string
	for _, m := range said {
		if isNotCovered(m.Content) {
			return ""
		}
		body = append(body, plainBody(m.Content))
		for _, e := range m.Embeds {
			if e == nil || !citedTitle.MatchString(e.Title) {
				continue
			}
			covered = true
			for _, part := range strings.Split(e.Description, quoteGap) {
				if quoteLead.MatchString(part) { // not the byline
					quotes = append(quotes, plainQuote(part))
				}
			}
		}
	}
	if !covered {
		return ""
	}
	return strings.Join(strings.Fields(strings.Join(append(body, quotes...), "\n")), " ")
}

// isNotCovered reports whether content is a not-covered answer, in English or any
// catalogue language.
func isNotCovered(content string) bool {
	for _, l := range append(languages(), "") {
		for _, n := range []int{0, 1} {
			if strings.Contains(content, notCovered(l, n)) {
				return true
			}
		}
	}
	return false
}

// plainBody is an answer's body as the model or the article wrote it: without the
// engine's note, the [n] markers, date markup and Markdown escapes.
func plainBody(s string) string {
	s = strings.TrimPrefix(s, retrieval.SlowModelNote)
	s = dropMarkers(s)
	s = discordDateRE.ReplaceAllString(s, "")
	return markdownEscape.ReplaceAllString(s, "$1")
}

// dropMarkers removes citation markers [n] (those escapeBody left unescaped), keeping an
// escaped \[n\] from the article.
func dropMarkers(s string) string {
	var sb strings.Builder
	last := 0
	for _, m := range bareMarker.FindAllStringIndex(s, -1) {
		if m[0] > 0 && s[m[0]-1] == '\\' {
			continue
		}
		sb.WriteString(s[last:m[0]])
		last = m[1]
	}
	sb.WriteString(s[last:])
	return sb.String()
}

// bareMarker is a citation marker as escapeBody leaves it in an answer's body.
var bareMarker = regexp.MustCompile(`\[\d{1,3}\]`)

// plainQuote is a quote of an embed as the article gives it: without the block-quote
// markup, its marker and Markdown escapes.
func plainQuote(part string) string {
	lines := strings.Split(quoteLead.ReplaceAllString(part, "> "), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(strings.TrimPrefix(l, ">"), " ")
	}
	return markdownEscape.ReplaceAllString(strings.Join(lines, "\n"), "$1")
}
