package bot

import (
	"context"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// The real engine keeps or deletes a server's data as footnote leaves and rejoins.
var _ guildLifecycle = (*retrieval.Engine)(nil)

func TestGuildRemovalSchedulesDeletion(t *testing.T) {
	e, guilds := realEngine(t, 2)
	gone, outage := guilds[0], guilds[1]
	importArticles(t, e, gone, article{URL: "https://news.example/a", Title: "Pier", Text: "The pier closes for repairs in June."})
	for _, g := range guilds {
		t.Cleanup(func() { _, _ = e.CancelRemoval(context.Background(), g) })
	}
	h, gw := startGateway(t, e)
	db := retrievaltest.Conn(t)
	scheduled := func(g string) (bool, time.Time, time.Time) {
		var left, after time.Time
		err := db.QueryRow(context.Background(),
			`SELECT left_at, delete_after FROM guild_departures WHERE collection = $1`, g).Scan(&left, &after)
		return err == nil, left, after
	}
	waitUntil := func(t *testing.T, what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("waited 10s for %s; bot log:\n%s", what, h.logs)
			}
		}
	}

	t.Run("removed from a server, the bot schedules its collection for deletion after the grace period", func(t *testing.T) {
		gw.dispatch("GUILD_DELETE", map[string]any{"id": outage, "unavailable": true})
		gw.dispatch("GUILD_DELETE", map[string]any{"id": gone})
		waitUntil(t, "the deletion to be scheduled", func() bool { ok, _, _ := scheduled(gone); return ok })
		_, left, after := scheduled(gone)
		if got := after.Sub(left); got != retrieval.DefaultGuildGrace {
			t.Errorf("deleted %v after leaving, want %v", got, retrieval.DefaultGuildGrace)
		}
		// Events are handled in order: the outage, sent first, has been handled too.
		if ok, _, _ := scheduled(outage); ok {
			t.Error("an outage (unavailable: true) scheduled a deletion")
		}
	})

	t.Run("added back within the grace period, the server keeps its articles", func(t *testing.T) {
		gw.dispatch("GUILD_CREATE", map[string]any{"id": gone, "name": "Back", "unavailable": false,
			"roles": []any{}, "members": []any{}, "threads": []any{}, "channels": []any{}})
		waitUntil(t, "the deletion to be cancelled", func() bool { ok, _, _ := scheduled(gone); return !ok })
		var n int
		if err := db.QueryRow(context.Background(), `SELECT count(*) FROM articles WHERE collection = $1`, gone).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d articles, %v; want the one imported", n, err)
		}
	})
}
