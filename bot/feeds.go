package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/redact"
)

// /feeds: the feeds this server follows, with their poll state.

// maxFeedsListed is how many feeds /feeds shows in its one message; a server following
// more is told how many are left out (each feed takes about 300 characters).
const maxFeedsListed = 6

func (b *Bot) runFeeds(ctx context.Context, r *request) error {
	feeds, err := b.eng.Feeds(ctx, r.guildID)
	if err != nil {
		return fmt.Errorf("feeds: %w", err)
	}
	// A last error is what a site's server answered: masked, as every error a member sees.
	// Each text is masked before renderFeeds escapes its Markdown (an escaped "_" would
	// hide a secret holding one), and the whole again after (the links are not escaped).
	for i, f := range feeds {
		feeds[i] = maskFeed(b.cfg.Redact, f)
	}
	return r.reply.edit(ctx, message{content: b.cfg.Redact.String(renderFeeds(r.lang(), feeds))})
}

// maskFeed is f with the texts a site or a failure wrote (its title, its last error and
// its poll job's) masked by red. The job is copied, not changed.
func maskFeed(red *redact.Redactor, f retrieval.Feed) retrieval.Feed {
	f.Title, f.LastError = red.String(f.Title), red.String(f.LastError)
	if f.Poll != nil {
		j := *f.Poll
		j.LastError = red.String(j.LastError)
		f.Poll = &j
	}
	return f
}

// renderFeeds lists feeds, in language l: title and link, last success, last error, next
// poll, articles.
func renderFeeds(l lang, feeds []retrieval.Feed) string {
	if len(feeds) == 0 {
		return l.tr("This server follows no feeds. Follow one with /track feed:<link>.")
	}
	var sb strings.Builder
	sb.WriteString(l.trn(len(feeds), "This server follows %d feed:", "This server follows %d feeds:", len(feeds)))
	for _, f := range feeds[:min(len(feeds), maxFeedsListed)] {
		sb.WriteString("\n\n" + feedEntry(l, f))
	}
	if rest := len(feeds) - maxFeedsListed; rest > 0 {
		sb.WriteString("\n\n" + l.trf("…and %d more.", rest))
	}
	return truncate(sb.String(), maxContent)
}

// feedEntry is one feed of /feeds, in language l.
func feedEntry(l lang, f retrieval.Feed) string {
	text := "**" + truncate(escapeMarkdown(oneLineText(titleOf(f.Title, f.URL))), 100) + "**"
	if f.Paused {
		text += " " + l.tr("(paused after failing; /track it again to resume)")
	}
	if link := linkable(f.URL); link != "" && runeLen(link) <= 300 {
		text += "\n<" + link + ">"
	}
	facts := []string{l.trn(f.Articles, "%d article", "%d articles", f.Articles), l.trf("every %s", everyText(f.Every))}
	if f.LastSuccess.IsZero() {
		facts = append(facts, l.tr("never answered"))
	} else {
		facts = append(facts, l.trf("last success <t:%d:R>", f.LastSuccess.Unix()))
	}
	if !f.Paused {
		facts = append(facts, l.trf("next poll <t:%d:R>", f.NextPoll.Unix()))
	}
	if f.Channel != "" {
		facts = append(facts, l.trf("announced in <#%s>", f.Channel))
		if f.Unannounced > 0 {
			facts = append(facts, l.trn(f.Unannounced, "%d article waiting to be announced", "%d articles waiting to be announced", f.Unannounced))
		}
	}
	if j := f.Poll; j != nil {
		facts = append(facts, pollJobText(l, *j))
	}
	text += "\n" + strings.Join(facts, " · ")
	if f.LastError != "" {
		text += "\n" + l.tr("Last error:") + " " + truncate(escapeMarkdown(oneLineText(f.LastError)), 200)
	}
	if j := f.Poll; j != nil && j.Phase == retrieval.JobRetrying && j.LastError != "" {
		text += "\n" + l.tr("Poll retrying after:") + " " + truncate(escapeMarkdown(oneLineText(j.LastError)), 200)
	}
	return text
}

// pollJobText is a feed's background poll, as the database has it, in language l.
func pollJobText(l lang, j retrieval.Job) string {
	switch j.Phase {
	case retrieval.JobRunning:
		return l.tr("polling now")
	case retrieval.JobRetrying:
		return l.trf("poll retrying <t:%d:R> (attempt %d of %d)", j.ScheduledAt.Unix(), j.Attempt+1, j.MaxAttempts)
	}
	return l.tr("poll queued")
}
