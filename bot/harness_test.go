package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// The real engine is what cmd/footnote wires in.
var _ Engine = (*retrieval.Engine)(nil)

// harness is a Bot wired to a fake Discord, with its HTTP interactions endpoint served.
type harness struct {
	t       *testing.T
	discord *fakeDiscord
	bot     *Bot
	srv     *httptest.Server
	priv    ed25519.PrivateKey
	logs    *logBuffer
	reg     *prometheus.Registry
	seq     atomic.Int64
}

// newHarness starts a fake Discord and a Bot on it. When the test ends it closes the bot
// and checks that every message the bot sent kept within Discord's limits and pinged nobody.
func newHarness(t *testing.T, eng Engine, configure ...func(*Config)) *harness {
	t.Helper()
	d := newFakeDiscord(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		Token:      "test-token",
		AppID:      "app",
		PublicKey:  hex.EncodeToString(pub),
		APIBase:    d.srv.URL,
		HTTPClient: d.srv.Client(),
	}
	for _, c := range configure {
		c(&cfg)
	}
	logs := &logBuffer{}
	reg := prometheus.NewRegistry()
	b, err := New(cfg, eng, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), reg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	b.progressEvery = 40 * time.Millisecond
	h := &harness{t: t, discord: d, bot: b, priv: priv, logs: logs, reg: reg}
	h.srv = httptest.NewServer(b.HTTPHandler())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		closedByTest := b.pool.isClosing()
		if err := b.Close(ctx); err != nil && !closedByTest {
			t.Errorf("Close: %v", err)
		}
		h.srv.Close()
		checkAllMessages(t, d)
		if t.Failed() {
			t.Logf("bot log:\n%s", logs)
		}
	})
	return h
}

// logBuffer collects the bot's log for assertions and for failed tests.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// member is who sends an interaction.
type member struct {
	id    string
	perms int64
	roles []string
}

var (
	alice = member{id: "100000000000000001"}
	bob   = member{id: "100000000000000002"}
	boss  = member{id: "100000000000000003", perms: dg.PermissionManageGuild}
)

const (
	guildA  = "200000000000000001"
	guildB  = "200000000000000002"
	channel = "300000000000000001"
)

// sent identifies a posted interaction.
type sent struct{ id, token string }

// interaction builds an interaction as Discord sends it; guild "" makes it a DM.
func (h *harness) interaction(typ dg.InteractionType, guild string, m member, data map[string]any) (map[string]any, sent) {
	n := h.seq.Add(1)
	s := sent{id: fmt.Sprintf("6%017d", n), token: fmt.Sprintf("tok-%s-%d", strings.ReplaceAll(h.t.Name(), "/", "."), n)}
	user := map[string]any{"id": m.id, "username": "member" + m.id[len(m.id)-2:], "discriminator": "0"}
	p := map[string]any{
		"id": s.id, "application_id": "app", "type": int(typ), "token": s.token, "version": 1,
		"channel_id": channel, "locale": "en-GB", "data": data,
	}
	if guild == "" {
		p["user"] = user
		p["context"] = 1
	} else {
		roles := m.roles
		if roles == nil {
			roles = []string{}
		}
		p["guild_id"] = guild
		p["member"] = map[string]any{"user": user, "roles": roles, "permissions": strconv.FormatInt(m.perms, 10)}
	}
	return p, s
}

// slash builds a slash command; opts are name, value pairs (string or int values).
func (h *harness) slash(guild string, m member, name string, opts ...any) (map[string]any, sent) {
	var options []map[string]any
	for i := 0; i+1 < len(opts); i += 2 {
		o := map[string]any{"name": opts[i], "value": opts[i+1], "type": int(dg.ApplicationCommandOptionString)}
		if _, ok := opts[i+1].(int); ok {
			o["type"] = int(dg.ApplicationCommandOptionInteger)
		}
		options = append(options, o)
	}
	return h.interaction(dg.InteractionApplicationCommand, guild, m,
		map[string]any{"id": "700000000000000001", "name": name, "type": 1, "options": options})
}

