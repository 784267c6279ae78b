package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// /untrack feed:<url>: stop following a feed; its articles stay.

func (b *Bot) prepareUntrack(r *request) error {
	if strings.TrimSpace(r.opts["feed"]) == "" {
		return errUntracked
	}
	return nil
}

func (b *Bot) runUntrack(ctx context.Context, r *request) error {
	link := strings.TrimSpace(r.opts["feed"])
	err := b.eng.Untrack(ctx, r.guildID, link)
	switch {
	case errors.Is(err, retrieval.ErrNotFound), errors.Is(err, retrieval.ErrInvalidURL):
		return errUntracked
	case err != nil:
		return fmt.Errorf("untrack: %w", err)
	}
	shown := codeSpan(link)
	if l := linkable(link); l != "" {
		shown = "<" + l + ">"
	}
	return r.reply.edit(ctx, message{content: r.lang().trf("No longer following %s. Its articles stay; /remove removes one.", shown)})
}

// feedChoices are /untrack's autocomplete choices: the server's feeds whose title or link
// contains typed. A link longer than a choice's value may be is not offered.
func (b *Bot) feedChoices(ctx context.Context, guild, typed string) ([]*dg.ApplicationCommandOptionChoice, error) {
	feeds, err := b.eng.Feeds(ctx, guild)
	if err != nil {
		return nil, fmt.Errorf("autocomplete untrack/feed: %w", err)
	}
	typed = strings.ToLower(strings.TrimSpace(typed))
	out := []*dg.ApplicationCommandOptionChoice{}
	for _, f := range feeds {
		name := titleOf(f.Title, f.URL) + " · " + f.URL
		if len(f.URL) > maxChoiceChars || !strings.Contains(strings.ToLower(name), typed) {
			continue
		}
		out = append(out, &dg.ApplicationCommandOptionChoice{Name: choiceName(name), Value: f.URL})
		if len(out) == maxChoices {
			break
		}
	}
	return out, nil
}
