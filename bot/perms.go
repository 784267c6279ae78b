package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// adminPerms are the permissions that make a member an admin for footnote.
const adminPerms = dg.PermissionManageGuild | dg.PermissionAdministrator

// roleNameTTL is how long role ids looked up by name over REST are reused.
const roleNameTTL = 5 * time.Minute

// roleCache remembers, per guild, the ids of the roles named cfg.AdminRole.
type roleCache struct {
	mu      sync.Mutex
	byGuild map[string]roleEntry
}

type roleEntry struct {
	ids []string
	at  time.Time
}

// isAdmin reports whether the member may run admin commands: the Manage Server (or
// Administrator) permission in the interaction's member permissions, or the admin role
// among the member's roles: the server's own (/settings), else cfg.AdminRole (an id, or a
// name matched without case). The console's operator
// is an admin. A role name that cannot be looked up counts as no match.
func (b *Bot) isAdmin(ctx context.Context, r *request) bool {
	if r.console {
		return true
	}
	if r.perms&adminPerms != 0 {
		return true
	}
	if len(r.roles) == 0 {
		return false
	}
	want := strings.TrimSpace(b.cfg.AdminRole)
	if own := b.guildSettings(ctx, r.guildID).AdminRole; own != "" {
		want = own // the server's own choice wins over the operator's default
	}
	if want == "" {
		return false
	}
	if isSnowflake(want) {
		return slices.Contains(r.roles, want)
	}
	for _, id := range b.rolesNamed(ctx, r.guildID, want) {
		if slices.Contains(r.roles, id) {
			return true
		}
	}
	return false
}

// rolesNamed returns the ids of the guild's roles called name: from the gateway's state
// when the guild is there, else from REST (cached for roleNameTTL). It returns nil when the
// roles cannot be read.
func (b *Bot) rolesNamed(ctx context.Context, guildID, name string) []string {
	st := b.session.State
	if g, err := st.Guild(guildID); err == nil {
		st.RLock()
		ids, known := matchRoles(g.Roles, name), len(g.Roles) > 0
		st.RUnlock()
		if known {
			return ids
		}
	}
	c := &b.roles
	c.mu.Lock()
	e, ok := c.byGuild[guildID]
	c.mu.Unlock()
	if ok && b.now().Sub(e.at) < roleNameTTL {
		return e.ids
	}
	roles, err := b.session.GuildRoles(guildID, dg.WithContext(ctx))
	if err != nil {
		b.log.Warn("look up admin role by name", "guild_id", guildID, "err", err)
		return nil
	}
	ids := matchRoles(roles, name)
	c.mu.Lock()
	if c.byGuild == nil {
		c.byGuild = make(map[string]roleEntry)
	}
	c.byGuild[guildID] = roleEntry{ids: ids, at: b.now()}
	c.mu.Unlock()
	return ids
}

func matchRoles(roles []*dg.Role, name string) []string {
	var ids []string
	for _, r := range roles {
		if r != nil && strings.EqualFold(r.Name, name) {
			ids = append(ids, r.ID)
		}
	}
	return ids
}
