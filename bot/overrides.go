package bot

import (
	"context"
	"errors"
	"net/http"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// Command-permission overrides. /reindex is registered with default_member_permissions =
// Manage Server, and footnote checks admins itself (DESIGN.md), since a server can widen who
// sees a command. When a server's admins have set their own overrides for a command
// (Server Settings → Integrations → footnote), Discord delivers it only to the members and
// roles they chose, and footnote respects that choice rather than re-checking Manage Server
// on top of it: a member Discord delivered the command to counts as an admin for that
// command. Without overrides footnote's own check stands. Commands that delete across the
// collection keep footnote's own check whatever the overrides say (none is marked).

// overrideTTL is how long a server's overrides for a command are reused. Longer saves a REST
// call per admin command; shorter makes an admin's change in Discord count sooner.
const overrideTTL = time.Minute

// grantedByOverrides reports whether the server has its own permission overrides for the
// slash command r carries, so that Discord delivering it means the server allows the member.
// It returns false for the console, for requests that are not slash commands, and when the
// overrides cannot be read (footnote's own check then decides).
func (b *Bot) grantedByOverrides(ctx context.Context, r *request) bool {
	if r.console || r.appID == "" || r.commandID == "" || r.guildID == "" {
		return false
	}
	key := r.guildID + "/" + r.commandID
	if has, ok := b.grants.get(key, b.now(), overrideTTL); ok {
		return has
	}
	perms, err := b.session.ApplicationCommandPermissions(r.appID, r.guildID, r.commandID, dg.WithContext(ctx))
	var rest *dg.RESTError
	switch {
	case errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusNotFound:
		perms = nil // 10066 Unknown application command permissions: the server set none
	case err != nil:
		b.log.Warn("read command permission overrides", "guild_id", r.guildID, "command", r.kind, "err", err)
		return false
	}
	has := perms != nil && len(perms.Permissions) > 0
	b.grants.put(key, has, b.now())
	return has
}
