package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/footnote-bot/footnote/retrieval"
)

// /ask question:<text> [since:<YYYY-MM-DD>] [source:<site>]

// prepareAsk checks the question and parses since: into r.since, for askOptions.
func (b *Bot) prepareAsk(r *request) error {
	if err := b.checkQuestion(r.opts["question"]); err != nil {
		return err
	}
	if s := strings.TrimSpace(r.opts["since"]); s != "" {
		since, err := retrieval.ParseDate(s)
		if err != nil {
			return errBadDate
		}
		r.since = since
	}
	return nil
}

// checkQuestion refuses an empty or over-long question.
func (b *Bot) checkQuestion(q string) error {
	q = strings.TrimSpace(q)
	if q == "" {
		return retrieval.ErrQuestionEmpty
	}
	if runeLen(q) > b.cfg.MaxQuestionLen {
		return &questionTooLongError{max: b.cfg.MaxQuestionLen}
	}
	return nil
}

func (b *Bot) runAsk(ctx context.Context, r *request) error {
	_, err := b.answer(ctx, r, strings.TrimSpace(r.opts["question"]), askOptions(r))
	return err
}

// askOptions turns /ask's options, checked and parsed by prepareAsk, into the engine's.
func askOptions(r *request) retrieval.AskOptions {
	return retrieval.AskOptions{
		AskedBy: r.userID,
		Filter:  retrieval.Filter{Site: strings.TrimSpace(r.opts["source"]), Since: r.since},
	}
}

// answer asks the engine in the request's guild collection, sends the rendered answer and
// returns it; /ask, mentions and the console share it.
func (b *Bot) answer(ctx context.Context, r *request, question string, opts retrieval.AskOptions) (*retrieval.Answer, error) {
	ans, err := b.eng.Ask(ctx, r.guildID, question, opts)
	if err != nil {
		return nil, fmt.Errorf("ask: %w", err)
	}
	b.metrics.observeAnswer(ans)
	if err := b.send(ctx, r, renderAnswerIn(ans, r.lang())); err != nil {
		return nil, err
	}
	b.metrics.answer.Observe(b.now().Sub(r.start).Seconds())
	b.log.Debug("answered", "guild_id", r.guildID, "mode", ans.Mode, "covered", ans.Covered,
		"citations", len(ans.Citations), "question_id", ans.QuestionID, "took_ms", ans.Took.Milliseconds())
	return ans, nil
}

// send delivers messages: the first replaces the deferred reply, the others follow it,
// ephemeral when the reply is. A failure after the first part is a *partlySentError.
func (b *Bot) send(ctx context.Context, r *request, msgs []message) error {
	for i, m := range msgs {
		m.ephemeral = r.ack == ackEphemeral
		var err error
		if i == 0 {
			err = r.reply.edit(ctx, m)
		} else {
			err = r.reply.followup(ctx, m)
		}
		if err != nil {
			err = fmt.Errorf("send part %d of %d: %w", i+1, len(msgs), err)
			if i > 0 {
				return &partlySentError{err: err}
			}
			return err
		}
	}
	return nil
}

// previousAnswer is what a follow-up carries of an earlier answer: its text and its quotes.
func previousAnswer(a *retrieval.Answer) string {
	if !a.Covered {
		return "" // "not covered" names no subject a follow-up could lean on
	}
	parts := []string{a.Text}
	for _, c := range a.Citations {
		parts = append(parts, c.Quote)
	}
	return strings.Join(parts, "\n")
}
