package bot

import (
	"io"
	"net/http"
)

// setOverrides gives guild its own permission overrides for the command with id cmd, as
// Server Settings → Integrations does: each entry is {"id", "type" (1 role, 2 user, 3
// channel), "permission" (allowed)}.
func (f *fakeDiscord) setOverrides(guild, cmd string, perms ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.grants == nil {
		f.grants = make(map[string][]map[string]any)
	}
	f.grants[guild+"/"+cmd] = perms
}

// serveCommandPermissions answers GET /applications/{app}/guilds/{guild}/commands/{cmd}/
// permissions as Discord does: the overrides, or 404 with code 10066 when the guild set none.
func (f *fakeDiscord) serveCommandPermissions(w http.ResponseWriter, parts []string, reply func(any)) {
	app, guild, cmd := parts[1], parts[3], parts[5]
	f.mu.Lock()
	perms, ok := f.grants[guild+"/"+cmd]
	f.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message": "Unknown application command permissions", "code": 10066}`)
		return
	}
	reply(map[string]any{"id": cmd, "application_id": app, "guild_id": guild, "permissions": perms})
}
