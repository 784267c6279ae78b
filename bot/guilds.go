package bot

import (
	"context"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// A server's collection is named by its guild id. When the server removes footnote
// (GUILD_DELETE without unavailable: an outage sends unavailable: true and is not a
// removal), the collection is scheduled for deletion after Config.GuildGrace; when the
// server adds footnote again (GUILD_CREATE) within it, the deletion is cancelled. The
// deletion itself is the engine's sweep (RemoveDue), which cmd/footnote runs. A removal
// footnote could not see is found by ReconcileGuilds (reconcile.go).

// guildLifecycle is what the bot needs from the engine to keep or delete a server's data
// as footnote leaves and rejoins it; *retrieval.Engine has it. With an engine that lacks
// it, the bot keeps every server's data.
type guildLifecycle interface {
	ScheduleRemoval(ctx context.Context, coll string, leftAt time.Time, grace time.Duration) error
	CancelRemoval(ctx context.Context, coll string) (bool, error)
}

// guildEventTimeout bounds the database write a guild event makes: it runs on the
// gateway's event handler, and a stuck database must not hold it long; a write that times
// out is logged, and the next GUILD_CREATE or GUILD_DELETE for that server tries again.
const guildEventTimeout = 10 * time.Second

func (b *Bot) onGuildDelete(_ *dg.Session, e *dg.GuildDelete) {
	if e.Guild == nil || e.Unavailable || !isSnowflake(e.ID) {
		return
	}
	b.guildJoined(e.ID, false)
	b.botRoles.forget(e.ID)
	lc, ok := b.eng.(guildLifecycle)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), guildEventTimeout)
	defer cancel()
	left := b.now()
	if err := lc.ScheduleRemoval(ctx, e.ID, left, b.cfg.GuildGrace); err != nil {
		b.log.Error("footnote was removed from a server, and its deletion could not be scheduled",
			"guild_id", e.ID, "err", err)
		return
	}
	b.log.Info("footnote was removed from a server; its articles will be deleted unless it is added back",
		"guild_id", e.ID, "delete_after", left.Add(b.cfg.GuildGrace).UTC().Format(time.RFC3339))
}

func (b *Bot) onGuildCreate(_ *dg.Session, e *dg.GuildCreate) {
	if e.Guild == nil || !isSnowflake(e.ID) {
		return
	}
	b.guildJoined(e.ID, true) // an outage's GUILD_CREATE too: the server still has footnote
	if e.Unavailable {
		return
	}
	lc, ok := b.eng.(guildLifecycle)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), guildEventTimeout)
	defer cancel()
	back, err := lc.CancelRemoval(ctx, e.ID)
	if err != nil {
		b.log.Error("cancel a returning server's scheduled deletion", "guild_id", e.ID, "err", err)
		return
	}
	if back {
		b.log.Info("footnote was added back to a server within the grace period; its articles are kept",
			"guild_id", e.ID)
	}
}