// click builds a button click (or, with values, a menu choice).
func (h *harness) click(guild string, m member, customID string, values ...string) (map[string]any, sent) {
	data := map[string]any{"custom_id": customID, "component_type": int(dg.ButtonComponent)}
	if values != nil {
		data["component_type"] = int(dg.SelectMenuComponent)
		data["values"] = values
	}
	p, s := h.interaction(dg.InteractionMessageComponent, guild, m, data)
	p["message"] = map[string]any{"id": "500000000000009999", "channel_id": channel, "content": ""}
	return p, s
}

// post signs payload with the app's key and the current time and posts it to /interactions.
func (h *harness) post(payload map[string]any) (int, string) {
	h.t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.postSigned(body, strconv.FormatInt(time.Now().Unix(), 10), h.priv)
}

func (h *harness) postSigned(body []byte, ts string, key ed25519.PrivateKey) (int, string) {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/interactions", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if key != nil {
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
		req.Header.Set("X-Signature-Timestamp", ts)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		h.discord.recordInitialResponse(body, out)
	}
	return resp.StatusCode, string(out)
}

// send posts a payload and requires the endpoint to accept it.
func (h *harness) send(payload map[string]any, s sent) sent {
	h.t.Helper()
	if code, body := h.post(payload); code != http.StatusOK {
		h.t.Fatalf("POST /interactions = %d %q, want 200 with the first response", code, body)
	}
	return s
}

// ask sends /ask question in guild as m.
func (h *harness) ask(guild string, m member, question string, opts ...any) sent {
	h.t.Helper()
	return h.send(h.slash(guild, m, "ask", append([]any{"question", question}, opts...)...))
}

// callback waits for the interaction's callback and returns it.
func (h *harness) callback(s sent) call {
	h.t.Helper()
	return h.discord.waitFor(h.t, "callback of "+s.id, 1, callbackOf(s.id))[0]
}

// edit waits for an edit of the reply whose content satisfies ok, and returns it.
func (h *harness) edit(s sent, ok func(content string) bool) call {
	h.t.Helper()
	got := h.discord.waitFor(h.t, "matching edit of "+s.token, 1, func(c call) bool {
		return editOf(s.token)(c) && (ok == nil || ok(c.str("content")))
	})
	return got[0]
}

// ephemeralError waits for the ephemeral text a member sees after an error, however the
// request was acknowledged, and returns it.
func (h *harness) ephemeralError(s sent) string {
	h.t.Helper()
	cb := h.callback(s)
	switch cb.num("type") {
	case int(dg.InteractionResponseChannelMessageWithSource):
		if cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			h.t.Errorf("immediate error reply is not ephemeral: %v", cb.Body)
		}
		return cb.data().str("content")
	case int(dg.InteractionResponseDeferredChannelMessageWithSource):
		if cb.data().num("flags") == int(dg.MessageFlagsEphemeral) {
			return h.edit(s, nil).str("content")
		}
		h.discord.waitFor(h.t, "delete of the public reply", 1, deleteOf(s.token))
		f := h.discord.waitFor(h.t, "ephemeral follow-up", 1, followupOf(s.token))[0]
		if f.num("flags") != int(dg.MessageFlagsEphemeral) {
			h.t.Errorf("error follow-up is not ephemeral: %v", f.Body)
		}
		return f.str("content")
	}
	h.t.Fatalf("unexpected callback %v", cb.Body)
	return ""
}

