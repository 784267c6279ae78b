package bot

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeGateway speaks enough of Discord's gateway: hello (op 10), identify (op 2) answered
// with READY and GUILD_CREATE, resume (op 6) answered with RESUMED or, when the session is
// gone, invalid session (op 9), heartbeat ACKs (op 11), and the dispatches the test sends.
// It serves one connection after another, as Discord does when a bot reconnects.
type fakeGateway struct {
	mu         sync.Mutex
	conn       *websocket.Conn
	seq        int
	identify   map[string]any   // the last identify
	identifies []map[string]any // every identify, in order
	resumes    int
	readies    int // READY and RESUMED sent
	heartbeats int
	guilds     []map[string]any // sent as GUILD_CREATE after READY
	// outages are servers READY lists (unavailable) that never come back in this test
	outages []string
	// refuseContent closes the connection with 4014 when identify asks for the Message
	// Content intent, as Discord does when the portal has not granted it.
	refuseContent bool
	// forgetSessions answers every resume with invalid session (op 9, d: false), as Discord
	// does when the session has expired: the client must identify again.
	forgetSessions bool
	// holdReady, when set, keeps READY back from an identify until it is closed, as a
	// gateway slow to answer does: the client is between connections until then.
	holdReady chan struct{}
	ready     chan struct{}
	once      sync.Once
}

func newFakeGateway() *fakeGateway {
	return &fakeGateway{ready: make(chan struct{})}
}

const intentMessageContent = 1 << 15

func (g *fakeGateway) serve(f *fakeDiscord) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		g.mu.Lock()
		g.conn = conn
		g.mu.Unlock()
		g.send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 100}})
		if !g.handshake(f, conn) {
			return
		}
		for {
			var m map[string]any
			if err := conn.ReadJSON(&m); err != nil {
				return
			}
			switch m["op"] {
			case float64(1):
				g.mu.Lock()
				g.heartbeats++
				g.mu.Unlock()
				g.send(map[string]any{"op": 11})
			case float64(2):
				if !g.identified(f, conn, m) {
					return
				}
			}
		}
	}
}

// handshake answers the connection's identify or resume; it reports whether the
// connection stays open.
func (g *fakeGateway) handshake(f *fakeDiscord, conn *websocket.Conn) bool {
	var m map[string]any
	if err := conn.ReadJSON(&m); err != nil {
		return false
	}
	switch m["op"] {
	case float64(2):
		return g.identified(f, conn, m)
	case float64(6):
		g.mu.Lock()
		g.resumes++
		forget := g.forgetSessions
		g.mu.Unlock()
		if forget {
			g.send(map[string]any{"op": 9, "d": false}) // the client identifies next (serve's loop)
			return true
		}
		g.dispatch("RESUMED", map[string]any{})
		g.mu.Lock()
		g.readies++
		g.mu.Unlock()
		return true
	}
	return false
}

// identified answers an identify: 4014 when it asks for a refused intent, else READY and
// the guilds. It reports whether the connection stays open.
func (g *fakeGateway) identified(f *fakeDiscord, conn *websocket.Conn, ident map[string]any) bool {
	g.mu.Lock()
	g.identify = ident
	g.identifies = append(g.identifies, ident)
	guilds, refuse, hold := g.guilds, g.refuseContent, g.holdReady
	ready := []any{} // READY lists every server of the shard, all unavailable until their GUILD_CREATE
	for _, gc := range guilds {
		ready = append(ready, map[string]any{"id": gc["id"], "unavailable": true})
	}
	for _, id := range g.outages {
		ready = append(ready, map[string]any{"id": id, "unavailable": true})
	}
	g.mu.Unlock()
	if d, _ := ident["d"].(map[string]any); refuse {
		if in, _ := d["intents"].(float64); int64(in)&intentMessageContent != 0 {
			g.close(conn, closeDisallowedIntents, "Disallowed intent(s).")
			return false
		}
	}
	if hold != nil {
		<-hold
	}
	g.dispatch("READY", map[string]any{
		"v": 9, "session_id": "fake-session", "resume_gateway_url": "ws://unused",
		"user":   map[string]any{"id": f.botID, "username": "footnote", "bot": true},
		"guilds": ready, "application": map[string]any{"id": "app"},
	})
	for _, gc := range guilds {
		g.dispatch("GUILD_CREATE", gc)
	}
	g.mu.Lock()
	g.readies++
	g.mu.Unlock()
	g.once.Do(func() { close(g.ready) })
	return true
}

// close ends the connection with a close frame carrying code, as Discord does.
func (g *fakeGateway) close(conn *websocket.Conn, code int, reason string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	_ = conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason))
}

// drop cuts the current connection without a close frame, as a network failure does.
func (g *fakeGateway) drop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conn != nil {
		_ = g.conn.UnderlyingConn().Close()
	}
}

// waitReadies waits (up to 20 s) until n READY or RESUMED have been sent in all.
func (g *fakeGateway) waitReadies(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		g.mu.Lock()
		got := g.readies
		g.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %d READY or RESUMED, got %d", n, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *fakeGateway) send(v any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	_ = g.conn.WriteJSON(v)
}

// dispatch sends an event (op 0) with the next sequence number.
func (g *fakeGateway) dispatch(event string, d any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	_ = g.conn.WriteJSON(map[string]any{"op": 0, "t": event, "s": g.seq, "d": d})
}
