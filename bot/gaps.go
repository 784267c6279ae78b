package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// /gaps (admins): what members asked that the server's articles do not answer.

// maxGapsListed is how many gaps /gaps shows: the most asked, in one message.
const maxGapsListed = 15

// gapsCommand is /gaps, hidden from members without Manage Server by default: the list
// shows what members asked (not who).
func gapsCommand(manageServer *int64) *dg.ApplicationCommand {
	return &dg.ApplicationCommand{
		Name:                     "gaps",
		Description:              "List what members asked that the articles don't answer (admins)",
		DefaultMemberPermissions: manageServer,
	}
}

func (b *Bot) runGaps(ctx context.Context, r *request) error {
	gaps, err := b.eng.Gaps(ctx, r.guildID, time.Time{}, maxGapsListed)
	if err != nil {
		return fmt.Errorf("gaps: %w", err)
	}
	return r.reply.edit(ctx, message{content: b.cfg.Redact.String(renderGaps(r.lang(), gaps))})
}

// renderGaps is /gaps' reply in language l.
func renderGaps(l lang, gaps []retrieval.Gap) string {
	if len(gaps) == 0 {
		return l.tr("No gaps: every question asked here was answered, and no answer got a 👎.")
	}
	var sb strings.Builder
	sb.WriteString(l.trn(len(gaps), "%d question the articles here don't answer (not covered, or answered with a 👎), most asked first:",
		"%d questions the articles here don't answer (not covered, or answered with a 👎), most asked first:", len(gaps)))
	for _, g := range gaps {
		facts := []string{}
		if g.NotCovered > 0 {
			facts = append(facts, l.trf("not covered %d×", g.NotCovered))
		}
		if g.Unhelpful > 0 {
			facts = append(facts, fmt.Sprintf("👎 %d", g.Unhelpful))
		}
		facts = append(facts, l.trf("last asked <t:%d:R>", g.Last.Unix()))
		sb.WriteString(fmt.Sprintf("\n• **%d×** %s — %s", g.Asked, truncate(escapeMarkdown(oneLineText(g.Question)), 200),
			strings.Join(facts, " · ")))
	}
	return truncate(sb.String(), maxContent)
}
