package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// The real engine lists the servers' collections for ReconcileGuilds.
var _ guildLister = (*retrieval.Engine)(nil)

// leavingEngine is the fake engine with servers' collections and their scheduled
// deletions kept in memory.
type leavingEngine struct {
	*fakeEngine
	mu      sync.Mutex
	leaving map[string]bool // collection → its deletion is scheduled
}

func (e *leavingEngine) GuildCollections(context.Context) ([]retrieval.GuildCollection, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []retrieval.GuildCollection
	for c, l := range e.leaving {
		out = append(out, retrieval.GuildCollection{Collection: c, Leaving: l})
	}
	return out, nil
}

func (e *leavingEngine) ScheduleRemoval(_ context.Context, coll string, _ time.Time, _ time.Duration) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.leaving[coll] = true
	return nil
}

func (e *leavingEngine) CancelRemoval(_ context.Context, coll string) (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	was := e.leaving[coll]
	e.leaving[coll] = false
	return was, nil
}

func (e *leavingEngine) state() map[string]bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[string]bool, len(e.leaving))
	for c, l := range e.leaving {
		out[c] = l
	}
	return out
}

// serverOnShard returns a server id (from 2xxx…) that Discord puts on shard of count.
func serverOnShard(t *testing.T, from uint64, shard, count int) string {
	t.Helper()
	for id := from; ; id += 1 << 22 {
		if int((id>>22)%uint64(count)) == shard {
			return strconv.FormatUint(id, 10)
		}
	}
}

