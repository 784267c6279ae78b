package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/footnote-bot/footnote/retrieval"
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
	return r.reply.edit(ctx, message{content: renderFeeds(feeds)})
}

// renderFeeds lists feeds: title and link, last success, last error, next poll, articles.
func renderFeeds(feeds []retrieval.Feed) string {
	if len(feeds) == 0 {
		return "This server follows no feeds. Follow one with /track feed:<link>."
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "This server follows %d feed%s:", len(feeds), plural(len(feeds)))
	for _, f := range feeds[:min(len(feeds), maxFeedsListed)] {
		sb.WriteString("\n\n" + feedEntry(f))
	}
	if rest := len(feeds) - maxFeedsListed; rest > 0 {
		fmt.Fprintf(&sb, "\n\n…and %d more.", rest)
	}
	return truncate(sb.String(), maxContent)
}

// feedEntry is one feed of /feeds.
func feedEntry(f retrieval.Feed) string {
	text := "**" + truncate(escapeMarkdown(oneLineText(titleOf(f.Title, f.URL))), 100) + "**"
	if f.Paused {
		text += " (paused after failing; /track it again to resume)"
	}
	if link := linkable(f.URL); link != "" && runeLen(link) <= 300 {
		text += "\n<" + link + ">"
	}
	facts := []string{fmt.Sprintf("%d article%s", f.Articles, plural(f.Articles)), "every " + everyText(f.Every)}
	if f.LastSuccess.IsZero() {
		facts = append(facts, "never answered")
	} else {
		facts = append(facts, fmt.Sprintf("last success <t:%d:R>", f.LastSuccess.Unix()))
	}
	if !f.Paused {
		facts = append(facts, fmt.Sprintf("next poll <t:%d:R>", f.NextPoll.Unix()))
	}
	if f.Channel != "" {
		facts = append(facts, "announced in <#"+f.Channel+">")
	}
	if j := f.Poll; j != nil {
		facts = append(facts, pollJobText(*j))
	}
	text += "\n" + strings.Join(facts, " · ")
	if f.LastError != "" {
		text += "\nLast error: " + truncate(escapeMarkdown(oneLineText(f.LastError)), 200)
	}
	if j := f.Poll; j != nil && j.Phase == retrieval.JobRetrying && j.LastError != "" {
		text += "\nPoll retrying after: " + truncate(escapeMarkdown(oneLineText(j.LastError)), 200)
	}
	return text
}

// pollJobText is a feed's background poll, as the database has it.
func pollJobText(j retrieval.Job) string {
	switch j.Phase {
	case retrieval.JobRunning:
		return "polling now"
	case retrieval.JobRetrying:
		return fmt.Sprintf("poll retrying <t:%d:R> (attempt %d of %d)", j.ScheduledAt.Unix(), j.Attempt+1, j.MaxAttempts)
	}
	return "poll queued"
}
