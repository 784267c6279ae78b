package bot

import "context"

// RegisterOnStart registers the commands as `footnote serve` starts, from shard 0 only:
// commands belong to the application, not to a shard, so one process registering them is
// enough, and every shard doing it would spend the application's registration rate limit
// (and race) for nothing. A failed registration is logged as an error and does not stop
// the bot: the commands registered before keep working, and the next start tries again.
// Without a token (an HTTP-only deployment) it logs that commands were not registered.
func (b *Bot) RegisterOnStart(ctx context.Context) {
	switch {
	case b.cfg.Token == "":
		b.log.Warn("slash commands not registered: that needs DISCORD_TOKEN")
	case b.cfg.ShardID != 0:
		b.log.Info("slash commands left to shard 0", "shard_id", b.cfg.ShardID)
	default:
		if err := b.RegisterCommands(ctx); err != nil {
			b.log.Error("slash commands not registered; serving with the commands Discord already has",
				"err", err)
		}
	}
}
