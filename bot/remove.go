package bot

import (
	"context"
	"fmt"
	"strings"
)

// /remove url:<url>: the member who added the article, or an admin. The engine decides,
// from the requester and the admin flag footnote works out here.

func (b *Bot) prepareRemove(r *request) error {
	if strings.TrimSpace(r.opts["url"]) == "" {
		return errRemoveArgs
	}
	return nil
}

func (b *Bot) runRemove(ctx context.Context, r *request) error {
	link, err := b.resolveRemoveURL(ctx, r.guildID, strings.TrimSpace(r.opts["url"]))
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	art, err := b.eng.RemoveArticle(ctx, r.guildID, link, r.userID, b.isAdmin(ctx, r))
	if err != nil {
		return fmt.Errorf("remove: %w", err)
	}
	text := r.lang().trf("Removed **%s** and its passages; footnote no longer quotes it here.",
		truncate(escapeMarkdown(titleOf(art.Title, art.URL)), 300))
	return r.reply.edit(ctx, message{content: text})
}
