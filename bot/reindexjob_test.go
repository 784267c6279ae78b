package bot

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// fakeQueue is a ReindexQueue that remembers the reindex it queued, one per collection,
// and the locale of the last request.
type fakeQueue struct {
	mu        sync.Mutex
	queued    map[string]ReindexJob
	messageID string // of the job queued last
	calls     int
	locale    string
}

func (q *fakeQueue) EnqueueReindex(_ context.Context, coll, channelID, messageID, by, locale string) (ReindexJob, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls++
	q.locale = locale
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
	q.messageID = messageID
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
	t.Run("the progress message is posted in the channel, saying it is queued, and the job carries its id", func(t *testing.T) {
		posts := h.discord.recorded(channelPost(channel))
		want := "Reindex queued, asked for by <@" + boss.id + ">: it starts as soon as a worker is free, and this message will show its progress."
		if len(posts) != 1 || posts[0].str("content") != want {
			t.Fatalf("posted %v, want one message: %q", posts, want)
		}
		h.discord.mu.Lock()
		id, _ := h.discord.history[channel][0]["id"].(string)
		h.discord.mu.Unlock()
		if id == "" || q.messageID != id {
			t.Errorf("the job was queued with message %q, want the posted one (%q)", q.messageID, id)
		}
	})
	t.Run("asking again while it runs is told who asked and where it reports, and leaves no second message", func(t *testing.T) {
		got := h.edit(h.reindexIn(InvitePermissions), nil).str("content")
		want := "A reindex of this server is already running, asked for by <@" + boss.id + ">, so no other was started. Its progress is posted in <#" + channel + ">."
		if got != want {
			t.Errorf("reply %q\nwant  %q", got, want)
		}
		if n := len(h.discord.recorded(channelDelete(channel))); n != 1 {
			t.Errorf("%d messages deleted, want the second queued message", n)
		}
		h.discord.mu.Lock()
		left := len(h.discord.history[channel])
		h.discord.mu.Unlock()
		if left != 1 {
			t.Errorf("the channel shows %d messages, want the running job's only:\n%s", left, h.discord.dump())
		}
	})
	t.Run("where footnote cannot post, the job reports nowhere and the admin is told", func(t *testing.T) {
		q2 := &fakeQueue{}
		h2 := newHarness(t, newFakeEngine(), func(c *Config) { c.Reindexer = q2 })
		got := h2.edit(h2.reindexIn(dg.PermissionViewChannel), nil).str("content")
		if !strings.Contains(got, "can't post in this channel") || q2.queued[guildA].ChannelID != "" || q2.messageID != "" {
			t.Errorf("reply %q, queued %+v with message %q; want no channel", got, q2.queued[guildA], q2.messageID)
		}
		if n := len(h2.discord.recorded(channelPost(channel))); n != 0 {
			t.Errorf("%d messages posted where footnote cannot post", n)
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
