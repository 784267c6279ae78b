package bot

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// fakeQueue is a ReindexQueue that remembers the reindex it queued, one per collection.
type fakeQueue struct {
	mu     sync.Mutex
	queued map[string]ReindexJob
	calls  int
}

func (q *fakeQueue) EnqueueReindex(_ context.Context, coll, channelID, by string) (ReindexJob, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	if j, ok := q.queued[coll]; ok {
		j.Queued = false
		j.Phase = retrieval.JobRunning
		return j, nil
	}
	if q.queued == nil {
		q.queued = map[string]ReindexJob{}
	}
	j := ReindexJob{Queued: true, Phase: retrieval.JobQueued, ChannelID: channelID, RequestedBy: by}
	q.queued[coll] = j
	return j, nil
}

// reindexIn sends /reindex from boss with footnote's permissions in the channel.
func (h *harness) reindexIn(appPerms int64) sent {
	p, s := h.slash(guildA, boss, "reindex")
	p["app_permissions"] = strconv.FormatInt(appPerms, 10)
	return h.send(p, s)
}

func TestReindexAsAJob(t *testing.T) {
	q := &fakeQueue{}
	eng := newFakeEngine()
	h := newHarness(t, eng, func(c *Config) { c.Reindexer = q })

	t.Run("an admin is told at once, and only they see it, that progress comes in the channel", func(t *testing.T) {
		s := h.reindexIn(InvitePermissions)
		if cb := h.callback(s); cb.data().num("flags") != int(dg.MessageFlagsEphemeral) {
			t.Errorf("callback %v, want an ephemeral deferral", cb.Body)
		}
		if got := h.edit(s, nil).str("content"); got != "Reindex started. Its progress will be posted in this channel." {
			t.Errorf("reply %q", got)
		}
		if j := q.queued[guildA]; j.ChannelID != channel || j.RequestedBy != boss.id {
			t.Errorf("queued %+v, want this channel, asked by boss", j)
		}
		if eng.reindexCount() != 0 {
			t.Error("the interaction reindexed by itself")
		}
	})
	t.Run("asking again while it runs is told who asked and where it reports", func(t *testing.T) {
		got := h.edit(h.reindexIn(InvitePermissions), nil).str("content")
		want := "A reindex of this server is already running, asked for by <@" + boss.id + ">, so no other was started. Its progress is posted in <#" + channel + ">."
		if got != want {
			t.Errorf("reply %q\nwant  %q", got, want)
		}
	})
	t.Run("where footnote cannot post, the job reports nowhere and the admin is told", func(t *testing.T) {
		q2 := &fakeQueue{}
		h2 := newHarness(t, newFakeEngine(), func(c *Config) { c.Reindexer = q2 })
		got := h2.edit(h2.reindexIn(dg.PermissionViewChannel), nil).str("content")
		if !strings.Contains(got, "can't post in this channel") || q2.queued[guildA].ChannelID != "" {
			t.Errorf("reply %q, queued %+v; want no channel", got, q2.queued[guildA])
		}
	})
	t.Run("members who are not admins are still refused", func(t *testing.T) {
		before := q.calls
		if got := h.ephemeralError(h.send(h.slash(guildA, alice, "reindex"))); !strings.HasPrefix(got, "Only admins can do that") {
			t.Errorf("reply %q", got)
		}
		if q.calls != before {
			t.Error("a reindex was queued")
		}
	})
}

func TestReindexProgressInTheChannel(t *testing.T) {
	h := newHarness(t, newFakeEngine())
	var mu sync.Mutex
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	h.bot.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	tick := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	ctx := context.Background()
	edits := func(c call) bool {
		return c.Method == http.MethodPatch && strings.HasPrefix(c.Path, "/channels/"+channel+"/messages/")
	}

	t.Run("a message is posted, edited with the progress, and ends with the counts", func(t *testing.T) {
		p := h.bot.ReindexReporter(guildA, channel, boss.id)
		p.Start(ctx)
		posts := h.discord.recorded(channelPost(channel))
		if len(posts) != 1 || posts[0].str("content") != "Reindexing this server's articles, asked for by <@"+boss.id+">…" {
			t.Fatalf("posts %v", posts)
		}
		for done := 0; done <= 300; done += 50 {
			tick(h.bot.progressEvery / 2) // the edits are throttled to one per progressEvery
			p.Update(ctx, done, 300)
		}
		p.Finish(ctx, retrieval.ReindexStats{Articles: 2, Passages: 300, Embedded: 300, Took: 3 * time.Second}, nil)
		all := h.discord.recorded(edits)
		if len(all) != 4 {
			t.Fatalf("%d edits, want 3 progress edits (one per progressEvery) and the last word:\n%s", len(all), h.discord.dump())
		}
		if got := all[len(all)-2].str("content"); got != "Reindexing this server's articles…\n▰▰▰▰▰▰▰▰▱▱ 250 / 300 passages" {
			t.Errorf("last progress %q", got)
		}
		if got := all[len(all)-1].str("content"); got != "Reindex done in 3.0 s: 2 articles, 300 passages, 300 embedded.\n▰▰▰▰▰▰▰▰▰▰ 300 passages in 3.0 s · 100/s" {
			t.Errorf("last word %q", got)
		}
		if len(h.discord.recorded(channelPost(channel))) != 1 {
			t.Error("more than one message was posted")
		}
	})
	t.Run("an attempt that stops says why, in the same message", func(t *testing.T) {
		before := len(h.discord.recorded(edits))
		p := h.bot.ReindexReporter(guildA, channel, "cli")
		p.Start(ctx)
		p.Finish(ctx, retrieval.ReindexStats{}, errors.New("attempt 1 of 5 failed: embedder unreachable. It is tried again shortly"))
		all := h.discord.recorded(edits)
		if len(all) != before+1 || all[len(all)-1].str("content") != "Reindex stopped: attempt 1 of 5 failed: embedder unreachable. It is tried again shortly" {
			t.Errorf("edits %v", all[before:])
		}
		if got := h.discord.recorded(channelPost(channel)); got[len(got)-1].str("content") != "Reindexing this server's articles, asked for from the command line…" {
			t.Errorf("start %q", got[len(got)-1].str("content"))
		}
	})
}
