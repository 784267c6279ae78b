package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	dg "github.com/bwmarrin/discordgo"
)

// The message context menus (Apps on a message): ask about it, or add the links in it.
// Discord sends the target message's text in the interaction itself, so both work without
// the Message Content intent.

const (
	askMessageCommand = "Ask footnote about this message"
	addLinksCommand   = "Add this link"
	// maxLinksAdded bounds how many links one "Add this link" fetches: a message full of
	// links should not hold a worker for minutes, and five replies still read as one.
	maxLinksAdded = 5
)

// errNoLinks is a message with no http(s) link to add.
var errNoLinks = errors.New("no link in the message")

// linkPattern finds http(s) links in message text; <…> around a link (no preview) and
// closing punctuation are trimmed by messageLinks.
var linkPattern = regexp.MustCompile(`https?://[^\s<>|"]+`)

// targetContent is the text of a message command's target message, "" if absent.
func targetContent(d dg.ApplicationCommandInteractionData) string {
	if d.Resolved == nil || d.Resolved.Messages == nil {
		return ""
	}
	if m := d.Resolved.Messages[d.TargetID]; m != nil {
		return m.Content
	}
	return ""
}

func (b *Bot) prepareAskMessage(r *request) error {
	return b.checkQuestion(askedText(r.opts["message"]))
}

// runAskMessage asks the target message's text as the question; the answer is ephemeral.
func (b *Bot) runAskMessage(ctx context.Context, r *request) error {
	_, err := b.answer(ctx, r, askedText(r.opts["message"]), askOptions(r))
	return err
}

// askedText is a target message's text as a question: without user, role and channel
// mentions (markupRE), which are ids, not words, spaces tidied as stripMention does.
func askedText(content string) string {
	content = markupRE.ReplaceAllStringFunc(content, func(m string) string {
		if markupRE.FindStringSubmatch(m)[1] != "" {
			return " "
		}
		return m
	})
	return strings.Join(strings.Fields(content), " ")
}

func (b *Bot) prepareAddLinks(r *request) error {
	if len(messageLinks(r.opts["message"])) == 0 {
		return errNoLinks
	}
	return nil
}

// runAddLinks adds each link of the target message as /add url would, and reports each.
func (b *Bot) runAddLinks(ctx context.Context, r *request) error {
	links := messageLinks(r.opts["message"])
	l := r.lang()
	var lines []string
	for _, link := range links[:min(len(links), maxLinksAdded)] {
		added, err := b.eng.AddURL(ctx, r.guildID, link, r.userID)
		if added != nil && added.DuplicateOf != "" {
			err = &duplicateError{of: added.DuplicateOf}
		}
		if err != nil {
			text, _ := b.explain(r, fmt.Errorf("add %s: %w", link, err))
			lines = append(lines, fmt.Sprintf("<%s>: %s", link, text))
			continue
		}
		lines = append(lines, renderAdded(l, added))
	}
	if n := len(links) - maxLinksAdded; n > 0 {
		lines = append(lines, l.trn(n, "%[1]d more link not added: footnote adds %[2]d from one message.",
			"%[1]d more links not added: footnote adds %[2]d from one message.", n, maxLinksAdded))
	}
	return r.reply.edit(ctx, message{content: truncate(strings.Join(lines, "\n\n"), maxContent)})
}

// messageLinks returns the distinct http(s) links in text, in order.
func messageLinks(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkPattern.FindAllString(text, -1) {
		l = strings.TrimRight(l, ".,;:!?)]}'*_~`")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
