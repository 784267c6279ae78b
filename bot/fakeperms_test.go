package bot

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// fakePerms is the fake Discord's model of footnote's permissions and of rate limits: per
// channel, permissions denied to footnote (a member overwrite on the channel, which its
// threads inherit), enforced with Discord's 403 Missing Permissions; and requests to answer
// with 429 and Discord's rate-limit headers and body once before they go through.
type fakePerms struct {
	mu      sync.Mutex
	denied  map[string]int64  // channel id → permissions denied to footnote there
	threads map[string]string // thread id → parent channel id, for threads footnote opened
	limited map[string]int    // "METHOD /path" → how many more times to answer 429
	guildOf map[string]string // channel id → its guild's id, given in GET /channels/{id}; unset: none
	locales map[string]string // guild id → its preferred locale, given in GET /guilds/{id}; unset: en-US
}

// fakeGuildPerms is what @everyone may do in the fake's guilds: everything footnote asks for.
const fakeGuildPerms = InvitePermissions | dg.PermissionAddReactions | dg.PermissionAttachFiles

// fakeRetryAfter is the retry_after (seconds) of the fake's 429s.
const fakeRetryAfter = 0.05

// deny takes permissions away from footnote in channel (and its threads).
func (f *fakeDiscord) deny(channel string, perms int64) {
	f.perm.mu.Lock()
	defer f.perm.mu.Unlock()
	if f.perm.denied == nil {
		f.perm.denied = make(map[string]int64)
	}
	f.perm.denied[channel] |= perms
}

// placeChannel makes channel belong to guild, as GET /channels/{id} tells.
func (f *fakeDiscord) placeChannel(channel, guild string) {
	f.perm.mu.Lock()
	defer f.perm.mu.Unlock()
	if f.perm.guildOf == nil {
		f.perm.guildOf = make(map[string]string)
	}
	f.perm.guildOf[channel] = guild
}

// setLocale gives guild a preferred locale, as GET /guilds/{id} tells.
func (f *fakeDiscord) setLocale(guild, locale string) {
	f.perm.mu.Lock()
	defer f.perm.mu.Unlock()
	if f.perm.locales == nil {
		f.perm.locales = make(map[string]string)
	}
	f.perm.locales[guild] = locale
}

// rateLimit makes the next n requests of method to path answer 429.
func (f *fakeDiscord) rateLimit(method, path string, n int) {
	f.perm.mu.Lock()
	defer f.perm.mu.Unlock()
	if f.perm.limited == nil {
		f.perm.limited = make(map[string]int)
	}
	f.perm.limited[method+" "+path] += n
}

// servePerms answers the permission and rate-limit parts of Discord's REST API, and reports
// whether it did; serveREST answers the rest.
func (f *fakeDiscord) servePerms(w http.ResponseWriter, r *http.Request, path string, parts []string, c call) bool {
	p := &f.perm
	p.mu.Lock()
	key := r.Method + " " + path
	limited := p.limited[key] > 0
	if limited {
		p.limited[key]--
	}
	channelOf := func(id string) string {
		if parent, ok := p.threads[id]; ok {
			return parent
		}
		return id
	}
	var denied int64
	var inThread bool
	if parts[0] == "channels" && len(parts) >= 2 {
		denied = p.denied[channelOf(parts[1])]
		_, inThread = p.threads[parts[1]]
	}
	p.mu.Unlock()

	if limited {
		reset := float64(time.Now().Add(time.Duration(fakeRetryAfter*float64(time.Second))).UnixMilli()) / 1000
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-RateLimit-Limit", "5")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset, 'f', 3, 64))
		h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(fakeRetryAfter, 'f', 3, 64))
		h.Set("X-RateLimit-Bucket", "fake-bucket")
		h.Set("X-RateLimit-Scope", "user")
		h.Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = fmt.Fprintf(w, `{"message": "You are being rate limited.", "retry_after": %g, "global": false}`, fakeRetryAfter)
		return true
	}
	reply := func(v any) bool {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
		return true
	}
	forbid := func() bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = io.WriteString(w, `{"message": "Missing Permissions", "code": 50013}`)
		return true
	}
	switch {
	case r.Method == http.MethodGet && parts[0] == "guilds" && len(parts) == 2:
		p.mu.Lock()
		locale := cmp.Or(p.locales[parts[1]], "en-US")
		p.mu.Unlock()
		return reply(map[string]any{"id": parts[1], "name": "Guild", "owner_id": "100000000000000099", "preferred_locale": locale,
			"roles": []any{map[string]any{"id": parts[1], "name": "@everyone", "position": 0,
				"permissions": strconv.FormatInt(fakeGuildPerms, 10)}}})
	case r.Method == http.MethodGet && parts[0] == "guilds" && len(parts) == 4 && parts[2] == "members":
		return reply(map[string]any{"user": map[string]any{"id": parts[3], "username": "footnote", "bot": true},
			"roles": []any{}})
	case r.Method == http.MethodGet && parts[0] == "channels" && len(parts) == 2:
		p.mu.Lock()
		parent, isThread := p.threads[parts[1]]
		guild := p.guildOf[parts[1]]
		p.mu.Unlock()
		if isThread {
			return reply(map[string]any{"id": parts[1], "type": 11, "parent_id": parent, "owner_id": f.botID})
		}
		return reply(map[string]any{"id": parts[1], "guild_id": guild, "type": 0, "permission_overwrites": []any{map[string]any{
			"id": f.botID, "type": 1, "allow": "0", "deny": strconv.FormatInt(denied, 10)}}})
	case r.Method == http.MethodPost && parts[0] == "channels" && len(parts) == 5 && parts[4] == "threads":
		if denied&(dg.PermissionViewChannel|dg.PermissionCreatePublicThreads) != 0 {
			return forbid()
		}
		p.mu.Lock()
		if p.threads == nil {
			p.threads = make(map[string]string)
		}
		p.threads[parts[3]] = parts[1]
		p.mu.Unlock()
	case r.Method == http.MethodPost && parts[0] == "channels" && len(parts) == 3 && parts[2] == "messages":
		send := int64(dg.PermissionSendMessages)
		if inThread {
			send = dg.PermissionSendMessagesInThreads
		}
		_, ref := c.Body["message_reference"]
		embeds, _ := c.Body["embeds"].([]any)
		if denied&(dg.PermissionViewChannel|send) != 0 ||
			(ref && denied&dg.PermissionReadMessageHistory != 0) ||
			(len(embeds) > 0 && denied&dg.PermissionEmbedLinks != 0) {
			return forbid()
		}
	}
	return false
}
