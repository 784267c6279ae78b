package retrieval_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestScheduledRemoval(t *testing.T) {
	ctx := context.Background()
	e, gone := retrievaltest.Engine(t)
	back := retrievaltest.Collection(t)
	waiting := retrievaltest.Collection(t)
	for _, coll := range []string{gone, back, waiting} {
		importDocs(t, e, coll, doc{URL: "https://news.example/a", Text: "The pier closes for repairs."})
		t.Cleanup(func() {
			_ = retrievaltest.RemoveServer(context.Background(), e, coll)
		})
	}
	c := conn(t)
	articles := func(coll string) int {
		return count(t, c, `SELECT count(*) FROM articles WHERE collection = $1`, coll)
	}
	left := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	grace := retrieval.DefaultGuildGrace
	for _, coll := range []string{gone, back} {
		if err := e.ScheduleRemoval(ctx, coll, left, grace); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.ScheduleRemoval(ctx, waiting, left.Add(10*24*time.Hour), grace); err != nil {
		t.Fatal(err)
	}

	t.Run("a second departure keeps the first date", func(t *testing.T) {
		if err := e.ScheduleRemoval(ctx, gone, left.Add(20*24*time.Hour), grace); err != nil {
			t.Fatal(err)
		}
		if n := count(t, c, `SELECT count(*) FROM guild_departures WHERE collection = $1 AND left_at = $2`, gone, left); n != 1 {
			t.Errorf("the first departure was replaced")
		}
	})

	t.Run("re-adding the bot within the grace period cancels the deletion", func(t *testing.T) {
		if ok, err := e.CancelRemoval(ctx, back); err != nil || !ok {
			t.Fatalf("CancelRemoval = %v, %v", ok, err)
		}
		if ok, err := e.CancelRemoval(ctx, back); err != nil || ok {
			t.Errorf("a second cancel found something: %v, %v", ok, err)
		}
	})

	t.Run("before its time nothing is deleted", func(t *testing.T) {
		removed, err := e.RemoveDue(ctx, left.Add(grace-time.Second))
		if err != nil || slices.Contains(removed, gone) || articles(gone) != 1 {
			t.Errorf("RemoveDue = %v, %v; %d articles left", removed, err, articles(gone))
		}
	})

	t.Run("the sweep deletes only the collections whose time has come", func(t *testing.T) {
		removed, err := e.RemoveDue(ctx, left.Add(grace))
		if err != nil || !slices.Contains(removed, gone) || slices.Contains(removed, waiting) || slices.Contains(removed, back) {
			t.Fatalf("RemoveDue = %v, %v", removed, err)
		}
		if articles(gone) != 0 || articles(back) != 1 || articles(waiting) != 1 {
			t.Errorf("articles left: gone %d, back %d, waiting %d", articles(gone), articles(back), articles(waiting))
		}
		if n := count(t, c, `SELECT count(*) FROM guild_departures WHERE collection = $1`, gone); n != 0 {
			t.Error("the departure of a deleted collection is still scheduled")
		}
		if ok, _ := e.CancelRemoval(ctx, waiting); !ok {
			t.Error("the collection not yet due is no longer scheduled")
		}
	})
}

func TestGuildCollections(t *testing.T) {
	ctx := context.Background()
	e, _ := retrievaltest.Engine(t)
	id := func() string { // a server's id: the test's own collections are not named like one
		return fmt.Sprintf("7%017d", rand.Int64N(1e17))
	}
	stored, leaving := id(), id()
	for _, coll := range []string{stored, leaving} {
		importDocs(t, e, coll, doc{URL: "https://news.example/a", Text: "The pier closes for repairs."})
		t.Cleanup(func() {
			_ = retrievaltest.RemoveServer(context.Background(), e, coll)
		})
	}
	if err := e.ScheduleRemoval(ctx, leaving, time.Now(), retrieval.DefaultGuildGrace); err != nil {
		t.Fatal(err)
	}
	got, err := e.GuildCollections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{stored: false, leaving: true}
	for _, g := range got {
		if g.Collection == retrieval.DefaultCollection || !retrieval.IsDiscordID(g.Collection) {
			t.Errorf("%q is no server's collection", g.Collection)
		}
		if leave, ok := want[g.Collection]; ok {
			if g.Leaving != leave {
				t.Errorf("%s: leaving %v, want %v", g.Collection, g.Leaving, leave)
			}
			delete(want, g.Collection)
		}
	}
	if len(want) > 0 {
		t.Errorf("servers' collections not listed: %v", want)
	}
}
