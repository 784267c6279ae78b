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

// What footnote needs in a channel. Interaction replies (slash commands, buttons) go
// through the interaction's webhook, which needs no channel permission; what footnote posts
// as itself (answers to mentions, threads) does. These lists are the one place that says
// which action needs which permission; InvitePermissions is their union.
const (
	// permsReply answers a mention in its channel, as a reply to the question (a reply
	// needs Read Message History; embeds need Embed Links).
	permsReply int64 = dg.PermissionViewChannel | dg.PermissionSendMessages | dg.PermissionEmbedLinks |
		dg.PermissionReadMessageHistory
	// permsThreadReply answers in a thread: follow-ups, and the answer in a thread footnote
	// opened. A thread takes its permissions from its parent channel.
	permsThreadReply int64 = dg.PermissionViewChannel | dg.PermissionSendMessagesInThreads | dg.PermissionEmbedLinks |
		dg.PermissionReadMessageHistory
	// permsOpenThread opens a public thread on the question's message and answers in it.
	permsOpenThread int64 = dg.PermissionCreatePublicThreads | permsThreadReply
	// permsPost is the least footnote needs to say anything in a channel (a plain message
	// without a reply reference); in a thread, Send Messages in Threads replaces Send Messages.
	permsPost       int64 = dg.PermissionViewChannel | dg.PermissionSendMessages
	permsPostThread int64 = dg.PermissionViewChannel | dg.PermissionSendMessagesInThreads
)

// InvitePermissions is the permission integer of footnote's invite URL: every permission
// footnote checks before acting, and no other.
const InvitePermissions int64 = permsReply | permsThreadReply | permsOpenThread | permsPost | permsPostThread

// permNames names the permissions footnote checks as Discord's settings do, in the order
// they are listed to an admin; the catalogues give each name as Discord shows it.
var permNames = []struct {
	bit  int64
	name string
}{
	{dg.PermissionViewChannel, "View Channel"},
	{dg.PermissionSendMessages, "Send Messages"},
	{dg.PermissionSendMessagesInThreads, "Send Messages in Threads"},
	{dg.PermissionCreatePublicThreads, "Create Public Threads"},
	{dg.PermissionEmbedLinks, "Embed Links"},
	{dg.PermissionReadMessageHistory, "Read Message History"},
}

// missingPermsError is footnote lacking permissions in a channel; its names are what an admin
// must grant.
type missingPermsError struct{ missing int64 }

func (e *missingPermsError) Error() string {
	return "missing permissions: " + strings.Join(e.names(""), ", ")
}

// names are the missing permissions' names as Discord shows them in language l.
func (e *missingPermsError) names(l lang) []string {
	var out []string
	for _, p := range permNames {
		if e.missing&p.bit != 0 {
			out = append(out, l.tr(p.name))
		}
	}
	return out
}

// missingPermsText tells the member, in language l, which permissions an admin must grant
// footnote.
func missingPermsText(l lang, e *missingPermsError) string {
	names := e.names(l)
	if len(names) == 0 {
		names = (&missingPermsError{missing: InvitePermissions}).names(l)
	}
	return l.trn(len(names),
		"footnote can't do that in this channel: it needs the %s permission here. "+
			"Ask an admin to grant it to footnote (channel settings → Permissions, or footnote's role).",
		"footnote can't do that in this channel: it needs the %s permissions here. "+
			"Ask an admin to grant them to footnote (channel settings → Permissions, or footnote's role).",
		l.and(names))
}

// permsNeededBy is what to name when Discord refused an action for lack of a permission
// footnote did not know it lacked: for an interaction, those of InvitePermissions that
// app_permissions does not hold (all when it holds them all), for a mention all of them.
func permsNeededBy(r *request) int64 {
	if m := InvitePermissions &^ r.appPerms; r.appPerms != 0 && m != 0 {
		return m
	}
	return InvitePermissions
}

// lacking returns a *missingPermsError for the permissions of need that are not in
// have, or nil when none is missing.
func lacking(have, need int64) error {
	if m := need &^ have; m != 0 {
		return &missingPermsError{missing: m}
	}
	return nil
}
