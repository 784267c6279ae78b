package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeDiscord is Discord's REST API and gateway as footnote uses them, speaking the real
// wire format. It records every REST call; the bot reaches it only through Config.APIBase.
type fakeDiscord struct {
	t     *testing.T
	srv   *httptest.Server
	botID string

	mu       sync.Mutex
	calls    []call
	files    map[string][]byte           // attachments, served at /files/{name}
	pages    map[string]string           // web pages (HTML), served at /web/{name}
	history  map[string][]map[string]any // channel id → messages, oldest first
	roles    map[string][]map[string]any // guild id → roles
	grants   map[string][]map[string]any // "guild/command" → permission overrides (fakeoverrides_test.go)
	messages int
	// unknown404 is how many more edits of an original response to answer 404 Unknown
	// Webhook, as Discord does while it has not yet processed the response they edit.
	unknown404 int
	// deleteFails is how many more deletes of an original response to answer 500.
	deleteFails int
	// lostPosts is how many more channel messages to post and then answer 500, as when
	// Discord's reply is lost after the message is made.
	lostPosts int
	merges    mergeCheck // embeds Discord would hide (fakemerge_test.go)
	// refusedFollowup is, per interaction token, which follow-up (1: the first) to refuse
	// with 403 Missing Permissions (fakefollowup_test.go).
	refusedFollowup map[string]int
	// refuseCommands, when set, is the status a command registration (PUT) is answered with.
	refuseCommands int
	// userGuilds are the servers the bot is in (GET /users/@me/guilds), ids in ascending
	// order; failGuilds answers that request 500.
	userGuilds []string
	failGuilds bool
	// held holds REST calls whose path contains a key until its channel closes
	// (fakehold_test.go).
	held map[string]<-chan struct{}

	gw     *fakeGateway
	perm   fakePerms // footnote's permissions and rate limits (fakeperms_test.go)
	faults []*fault  // scripted failures of matching calls (fakefaults_test.go)
}

// call is one recorded REST request.
type call struct {
	Method  string
	Path    string // without the /api/vN prefix
	Version string // "v9", "v10": the N of that prefix
	Query   url.Values
	Body    map[string]any
	At      time.Time
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{
		t:       t,
		botID:   "400000000000000001",
		files:   make(map[string][]byte),
		pages:   make(map[string]string),
		history: make(map[string][]map[string]any),
		roles:   make(map[string][]map[string]any),
		gw:      newFakeGateway(),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{version}/", f.serveREST)
	mux.HandleFunc("GET /files/{name}", f.serveFile)
	mux.HandleFunc("GET /web/{name}", f.servePage)
	mux.HandleFunc("GET /gateway-ws/", f.gw.serve(f)) // discordgo adds "/?v=9&encoding=json"
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.watchMerges(t)
	return f
}

func (f *fakeDiscord) serveFile(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	data, ok := f.files[r.PathValue("name")]
	f.calls = append(f.calls, call{Method: r.Method, Path: r.URL.Path, At: time.Now()})
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(data)
}

func (f *fakeDiscord) servePage(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	page, ok := f.pages[r.PathValue("name")]
	f.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, page)
}

// httpBody is the Version of a recorded first response that came in an HTTP body, not
// through the REST API.
const httpBody = "http-body"

// recordInitialResponse records an interaction's first response, which the bot returns in
// the body of Discord's POST to its endpoint, as the callback call it stands for, so that
// tests read first responses the same way whatever carried them.
func (f *fakeDiscord) recordInitialResponse(request, response []byte) {
	var in struct{ ID, Token string }
	var out map[string]any
	if json.Unmarshal(request, &in) != nil || json.Unmarshal(response, &out) != nil {
		return
	}
	if t, _ := out["type"].(float64); t == 1 { // PONG
		return
	}
	c := call{Method: http.MethodPost, Path: "/interactions/" + in.ID + "/" + in.Token + "/callback",
		Body: out, At: time.Now(), Version: httpBody}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	f.noteMerges(c)
	f.checkModal(c) // Discord would fail the interaction: the test fails
}

