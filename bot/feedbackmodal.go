package bot

import (
	"context"
	"fmt"
	"strings"

	dg "github.com/bwmarrin/discordgo"
)

// 👎 opens a form (a modal): the reason, typed as one of the choices, and a free-text
// comment, stored with the feedback. Its custom id is "fbm:<question id>".

const (
	// maxFeedbackComment is the longest comment the form takes: room for a few sentences,
	// short enough that a page of feedback stays readable.
	maxFeedbackComment = 1000
	// maxReasonInput bounds the reason box: the longest choice is a few words.
	maxReasonInput = 40
	reasonInputID  = "reason"
	commentInputID = "comment"
)

// openReasonModal answers a 👎 at once with the form; nothing is stored until it is sent.
func (b *Bot) openReasonModal(ctx context.Context, r *request) {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := b.check(ctx, r, plan{prepare: prepareFeedback}); err != nil {
		b.finish(ctx, r, err)
		return
	}
	labels := make([]string, len(reasons))
	for i, o := range reasons {
		labels[i] = strings.ToLower(o.Label)
	}
	modal := &dg.InteractionResponse{Type: dg.InteractionResponseModal, Data: &dg.InteractionResponseData{
		CustomID: "fbm:" + r.opts["question"],
		Title:    "What was wrong with the answer?",
		Components: []dg.MessageComponent{
			dg.ActionsRow{Components: []dg.MessageComponent{dg.TextInput{
				CustomID: reasonInputID, Label: "Reason", Style: dg.TextInputShort, Required: true,
				Placeholder: strings.Join(labels, ", "), MaxLength: maxReasonInput,
			}}},
			dg.ActionsRow{Components: []dg.MessageComponent{dg.TextInput{
				CustomID: commentInputID, Label: "What was wrong? (optional)", Style: dg.TextInputParagraph,
				Placeholder: "For example: the quote is about last year's budget", MaxLength: maxFeedbackComment,
			}}},
		},
	}}
	ir, ok := r.reply.(*interactionReplier)
	if !ok {
		return
	}
	if err := ir.ack(ctx, modal); err != nil {
		b.log.Warn("acknowledge failed", "command", r.kind, "guild_id", r.guildID, "err", err)
		b.metrics.interactions.WithLabelValues(r.kind, outcomeAckFailed).Inc()
		return
	}
	b.finish(ctx, r, nil)
}

// dispatchModal routes a submitted form by its custom id.
func (b *Bot) dispatchModal(ctx context.Context, r *request, d dg.ModalSubmitInteractionData) {
	id, ok := strings.CutPrefix(d.CustomID, "fbm:")
	if !ok {
		r.kind = "unknown_modal"
		b.finish(ctx, r, errStale)
		return
	}
	r.kind = "feedback"
	r.opts = modalValues(d.Components)
	r.opts["question"] = id
	b.admit(ctx, r, plan{ack: ackEphemeral, prepare: prepareFeedback, run: b.runReasonModal})
}

// modalValues collects a form's text inputs by custom id.
func modalValues(comps []dg.MessageComponent) map[string]string {
	out := map[string]string{}
	for _, c := range comps {
		switch c := c.(type) {
		case *dg.ActionsRow:
			for k, v := range modalValues(c.Components) {
				out[k] = v
			}
		case *dg.TextInput:
			out[c.CustomID] = c.Value
		}
	}
	return out
}

// runReasonModal records a 👎 with the reason and the comment from the form.
func (b *Bot) runReasonModal(ctx context.Context, r *request) error {
	typed := strings.TrimSpace(r.opts[reasonInputID])
	reason, label := matchReason(typed)
	comment := strings.TrimSpace(r.opts[commentInputID])
	if reason == "other" && typed != "" && !strings.EqualFold(typed, "other") {
		comment = strings.TrimSpace("Reason: " + typed + "\n" + comment) // kept, not lost
	}
	fb := feedbackFor(r)
	fb.Reason = reason
	fb.Comment = truncate(comment, maxFeedbackComment+maxReasonInput+len("Reason: \n"))
	if err := b.eng.RecordFeedback(ctx, fb); err != nil {
		return fmt.Errorf("record feedback: %w", err)
	}
	return r.reply.edit(ctx, message{
		content: fmt.Sprintf("Thanks! footnote noted that this answer was not helpful (%s).", strings.ToLower(label)),
	})
}

// matchReason maps what a member typed in the reason box to a reason value and label:
// its value, its label or the label's first word, in any case; anything else is "other".
func matchReason(typed string) (value, label string) {
	norm := strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(typed, "_", " ")), " "))
	for _, o := range reasons {
		l := strings.ToLower(o.Label)
		first, _, _ := strings.Cut(l, " ")
		if norm != "" && (norm == l || norm == strings.ReplaceAll(o.Value, "_", " ") || norm == first) {
			return o.Value, o.Label
		}
	}
	return "other", "Other"
}
