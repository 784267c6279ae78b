package bot

import (
	"context"
	"fmt"
	"strings"
)

// /help: what footnote can do, in this server, with its settings now. Ephemeral.

func (b *Bot) runHelp(ctx context.Context, r *request) error {
	_, total, err := b.eng.ListArticles(ctx, r.guildID, "", 0, 1)
	if err != nil {
		return fmt.Errorf("help: count articles: %w", err)
	}
	l := r.lang()
	settings := b.describeSettings(l, b.guildSettings(ctx, r.guildID), false)
	return r.reply.edit(ctx, message{content: renderHelp(l, total, settings, b.isAdmin(ctx, r))})
}

// renderHelp is /help's text, in language l, for a server tracking articles articles,
// whose settings read settings (describeSettings), for a member who is an admin or not.
func renderHelp(l lang, articles int, settings string, admin bool) string {
	var sb strings.Builder
	sb.WriteString(l.tr("**footnote** answers questions about the articles this server tracks, quoting them; " +
		"every answer cites its sources, and footnote says so when they don't cover a question."))
	sb.WriteString("\n\n")
	switch articles {
	case 0:
		sb.WriteString(l.tr("This server tracks **no articles yet**: add one with /add first."))
	default:
		sb.WriteString(l.trn(articles, "This server tracks **%d article**.", "This server tracks **%d articles**.", articles))
	}
	sb.WriteString("\n\n")
	sb.WriteString(l.tr("**Asking**\n" +
		"• /ask question: … — optionally since: (YYYY-MM-DD) and source: (a site; suggestions as you type)\n" +
		"• @footnote and your question, in a channel: the answer comes in a thread, where you can follow up\n" +
		"• On any message: Apps → Ask footnote about this message\n" +
		"• Under an answer: Passage buttons show a quote in full; 👍 / 👎 tell footnote how it did"))
	sb.WriteString("\n\n")
	sb.WriteString(l.tr("**Articles**\n" +
		"• /add url: … or /add file: … (.txt, .md, .html); on a message: Apps → Add this link\n" +
		"• /articles [query:] [page:] lists them, newest first\n" +
		"• /remove url: … — the member who added it, or an admin (suggestions as you type)\n" +
		"• /track feed: … [channel:] [every:] follows a news feed; /feeds lists them; /untrack feed: … stops"))
	sb.WriteString("\n\n")
	sb.WriteString(l.tr("**This server's settings** (admins change them with /settings)"))
	sb.WriteString("\n" + settings + "\n")
	sb.WriteString(l.tr("Admins can remove any article and run /reindex."))
	sb.WriteString(" " + l.tr("Admins can also list what members asked that the articles don't answer with /gaps."))
	if admin {
		sb.WriteString(" " + l.tr("You are an admin here."))
	}
	return sb.String()
}
