package retrieval_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestGuildSettings(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	ptr := func(s string) *string { return &s }

	t.Run("a server that chose nothing gets the defaults", func(t *testing.T) {
		g, err := e.GuildSettings(ctx, coll)
		if err != nil {
			t.Fatal(err)
		}
		if g.AdminRole != "" || g.AnswerMode != retrieval.AnswerDefault || g.MentionChannels != nil || !g.MembersAdd {
			t.Errorf("defaults %+v", g)
		}
		if !g.MentionsAllowedIn("300000000000000001") {
			t.Error("mentions refused in a channel with no list")
		}
	})
	t.Run("an update changes only the fields it sets and is read back", func(t *testing.T) {
		mode, no := retrieval.AnswerEphemeral, false
		chs := []string{"300000000000000002", "300000000000000001", "300000000000000002"}
		if _, err := e.UpdateGuildSettings(ctx, coll, retrieval.SettingsUpdate{AdminRole: ptr("500000000000000001"),
			AnswerMode: &mode, MentionChannels: &chs, By: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.UpdateGuildSettings(ctx, coll, retrieval.SettingsUpdate{MembersAdd: &no}); err != nil {
			t.Fatal(err)
		}
		g, err := e.GuildSettings(ctx, coll)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"300000000000000001", "300000000000000002"}
		if g.AdminRole != "500000000000000001" || g.AnswerMode != mode || !slices.Equal(g.MentionChannels, want) || g.MembersAdd {
			t.Errorf("read back %+v", g)
		}
		if g.MentionsAllowedIn("300000000000000009") || !g.MentionsAllowedIn("300000000000000002") {
			t.Error("channel list not applied")
		}
	})
	t.Run("a nil channel list and an empty role restore the defaults", func(t *testing.T) {
		var all []string
		g, err := e.UpdateGuildSettings(ctx, coll, retrieval.SettingsUpdate{AdminRole: ptr(""), MentionChannels: &all})
		if err != nil || g.AdminRole != "" || g.MentionChannels != nil {
			t.Fatalf("%+v, %v", g, err)
		}
		if g, _ = e.GuildSettings(ctx, coll); g.MentionChannels != nil || g.AdminRole != "" {
			t.Errorf("read back %+v", g)
		}
	})
	t.Run("bad input is refused and changes nothing", func(t *testing.T) {
		bad := retrieval.AnswerMode("dm")
		empty := []string{}
		for name, u := range map[string]retrieval.SettingsUpdate{
			"mode":    {AnswerMode: &bad},
			"role":    {AdminRole: ptr("@mods")},
			"channel": {MentionChannels: &[]string{"#general"}},
			"empty":   {MentionChannels: &empty},
		} {
			if _, err := e.UpdateGuildSettings(ctx, coll, u); !errors.Is(err, retrieval.ErrInvalidInput) {
				t.Errorf("%s: %v, want ErrInvalidInput", name, err)
			}
		}
	})
	t.Run("settings are kept apart per server, survive removing the articles and go with a departed server", func(t *testing.T) {
		other := retrievaltest.Collection(t)
		if g, _ := e.GuildSettings(ctx, other); g.MembersAdd != true {
			t.Errorf("other server sees %+v", g)
		}
		// An operator clearing the articles to re-import keeps the server's choices.
		if _, err := e.RemoveCollection(ctx, coll); err != nil {
			t.Fatal(err)
		}
		if g, _ := e.GuildSettings(ctx, coll); g.MembersAdd {
			t.Errorf("removing the articles erased the settings: %+v", g)
		}
		// A server that removed the bot loses them with its data after the grace period.
		left := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := e.ScheduleRemoval(ctx, coll, left, time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := e.RemoveDue(ctx, left.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if g, _ := e.GuildSettings(ctx, coll); !g.MembersAdd {
			t.Errorf("settings survived the departed server: %+v", g)
		}
	})
}
