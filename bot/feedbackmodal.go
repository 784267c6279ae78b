package bot

import (
	"context"
	"fmt"
	"strings"

	dg "github.com/bwmarrin/discordgo"
)

// 👎 opens a form (a modal): the reason, chosen from a menu, and a free-text comment,
// stored with the feedback. Its custom id is "fbm:<question id>". Each input sits in a
// Label component (modalcomponents.go), as Discord's modals take a menu; a form opened
// before footnote used them asked for the reason in a text box, and its submissions are
// still read (matchReason).

const (
	// maxFeedbackComment is the longest comment the form takes: room for a few sentences,
	// short enough that a page of feedback stays readable.
	maxFeedbackComment = 1000
	// maxReasonInput bounds the reason an older form's text box took: the longest choice
	// is a few words.
	maxReasonInput = 40
	reasonInputID  = "reason"
	commentInputID = "comment"
)

// reasonModal is the 👎 form for question id, in language l.
func reasonModal(l lang, id string) *dg.InteractionResponse {
	options := make([]dg.SelectMenuOption, len(reasons))
	for i, o := range reasons {
		options[i] = dg.SelectMenuOption{Value: o.Value, Label: l.tr(o.Label), Description: l.tr(o.Description)}
	}
	return &dg.InteractionResponse{Type: dg.InteractionResponseModal, Data: &dg.InteractionResponseData{
		CustomID: "fbm:" + id,
		Title:    l.tr("What was wrong with the answer?"),
		Components: []dg.MessageComponent{
			modalLabel{Label: l.tr("Reason"), Component: modalSelect{
				CustomID: reasonInputID, Placeholder: l.tr("Choose the reason"), Options: options, Required: true,
			}},
			modalLabel{Label: l.tr("What was wrong? (optional)"), Component: modalTextInput{
				CustomID: commentInputID, Style: dg.TextInputParagraph, MaxLength: maxFeedbackComment,
				Placeholder: l.tr("For example: the quote is about last year's budget"),
			}},
		},
	}}
}

// openReasonModal answers a 👎 at once with the form; nothing is stored until it is sent.
func (b *Bot) openReasonModal(ctx context.Context, r *request) {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := b.check(ctx, r, plan{prepare: prepareFeedback}); err != nil {
		b.finish(ctx, r, err)
		return
	}
	ir, ok := r.reply.(*interactionReplier)
	if !ok {
		return
	}
	if err := ir.ack(ctx, reasonModal(r.lang(), r.opts["question"])); err != nil {
		b.log.Warn("acknowledge failed", "command", r.kind, "guild_id", r.guildID, "err", err)
		b.metrics.interactions.WithLabelValues(r.kind, outcomeAckFailed).Inc()
		return
	}
	b.finish(ctx, r, nil)
}

// dispatchModal routes a submitted form by its custom id.
func (b *Bot) dispatchModal(ctx context.Context, r *request, d modalSubmit) {
	id, ok := strings.CutPrefix(d.CustomID, "fbm:")
	if !ok {
		r.kind = "unknown_modal"
		b.finish(ctx, r, errStale)
		return
	}
	r.kind = "feedback"
	r.opts = make(map[string]string, len(d.Values)+1)
	for k, v := range d.Values {
		r.opts[k] = strings.Join(v, " ") // one value each: a text, or the one choice of a menu
	}
	r.opts["question"] = id
	b.admit(ctx, r, plan{ack: ackEphemeral, prepare: prepareFeedback, run: b.runReasonModal})
}

// runReasonModal records a 👎 with the reason and the comment from the form.
func (b *Bot) runReasonModal(ctx context.Context, r *request) error {
	given := strings.TrimSpace(r.opts[reasonInputID])
	reason, label := matchReason(given)
	comment := strings.TrimSpace(r.opts[commentInputID])
	if reason == "other" && given != "" && !strings.EqualFold(given, "other") {
		comment = strings.TrimSpace("Reason: " + given + "\n" + comment) // typed in an older form: kept, not lost
	}
	fb := feedbackFor(r)
	fb.Reason = reason
	fb.Comment = truncate(comment, maxFeedbackComment+maxReasonInput+len("Reason: \n"))
	if err := b.eng.RecordFeedback(ctx, fb); err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return r.reply.edit(ctx, message{content: notHelpfulThanks(r.lang(), label)})
}

// matchReason maps the reason a form gave to a reason value and English label: the menu's
// value, or what a member typed in an older form's text box (a value, a label or the
// label's first word, in any case); anything else is "other".
func matchReason(given string) (value, label string) {
	norm := strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(given, "_", " ")), " "))
	for _, o := range reasons {
		l := strings.ToLower(o.Label)
		first, _, _ := strings.Cut(l, " ")
		if norm != "" && (norm == l || norm == strings.ReplaceAll(o.Value, "_", " ") || norm == first) {
			return o.Value, o.Label
		}
	}
	return "other", "Other"
}
