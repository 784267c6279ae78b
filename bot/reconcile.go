package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// A server that removes footnote while footnote is not listening (stopped, or served over
// HTTP interactions, which carry no GUILD_DELETE) sends nothing footnote would see, so its
// data would be kept for ever. ReconcileGuilds closes that gap: it compares the servers
// with data against the servers footnote is in, and schedules the deletion of the others
// as a GUILD_DELETE would (and cancels it for those back).

// guildLister lists the servers' collections; *retrieval.Engine has it.
type guildLister interface {
	GuildCollections(ctx context.Context) ([]retrieval.GuildCollection, error)
}

// ErrGuildsUnknown is ReconcileGuilds before footnote knows which servers it is in: the
// gateway's current connection has not been ready yet (at start, or while it reconnects),
// or, without the gateway, there is no token to ask with.
var ErrGuildsUnknown = errors.New("bot: the servers footnote is in are not known yet")

// guildSet is the servers footnote is in, as the gateway has told this shard: READY lists
// them all (an outage's included), GUILD_CREATE adds one, a GUILD_DELETE that is no outage
// removes one. Only the process whose gateway is connected knows them: ReconcileGuilds, run
// by a background job in whichever process River picks, lists them over REST elsewhere.
// Guarded by Bot.mu.
type guildSet struct {
	// known is set by the current connection's READY, and cleared when that connection
	// drops: each connection is a new session, so the events missed in between (a server
	// adding footnote) are never replayed, and a set kept across the gap could schedule the
	// deletion of a server footnote is in.
	known bool
	ids   map[string]bool
}

func (b *Bot) guildsReady(guilds []*dg.Guild) {
	ids := make(map[string]bool, len(guilds))
	for _, g := range guilds {
		if g != nil {
			ids[g.ID] = true
		}
	}
	b.mu.Lock()
	b.guilds = guildSet{known: true, ids: ids}
	b.mu.Unlock()
}

func (b *Bot) guildJoined(id string, in bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.guilds.ids == nil {
		b.guilds.ids = map[string]bool{}
	}
	if in {
		b.guilds.ids[id] = true
	} else {
		delete(b.guilds.ids, id)
	}
}

// ReconcileGuilds schedules the deletion (after Config.GuildGrace) of every server
// collection whose server footnote is not in, and cancels it for every one whose server it
// is in again. While the gateway runs in this process this shard's servers are those it
// has been told of since its connection's READY, and other shards' (with several) are
// listed over REST (GET /users/@me/guilds); otherwise (HTTP interactions, `footnote
// worker`, or before RunGateway) all of them are listed over REST, which needs the token. It returns how many deletions it scheduled and
// cancelled, ErrGuildsUnknown when the servers cannot be known yet, and the engine's or
// Discord's error; an error changes nothing. An engine without the methods it needs makes
// it do nothing.
func (b *Bot) ReconcileGuilds(ctx context.Context) (scheduled, cancelled int, err error) {
	lister, ok1 := b.eng.(guildLister)
	lc, ok2 := b.eng.(guildLifecycle)
	if !ok1 || !ok2 {
		return 0, 0, nil
	}
	present, onShard, err := b.presentGuilds(ctx)
	if err != nil {
		return 0, 0, err
	}
	colls, err := lister.GuildCollections(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("reconcile servers: %w", err)
	}
	now := b.now()
	for _, c := range colls {
		switch {
		case !onShard(c.Collection):
		case present[c.Collection] && c.Leaving:
			if _, err := lc.CancelRemoval(ctx, c.Collection); err != nil {
				return scheduled, cancelled, fmt.Errorf("reconcile servers: %w", err)
			}
			cancelled++
			b.log.Info("footnote is in this server again; its articles are kept", "guild_id", c.Collection)
		case !present[c.Collection] && !c.Leaving:
			if err := lc.ScheduleRemoval(ctx, c.Collection, now, b.cfg.GuildGrace); err != nil {
				return scheduled, cancelled, fmt.Errorf("reconcile servers: %w", err)
			}
			scheduled++
			b.log.Info("footnote is no longer in this server; its articles will be deleted unless it is added back",
				"guild_id", c.Collection, "delete_after", now.Add(b.cfg.GuildGrace).UTC().Format(time.RFC3339))
		}
	}
	return scheduled, cancelled, nil
}

// presentGuilds returns the servers footnote is in and which servers are this process's
// to reconcile: this shard's from the gateway when it runs, the others' (with several
// shards), or all of them without a gateway, over REST.
func (b *Bot) presentGuilds(ctx context.Context) (map[string]bool, func(string) bool, error) {
	b.mu.Lock()
	gateway, set := b.gateway, b.guilds
	present := make(map[string]bool, len(set.ids))
	for id := range set.ids {
		present[id] = true
	}
	b.mu.Unlock()
	all := func(string) bool { return true }
	switch {
	case gateway && !set.known:
		return nil, nil, ErrGuildsUnknown
	case gateway && (b.cfg.ShardCount <= 1 || b.cfg.Token == ""):
		return present, b.onThisShard, nil
	case gateway:
		// The other shards' servers are known to their own processes' gateways, and the
		// job that reconciles runs in whichever process River picks: it lists them over
		// REST, so that every shard's servers are reconciled wherever it runs.
		listed, err := b.listGuilds(ctx)
		if err != nil {
			return nil, nil, err
		}
		for id := range listed {
			present[id] = true // either says footnote is in it: it is
		}
		return present, all, nil
	case b.cfg.Token == "":
		return nil, nil, ErrGuildsUnknown
	}
	listed, err := b.listGuilds(ctx)
	if err != nil {
		return nil, nil, err
	}
	return listed, all, nil
}

// listGuilds lists the servers footnote is in over REST, page after page.
func (b *Bot) listGuilds(ctx context.Context) (map[string]bool, error) {
	present := map[string]bool{}
	after := ""
	for {
		page, err := b.session.UserGuilds(userGuildsPage, "", after, false, dg.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("list footnote's servers: %w", err)
		}
		for _, g := range page {
			present[g.ID] = true
			after = g.ID
		}
		if len(page) < userGuildsPage {
			return present, nil
		}
	}
}

// userGuildsPage is the most servers Discord lists in one GET /users/@me/guilds.
const userGuildsPage = 200

// onThisShard reports whether the server id is served by this process's shard, as Discord
// assigns servers to shards: (id >> 22) % shard count.
func (b *Bot) onThisShard(id string) bool {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return false
	}
	return int((n>>22)%uint64(b.cfg.ShardCount)) == b.cfg.ShardID
}