// checkAllMessages checks every message the bot sent: Discord's limits, and no pings.
func checkAllMessages(t *testing.T, d *fakeDiscord) {
	t.Helper()
	for _, c := range d.recorded(nil) {
		msg := c
		switch {
		case strings.HasSuffix(c.Path, "/callback"):
			if typ := c.num("type"); typ != 4 && typ != 7 {
				continue
			}
			msg = c.data()
		case strings.HasPrefix(c.Path, "/webhooks/") && (c.Method == http.MethodPatch || c.Method == http.MethodPost):
		case strings.HasPrefix(c.Path, "/channels/") && strings.HasSuffix(c.Path, "/messages") && c.Method == http.MethodPost:
		case strings.HasPrefix(c.Path, "/channels/") && strings.Contains(c.Path, "/messages/") && c.Method == http.MethodPatch:
		default:
			continue
		}
		checkLimits(t, c.Method+" "+c.Path, msg)
	}
}

func checkLimits(t *testing.T, where string, m call) {
	t.Helper()
	am, _ := m.Body["allowed_mentions"].(map[string]any)
	if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 || am["replied_user"] == true {
		t.Errorf("%s: allowed_mentions = %v, want {parse: []}", where, m.Body["allowed_mentions"])
	}
	if n := runeLen(m.str("content")); n > maxContent {
		t.Errorf("%s: content has %d characters", where, n)
	}
	embeds := m.embeds()
	if len(embeds) > maxEmbeds {
		t.Errorf("%s: %d embeds", where, len(embeds))
	}
	total := 0
	for i, e := range embeds {
		title, _ := e["title"].(string)
		desc, _ := e["description"].(string)
		foot, _ := e["footer"].(map[string]any)
		ft, _ := foot["text"].(string)
		if runeLen(title) > maxEmbedTitle || runeLen(desc) > maxEmbedDesc || runeLen(ft) > maxEmbedFooter {
			t.Errorf("%s: embed %d over a limit: title %d, description %d, footer %d", where, i,
				runeLen(title), runeLen(desc), runeLen(ft))
		}
		total += runeLen(title) + runeLen(desc) + runeLen(ft)
	}
	if total > maxEmbedTotal {
		t.Errorf("%s: embeds total %d characters", where, total)
	}
	rows := m.components()
	if len(rows) > maxRows {
		t.Errorf("%s: %d rows", where, len(rows))
	}
	seen := map[string]bool{}
	for _, row := range rows {
		if len(row) > maxButtonsInRow {
			t.Errorf("%s: %d components in a row", where, len(row))
		}
		for _, id := range row {
			if id == "" || len(id) > maxCustomID || seen[id] {
				t.Errorf("%s: bad or repeated custom_id %q", where, id)
			}
			seen[id] = true
		}
	}
}

// realEngine returns the real engine on the test database, and n fresh guild ids whose
// collections are removed when the test ends. Without a database the test is skipped
// (it fails under CI).
func realEngine(t *testing.T, n int, opts ...retrievaltest.Option) (*retrieval.Engine, []string) {
	t.Helper()
	e, _ := retrievaltest.Engine(t, opts...)
	guilds := make([]string, n)
	for i := range guilds {
		v, err := rand.Int(rand.Reader, big.NewInt(1e17))
		if err != nil {
			t.Fatal(err)
		}
		g := fmt.Sprintf("8%017d", v.Int64())
		guilds[i] = g
		t.Cleanup(func() {
			if err := retrievaltest.RemoveServer(context.Background(), e, g); err != nil {
				t.Errorf("remove collection %s: %v", g, err)
			}
		})
	}
	return e, guilds
}

// article is a test article, imported straight into a collection.
type article struct {
	URL, Title, Site, Published, Text string
}

func importArticles(t *testing.T, e *retrieval.Engine, coll string, arts ...article) {
	t.Helper()
	var sb strings.Builder
	for _, a := range arts {
		line, _ := json.Marshal(map[string]string{"url": a.URL, "title": a.Title, "site": a.Site,
			"published": a.Published, "text": a.Text})
		sb.Write(line)
		sb.WriteByte('\n')
	}
	st, err := e.Import(context.Background(), coll, strings.NewReader(sb.String()), nil)
	if err != nil || st.Failed > 0 {
		t.Fatalf("import into %s: %+v, %v", coll, st, err)
	}
}

// counterValue reads a counter.
func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}