func TestReconcileGuilds(t *testing.T) {
	t.Run("over the gateway, servers footnote left unseen are scheduled, servers it is back in are kept, other shards' are listed over REST", func(t *testing.T) {
		stay := guildA // in READY and GUILD_CREATE (startGatewayOn)
		if !(&Bot{cfg: Config{ShardCount: 2}}).onThisShard(stay) {
			t.Fatalf("%s is not on shard 0 of 2: pick another", stay)
		}
		gone := serverOnShard(t, 210000000000000001, 0, 2)
		outage := serverOnShard(t, 220000000000000001, 0, 2)
		back := serverOnShard(t, 230000000000000001, 0, 2)
		otherShard := serverOnShard(t, 240000000000000001, 1, 2) // in the REST list: kept
		otherGone := serverOnShard(t, 260000000000000001, 1, 2)  // in no list: scheduled
		otherBack := serverOnShard(t, 270000000000000001, 1, 2)  // listed again: cancelled
		restOnly := serverOnShard(t, 280000000000000001, 0, 2)   // this shard's: the gateway decides
		eng := &leavingEngine{fakeEngine: newFakeEngine(), leaving: map[string]bool{
			stay: false, gone: false, outage: false, otherShard: false, back: true, guildB: true,
			otherGone: false, otherBack: true, restOnly: false,
		}}
		h, _ := startGatewayOn(t, eng, func(g *fakeGateway) { g.outages = []string{outage, back} },
			func(c *Config) { c.ShardCount, c.ShardID = 2, 0 })
		h.discord.mu.Lock()
		h.discord.userGuilds = []string{otherShard, otherBack, restOnly}
		h.discord.mu.Unlock()
		for deadline := time.Now().Add(10 * time.Second); h.bot.selfID() == ""; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) { // onReady learns the servers, then the bot's id
				t.Fatal("READY was never handled")
			}
		}
		scheduled, cancelled, err := h.bot.ReconcileGuilds(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{stay: false, gone: true, outage: false, otherShard: false, back: false, guildB: true,
			otherGone: true, otherBack: false, restOnly: false}
		if fmt.Sprint(eng.state()) != fmt.Sprint(want) || scheduled != 2 || cancelled != 2 {
			t.Errorf("leaving %v (scheduled %d, cancelled %d), want %v", eng.state(), scheduled, cancelled, want)
		}
	})

	t.Run("between a dropped gateway connection and the next READY the servers are unknown, and nothing is scheduled", func(t *testing.T) {
		joined := serverOnShard(t, 250000000000000001, 0, 1) // adds footnote while it is away; has data already
		eng := &leavingEngine{fakeEngine: newFakeEngine(), leaving: map[string]bool{guildA: false, joined: false}}
		h, gw := startGatewayOn(t, eng, nil)
		for deadline := time.Now().Add(10 * time.Second); h.bot.selfID() == ""; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("READY was never handled")
			}
		}
		hold := make(chan struct{})
		gw.mu.Lock()
		gw.holdReady = hold
		gw.guilds = append(gw.guilds, map[string]any{"id": joined, "name": "Joined", "unavailable": false,
			"roles": []any{}, "members": []any{}, "threads": []any{}, "channels": []any{}})
		gw.mu.Unlock()
		gw.drop()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			gw.mu.Lock()
			n := len(gw.identifies)
			gw.mu.Unlock()
			if n >= 2 { // the bot saw the drop and identifies anew; READY is held back
				break
			}
			if time.Now().After(deadline) {
				close(hold)
				t.Fatal("the bot never reconnected")
			}
		}
		_, _, err := h.bot.ReconcileGuilds(context.Background())
		if !errors.Is(err, ErrGuildsUnknown) || eng.state()[joined] {
			t.Errorf("while reconnecting: ReconcileGuilds = %v, leaving %v; want the servers unknown and nothing scheduled", err, eng.state())
		}
		close(hold)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			if _, _, err = h.bot.ReconcileGuilds(context.Background()); err == nil {
				break
			}
			if !errors.Is(err, ErrGuildsUnknown) || time.Now().After(deadline) {
				t.Fatalf("after the new READY: ReconcileGuilds = %v", err)
			}
		}
		if got := eng.state(); got[joined] || got[guildA] {
			t.Errorf("leaving %v: the new READY lists both servers, so neither is scheduled", got)
		}
	})

	t.Run("over HTTP, the servers are listed over REST, page after page", func(t *testing.T) {
		const unlisted = "290000000000000001"
		eng := &leavingEngine{fakeEngine: newFakeEngine(), leaving: map[string]bool{"200000000000000450": false, unlisted: false}}
		h := newHarness(t, eng)
		var ids []string
		for i := range 450 {
			ids = append(ids, fmt.Sprintf("2%017d", i+1))
		}
		h.discord.mu.Lock()
		h.discord.userGuilds = ids
		h.discord.mu.Unlock()
		if scheduled, _, err := h.bot.ReconcileGuilds(context.Background()); err != nil || scheduled != 1 {
			t.Fatalf("ReconcileGuilds = %d scheduled, %v", scheduled, err)
		}
		if got := eng.state(); got["200000000000000450"] || !got[unlisted] {
			t.Errorf("leaving %v: want only %s, which is on no page", got, unlisted)
		}
		if n := len(h.discord.recorded(func(c call) bool { return c.Path == "/users/@me/guilds" })); n != 3 {
			t.Errorf("%d pages asked for, want 3", n)
		}
	})

	t.Run("when the servers cannot be listed, nothing is scheduled", func(t *testing.T) {
		eng := &leavingEngine{fakeEngine: newFakeEngine(), leaving: map[string]bool{guildA: false}}
		h := newHarness(t, eng)
		h.discord.mu.Lock()
		h.discord.failGuilds = true
		h.discord.mu.Unlock()
		if _, _, err := h.bot.ReconcileGuilds(context.Background()); err == nil || eng.state()[guildA] {
			t.Errorf("ReconcileGuilds = %v; leaving %v", err, eng.state())
		}
		h = newHarness(t, eng, func(c *Config) { c.Token = "" })
		if _, _, err := h.bot.ReconcileGuilds(context.Background()); !errors.Is(err, ErrGuildsUnknown) || eng.state()[guildA] {
			t.Errorf("without a token: ReconcileGuilds = %v; leaving %v", err, eng.state())
		}
		if n := len(h.discord.recorded(func(c call) bool { return c.Method == http.MethodGet })); n != 0 {
			t.Errorf("%d calls without a token", n)
		}
	})
}
