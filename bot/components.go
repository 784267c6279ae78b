package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// Custom ids carry everything a button needs, so that any process can serve the click:
//
//	psg:<chunk id>:<n>    show passage n in full (ephemeral)
//	fb:up:<question id>   👍
//	fb:down:<question id> 👎: ask for a reason (a form, feedbackmodal.go)
//	fbr:<question id>     the reason menu that 👎 showed before the form
//	art:<page>:<query>    a page of /articles
//
// They stay within Discord's 100 characters: ids are at most 20 digits, and the query is
// cut to fit.

// passageButton shows passage n (chunk chunkID) in full; its label is in language l.
func passageButton(l lang, chunkID int64, n int) dg.Button {
	return dg.Button{
		Label:    l.trf("Passage %d", n),
		Style:    dg.SecondaryButton,
		CustomID: fmt.Sprintf("psg:%d:%d", chunkID, n),
	}
}

// feedbackRow is 👍 / 👎 under an answer, labelled in language l.
func feedbackRow(l lang, questionID int64) dg.ActionsRow {
	return dg.ActionsRow{Components: []dg.MessageComponent{
		dg.Button{Label: l.tr("Helpful"), Emoji: &dg.ComponentEmoji{Name: "👍"}, Style: dg.SecondaryButton,
			CustomID: fmt.Sprintf("fb:up:%d", questionID)},
		dg.Button{Label: l.tr("Not helpful"), Emoji: &dg.ComponentEmoji{Name: "👎"}, Style: dg.SecondaryButton,
			CustomID: fmt.Sprintf("fb:down:%d", questionID)},
	}}
}

// reasons are the choices offered after 👎, as stored in retrieval.Feedback.Reason; the
// catalogues translate each label and description.
var reasons = []dg.SelectMenuOption{
	{Value: "wrong_source", Label: "Wrong source", Description: "A quote doesn't support what it is cited for"},
	{Value: "outdated", Label: "Outdated", Description: "Newer articles say otherwise"},
	{Value: "incomplete", Label: "Incomplete", Description: "It leaves out something that matters"},
	{Value: "other", Label: "Other", Description: "Something else is wrong"},
}

// dispatchComponent routes a button click or menu choice by its custom id.
func (b *Bot) dispatchComponent(ctx context.Context, r *request, d dg.MessageComponentInteractionData) {
	r.values = d.Values
	parts := strings.SplitN(d.CustomID, ":", 3)
	switch {
	case parts[0] == "psg" && len(parts) == 3:
		r.kind, r.opts = "passage", map[string]string{"chunk": parts[1], "n": parts[2]}
		b.admit(ctx, r, plan{ack: ackEphemeral, prepare: preparePassage, run: b.runPassage})
	case parts[0] == "fb" && len(parts) == 3 && parts[1] == "up":
		r.kind, r.opts = "feedback", map[string]string{"question": parts[2]}
		b.admit(ctx, r, plan{ack: ackEphemeral, prepare: prepareFeedback, run: b.runHelpful})
	case parts[0] == "fb" && len(parts) == 3 && parts[1] == "down":
		r.kind, r.opts = "feedback", map[string]string{"question": parts[2]}
		b.openReasonModal(ctx, r)
	case parts[0] == "fbr" && len(parts) == 2:
		r.kind, r.opts = "feedback", map[string]string{"question": parts[1]}
		b.admit(ctx, r, plan{ack: ackUpdate, prepare: prepareFeedback, run: b.runReason})
	case parts[0] == "art" && len(parts) == 3:
		r.kind, r.opts = "page", map[string]string{"page": parts[1], "query": parts[2]}
		b.admit(ctx, r, plan{ack: ackUpdate, prepare: b.prepareArticles, run: b.runArticles})
	default:
		r.kind = "unknown_button"
		b.finish(ctx, r, errStale)
	}
}

func preparePassage(r *request) error {
	if _, err := strconv.ParseInt(r.opts["chunk"], 10, 64); err != nil {
		return errStale
	}
	if _, err := strconv.Atoi(r.opts["n"]); err != nil {
		return errStale
	}
	return nil
}

