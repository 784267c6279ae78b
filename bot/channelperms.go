package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// channelPermsTTL is how long footnote reuses its own permissions computed for a channel.
// Longer saves REST calls on busy channels; shorter notices sooner an admin granting (or
// taking away) a permission. A refusal by Discord (403) forgets the entry at once.
const channelPermsTTL = 30 * time.Second

// permsCache remembers footnote's permissions per channel id.
type permsCache struct {
	mu    sync.Mutex
	byKey map[string]permsEntry
}

type permsEntry struct {
	perms int64
	at    time.Time
}

// codeMissingPermissions is Discord's JSON error code for "Missing Permissions" (HTTP 403).
const codeMissingPermissions = 50013

// missingPermissions reports whether err is Discord refusing for lack of a permission.
func missingPermissions(err error) bool {
	var re *dg.RESTError
	if !errors.As(err, &re) || re.Response == nil || re.Response.StatusCode != http.StatusForbidden {
		return false
	}
	return re.Message == nil || re.Message.Code == codeMissingPermissions
}

// forgetPerms drops the cached permissions of a channel, after Discord refused an action
// there. For a thread it drops its parent's too: a mention's permissions are cached under
// the channel it was asked in, and footnote's answer may have gone to the thread it opened.
func (b *Bot) forgetPerms(channelID string) {
	keys := []string{channelID}
	if th, ok := b.threadOf(channelID); ok && th.ParentID != "" {
		keys = append(keys, th.ParentID)
	}
	b.perms.mu.Lock()
	for _, k := range keys {
		delete(b.perms.byKey, k)
	}
	b.perms.mu.Unlock()
}

// selfPerms returns footnote's own permissions in a guild channel or thread: from the
// gateway's state where it knows the guild and channel, else over REST (the guild, the
// channel and footnote's member), cached for channelPermsTTL. It returns an error when they
// cannot be read; the caller then acts and lets Discord decide.
func (b *Bot) selfPerms(ctx context.Context, guildID, channelID, self string) (int64, error) {
	c := &b.perms
	c.mu.Lock()
	e, ok := c.byKey[channelID]
	c.mu.Unlock()
	if ok && b.now().Sub(e.at) < channelPermsTTL {
		return e.perms, nil
	}
	ch, err := b.lookupChannel(ctx, channelID)
	if err != nil {
		return 0, err
	}
	if ch.IsThread() && ch.ParentID != "" { // a thread has its parent's permissions
		if ch, err = b.lookupChannel(ctx, ch.ParentID); err != nil {
			return 0, err
		}
	}
	g, err := b.lookupGuild(ctx, guildID)
	if err != nil {
		return 0, err
	}
	m, err := b.session.GuildMember(guildID, self, dg.WithContext(ctx))
	if err != nil {
		return 0, fmt.Errorf("read footnote's member in guild %s: %w", guildID, err)
	}
	perms := computePerms(g, ch, self, m.Roles)
	c.mu.Lock()
	if c.byKey == nil {
		c.byKey = make(map[string]permsEntry)
	}
	c.byKey[channelID] = permsEntry{perms: perms, at: b.now()}
	c.mu.Unlock()
	return perms, nil
}

// lookupChannel returns a copy of the channel from the state, or else from REST.
func (b *Bot) lookupChannel(ctx context.Context, id string) (*dg.Channel, error) {
	st := b.session.State
	if ch, err := st.Channel(id); err == nil {
		st.RLock()
		cp := *ch
		st.RUnlock()
		return &cp, nil
	}
	ch, err := b.session.Channel(id, dg.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("read channel %s: %w", id, err)
	}
	return ch, nil
}

// lookupGuild returns the guild's id, owner and roles from the state, or else from REST.
func (b *Bot) lookupGuild(ctx context.Context, id string) (*dg.Guild, error) {
	st := b.session.State
	if g, err := st.Guild(id); err == nil {
		st.RLock()
		cp := dg.Guild{ID: g.ID, OwnerID: g.OwnerID, Roles: g.Roles}
		st.RUnlock()
		if len(cp.Roles) > 0 {
			return &cp, nil
		}
	}
	g, err := b.session.Guild(id, dg.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("read guild %s: %w", id, err)
	}
	return g, nil
}

// computePerms is Discord's permission computation for a member of guild g in channel ch:
// the owner has all; else @everyone's and the member's roles, then Administrator gives all,
// then the channel's overwrites for @everyone, for the member's roles (denies, then allows)
// and for the member. Without View Channel nothing else in the channel counts.
func computePerms(g *dg.Guild, ch *dg.Channel, userID string, roles []string) int64 {
	if g.OwnerID == userID {
		return dg.PermissionAll
	}
	member := make(map[string]bool, len(roles))
	for _, id := range roles {
		member[id] = true
	}
	var perms int64
	for _, r := range g.Roles {
		if r != nil && (r.ID == g.ID || member[r.ID]) {
			perms |= r.Permissions
		}
	}
	if perms&dg.PermissionAdministrator != 0 {
		return dg.PermissionAll
	}
	var deny, allow int64
	for _, o := range ch.PermissionOverwrites {
		if o != nil && o.Type == dg.PermissionOverwriteTypeRole && o.ID == g.ID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	for _, o := range ch.PermissionOverwrites {
		if o != nil && o.Type == dg.PermissionOverwriteTypeRole && member[o.ID] {
			deny |= o.Deny
			allow |= o.Allow
		}
	}
	perms = perms&^deny | allow
	for _, o := range ch.PermissionOverwrites {
		if o != nil && o.Type == dg.PermissionOverwriteTypeMember && o.ID == userID {
			perms = perms&^o.Deny | o.Allow
		}
	}
	if perms&dg.PermissionViewChannel == 0 {
		return 0
	}
	return perms
}