// serveREST records the call and answers like Discord does.
func (f *fakeDiscord) serveREST(w http.ResponseWriter, r *http.Request) {
	path := "/" + strings.SplitN(strings.TrimPrefix(r.URL.Path, "/api/"), "/", 2)[1]
	c := call{Method: r.Method, Path: path, Version: r.PathValue("version"), Query: r.URL.Query(), At: time.Now()}
	if data, _ := io.ReadAll(r.Body); len(data) > 0 {
		if err := json.Unmarshal(data, &c.Body); err != nil {
			// Arrays (command registration) are kept under "list".
			var list []any
			if json.Unmarshal(data, &list) == nil {
				c.Body = map[string]any{"list": list}
			}
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
	f.noteMerges(c)
	f.waitIfHeld(r.Context(), path)

	parts := strings.Split(strings.Trim(path, "/"), "/")
	if f.serveFault(w, r, c) {
		return
	}
	if f.servePerms(w, r, path, parts, c) {
		return
	}
	if f.consume(&f.unknown404, parts[0] == "webhooks" && r.Method == http.MethodPatch) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"message": "Unknown Webhook", "code": 10015}`)
		return
	}
	if f.refusedAsFollowup(w, c) {
		return
	}
	if f.consume(&f.deleteFails, parts[0] == "webhooks" && r.Method == http.MethodDelete) {
		http.Error(w, `{"message": "500: Internal Server Error", "code": 0}`, http.StatusInternalServerError)
		return
	}
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch {
	case r.Method == http.MethodGet && (path == "/gateway" || path == "/gateway/bot"):
		reply(map[string]any{"url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/gateway-ws", "shards": 1})
	case parts[0] == "interactions" && len(parts) == 4 && r.Method == http.MethodPost:
		if f.refuseModal(w, c) {
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case parts[0] == "webhooks" && r.Method == http.MethodDelete:
		w.WriteHeader(http.StatusNoContent)
	case parts[0] == "webhooks":
		reply(map[string]any{"id": f.nextMessageID(), "channel_id": "300000000000000001"})
	case r.Method == http.MethodGet && path == "/oauth2/applications/@me":
		reply(map[string]any{"id": "app-from-token", "name": "footnote"})
	case parts[0] == "applications" && len(parts) == 7 && parts[6] == "permissions" && r.Method == http.MethodGet:
		f.serveCommandPermissions(w, parts, reply)
	case parts[0] == "applications" && r.Method == http.MethodPut:
		f.mu.Lock()
		status := f.refuseCommands
		f.mu.Unlock()
		if status != 0 {
			http.Error(w, `{"message": "Internal Server Error", "code": 0}`, status)
			return
		}
		if f.refuseInvalidCommands(w, c) {
			return
		}
		reply(c.Body["list"])
	case r.Method == http.MethodGet && path == "/users/@me/guilds":
		f.serveUserGuilds(w, c, reply)
	case parts[0] == "guilds" && len(parts) == 3 && parts[2] == "roles":
		f.mu.Lock()
		roles := f.roles[parts[1]]
		f.mu.Unlock()
		reply(roles)
	case parts[0] == "channels" && len(parts) == 3 && parts[2] == "typing":
		w.WriteHeader(http.StatusNoContent)
	case parts[0] == "channels" && len(parts) == 5 && parts[4] == "threads":
		// Like Discord: a thread opened on a message has the message's id.
		reply(map[string]any{"id": parts[3], "type": 11, "parent_id": parts[1], "owner_id": f.botID,
			"name": c.Body["name"]})
	case parts[0] == "channels" && len(parts) == 3 && r.Method == http.MethodPost:
		// Like Discord, a nonce enforced returns the author's message of the same nonce
		// (within a few minutes there) instead of making another.
		if nonce, _ := c.Body["nonce"].(string); nonce != "" && c.Body["enforce_nonce"] == true {
			if m := f.messageWithNonce(parts[1], nonce); m != nil {
				reply(m)
				return
			}
		}
		m := map[string]any{"id": f.nextMessageID(), "channel_id": parts[1], "content": c.Body["content"],
			"embeds": c.Body["embeds"], "author": map[string]any{"id": f.botID, "username": "footnote", "bot": true},
			"nonce": c.Body["nonce"]}
		f.addHistory(parts[1], m)
		if f.consume(&f.lostPosts, true) {
			http.Error(w, `{"message": "500: Internal Server Error", "code": 0}`, http.StatusInternalServerError)
			return
		}
		reply(m)
	case parts[0] == "channels" && len(parts) == 3 && r.Method == http.MethodGet:
		f.mu.Lock()
		h := f.history[parts[1]]
		newest := make([]map[string]any, 0, len(h))
		for i := len(h) - 1; i >= 0; i-- {
			if h[i]["id"] != c.Query.Get("before") {
				newest = append(newest, h[i])
			}
		}
		f.mu.Unlock()
		reply(newest)
	case parts[0] == "channels" && len(parts) == 4 && parts[2] == "messages" && r.Method == http.MethodPatch:
		// An edit of a channel message replaces what the body gives, as Discord does.
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range f.history[parts[1]] {
			if m["id"] == parts[3] {
				for _, k := range []string{"content", "embeds"} {
					if v, ok := c.Body[k]; ok {
						m[k] = v
					}
				}
				reply(m)
				return
			}
		}
		http.Error(w, `{"message": "Unknown Message", "code": 10008}`, http.StatusNotFound)
	case parts[0] == "channels" && len(parts) == 4 && parts[2] == "messages" && r.Method == http.MethodDelete:
		f.mu.Lock()
		defer f.mu.Unlock()
		h := f.history[parts[1]]
		for i, m := range h {
			if m["id"] == parts[3] {
				f.history[parts[1]] = slices.Delete(h, i, i+1)
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		http.Error(w, `{"message": "Unknown Message", "code": 10008}`, http.StatusNotFound)
	case parts[0] == "channels" && len(parts) == 4 && r.Method == http.MethodGet:
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, m := range f.history[parts[1]] {
			if m["id"] == parts[3] {
				reply(m)
				return
			}
		}
		http.Error(w, `{"message": "Unknown Message", "code": 10008}`, http.StatusNotFound)
	default:
		http.Error(w, `{"message": "404: Not Found", "code": 0}`, http.StatusNotFound)
	}
}

// serveUserGuilds lists the bot's servers as Discord does: by ascending id, after the
// query's after, at most its limit.
func (f *fakeDiscord) serveUserGuilds(w http.ResponseWriter, c call, reply func(any)) {
	f.mu.Lock()
	ids, fail := f.userGuilds, f.failGuilds
	f.mu.Unlock()
	if fail {
		http.Error(w, `{"message": "500: Internal Server Error", "code": 0}`, http.StatusInternalServerError)
		return
	}
	limit, err := strconv.Atoi(c.Query.Get("limit"))
	if err != nil || limit > 200 || limit < 1 {
		limit = 200
	}
	page := []any{}
	for _, id := range ids {
		if len(page) < limit && (c.Query.Get("after") == "" || len(id) > len(c.Query.Get("after")) ||
			(len(id) == len(c.Query.Get("after")) && id > c.Query.Get("after"))) {
			page = append(page, map[string]any{"id": id, "name": "Server " + id})
		}
	}
	reply(page)
}

// consume takes one from the failure counter *n (guarded by f.mu) when cond holds, and
// reports whether it did: the call it stands for is then refused.
func (f *fakeDiscord) consume(n *int, cond bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !cond || *n <= 0 {
		return false
	}
	*n--
	return true
}

func (f *fakeDiscord) nextMessageID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.messages++
	return fmt.Sprintf("5%017d", f.messages)
}

// addHistory puts a message into a channel's history (what GET messages returns).
// messageWithNonce is the message of channel posted with nonce, or nil.
func (f *fakeDiscord) messageWithNonce(channel, nonce string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.history[channel] {
		if m["nonce"] == nonce {
			return m
		}
	}
	return nil
}

func (f *fakeDiscord) addHistory(channel string, m map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.history[channel] = append(f.history[channel], m)
}

func (f *fakeDiscord) setRoles(guild string, roles ...map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles[guild] = roles
}

func (f *fakeDiscord) setFile(name string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[name] = data
}

func (f *fakeDiscord) setPage(name, html string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages[name] = html
}

// recorded returns the calls so far that match.
func (f *fakeDiscord) recorded(match func(call) bool) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if match == nil || match(c) {
			out = append(out, c)
		}
	}
	return out
}

// waitFor waits (up to 10 s) until n calls match and returns them; it fails the test
// otherwise.
func (f *fakeDiscord) waitFor(t *testing.T, what string, n int, match func(call) bool) []call {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := f.recorded(match)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %d× %s, got %d; all calls:\n%s", n, what, len(got), f.dump())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fakeDiscord) dump() string {
	var sb strings.Builder
	for _, c := range f.recorded(nil) {
		body, _ := json.Marshal(c.Body)
		fmt.Fprintf(&sb, "  %s %s %s\n", c.Method, c.Path, truncate(string(body), 300))
	}
	return sb.String()
}

// Matchers.

func callbackOf(id string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodPost && strings.HasPrefix(c.Path, "/interactions/"+id+"/") &&
			strings.HasSuffix(c.Path, "/callback")
	}
}

func editOf(token string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodPatch && strings.Contains(c.Path, "/"+token+"/messages/@original")
	}
}

func followupOf(token string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodPost && strings.HasPrefix(c.Path, "/webhooks/") && strings.HasSuffix(c.Path, "/"+token)
	}
}

func deleteOf(token string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodDelete && strings.Contains(c.Path, "/"+token+"/messages/@original")
	}
}

func channelPost(channel string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodPost && c.Path == "/channels/"+channel+"/messages"
	}
}

func channelEdit(channel, message string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodPatch && c.Path == "/channels/"+channel+"/messages/"+message
	}
}

func channelDelete(channel string) func(call) bool {
	return func(c call) bool {
		return c.Method == http.MethodDelete && strings.HasPrefix(c.Path, "/channels/"+channel+"/messages/")
	}
}

// Accessors on a recorded message body.

func (c call) str(key string) string {
	s, _ := c.Body[key].(string)
	return s
}

func (c call) num(key string) int {
	n, _ := c.Body[key].(float64)
	return int(n)
}

// data is an interaction callback's message data.
func (c call) data() call {
	d, _ := c.Body["data"].(map[string]any)
	return call{Body: d}
}

func (c call) embeds() []map[string]any {
	var out []map[string]any
	list, _ := c.Body["embeds"].([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// components returns the custom ids of the message's buttons and menus, row by row.
func (c call) components() [][]string {
	var rows [][]string
	list, _ := c.Body["components"].([]any)
	for _, r := range list {
		row, _ := r.(map[string]any)
		comps, _ := row["components"].([]any)
		var ids []string
		for _, x := range comps {
			m, _ := x.(map[string]any)
			id, _ := m["custom_id"].(string)
			ids = append(ids, id)
		}
		rows = append(rows, ids)
	}
	return rows
}

func (c call) customIDs() []string {
	var ids []string
	for _, r := range c.components() {
		ids = append(ids, r...)
	}
	return ids
}