// runPassage shows the full passage of a citation, to the clicker only.
func (b *Bot) runPassage(ctx context.Context, r *request) error {
	chunk, _ := strconv.ParseInt(r.opts["chunk"], 10, 64)
	n, _ := strconv.Atoi(r.opts["n"])
	pv, err := b.eng.Passage(ctx, r.guildID, chunk)
	if err != nil {
		return fmt.Errorf("passage %d: %w", chunk, err)
	}
	return r.reply.edit(ctx, renderPassage(r.lang(), pv, n))
}

// renderPassage shows passage n in full, footnote's words in language l.
func renderPassage(l lang, pv *retrieval.PassageView, n int) message {
	return message{
		content: l.trf("Passage %d in full:", n),
		embeds: []*dg.MessageEmbed{{
			Title:       truncate(escapeMarkdown(titleOf(pv.Title, pv.URL)), maxEmbedTitle),
			URL:         linkable(pv.URL),
			Description: passageDescription(l, pv),
		}},
	}
}

// passageDescription is a passage's byline, then its text, escaped, within Discord's
// 4,096 characters.
func passageDescription(l lang, pv *retrieval.PassageView) string {
	text := escapeMarkdown(strings.TrimSpace(pv.Text))
	if head := byline(l, resultFacts(pv.Result)); head != "" {
		text = head + "\n\n" + text
	}
	return truncate(text, maxEmbedDesc)
}

func prepareFeedback(r *request) error {
	if id, err := strconv.ParseInt(r.opts["question"], 10, 64); err != nil || id <= 0 {
		return errStale
	}
	return nil
}

// feedbackFor is the feedback of r's member on r's question, verdict not yet set.
func feedbackFor(r *request) retrieval.Feedback {
	id, _ := strconv.ParseInt(r.opts["question"], 10, 64)
	return retrieval.Feedback{Collection: r.guildID, QuestionID: id, User: r.userID}
}

// runHelpful records a 👍.
func (b *Bot) runHelpful(ctx context.Context, r *request) error {
	fb := feedbackFor(r)
	fb.Helpful = true
	if err := b.eng.RecordFeedback(ctx, fb); err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return r.reply.edit(ctx, message{content: r.lang().tr("Thanks! footnote noted that this answer helped.")})
}

// runReason records a 👎 with the chosen reason and replaces the menu with thanks.
func (b *Bot) runReason(ctx context.Context, r *request) error {
	var reason *dg.SelectMenuOption
	for i := range reasons {
		if len(r.values) == 1 && reasons[i].Value == r.values[0] {
			reason = &reasons[i]
		}
	}
	if reason == nil {
		return errStale
	}
	fb := feedbackFor(r)
	fb.Reason = reason.Value
	if err := b.eng.RecordFeedback(ctx, fb); err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return r.reply.edit(ctx, message{content: notHelpfulThanks(r.lang(), reason.Label)})
}

// notHelpfulThanks thanks a member, in language l, for a 👎 with the reason whose English
// label is label (lowercased in English; other languages keep their label's case, as
// German capitalises its nouns).
func notHelpfulThanks(l lang, label string) string {
	reason := l.tr(label)
	if l == "" {
		reason = strings.ToLower(label)
	}
	return l.trf("Thanks! footnote noted that this answer was not helpful (%s).", reason)
}

// customIDs lists the custom ids of the buttons and menus in comps.
func customIDs(comps []dg.MessageComponent) []string {
	var ids []string
	for _, c := range comps {
		switch c := c.(type) {
		case dg.ActionsRow:
			ids = append(ids, customIDs(c.Components)...)
		case *dg.ActionsRow:
			ids = append(ids, customIDs(c.Components)...)
		case dg.Button:
			ids = append(ids, c.CustomID)
		case *dg.Button:
			ids = append(ids, c.CustomID)
		case dg.SelectMenu:
			ids = append(ids, c.CustomID)
		case *dg.SelectMenu:
			ids = append(ids, c.CustomID)
		}
	}
	return ids
}
