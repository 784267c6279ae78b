package bot

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestReindex(t *testing.T) {
	slowReindex := func(eng *fakeEngine) {
		eng.planFunc = func(context.Context, string) (retrieval.ReindexPlan, error) {
			return retrieval.ReindexPlan{Articles: 12, Passages: 300, ToEmbed: 300, Space: "hash-256"}, nil
		}
		eng.reindexFunc = func(ctx context.Context, _ string, progress func(done, total int)) (retrieval.ReindexStats, error) {
			for done := 0; done <= 300; done += 100 {
				progress(done, 300)
				time.Sleep(120 * time.Millisecond)
			}
			return retrieval.ReindexStats{Articles: 12, Passages: 300, Embedded: 300, Space: "hash-256", Took: 1500 * time.Millisecond}, nil
		}
	}

	t.Run("a member without Manage Server is refused ephemerally and nothing runs", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		s := h.send(h.slash(guildA, alice, "reindex"))
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseChannelMessageWithSource) {
			t.Errorf("callback %v, want an immediate ephemeral refusal", cb.Body)
		}
		if got := h.ephemeralError(s); !strings.HasPrefix(got, "Only admins can do that") {
			t.Errorf("reply %q", got)
		}
		// Close waits for every admitted request: a reindex that had started is counted by then.
		if err := h.bot.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if eng.reindexCount() != 0 {
			t.Error("the engine reindexed")
		}
	})

	t.Run("an admin sees the plan, progress as it goes, then the counts and the time", func(t *testing.T) {
		eng := newFakeEngine()
		slowReindex(eng)
		h := newHarness(t, eng)
		s := h.send(h.slash(guildA, boss, "reindex"))
		if cb := h.callback(s); cb.num("type") != int(dg.InteractionResponseDeferredChannelMessageWithSource) {
			t.Errorf("callback %v, want a deferral", cb.Body)
		}
		final := h.edit(s, func(c string) bool { return strings.HasPrefix(c, "Reindex done") })
		if got, want := final.str("content"), "Reindex done in 1.5 s: 12 articles, 300 passages, 300 embedded. Now answering from embedding space hash-256.\n"+
			"▰▰▰▰▰▰▰▰▰▰ 300 passages in 1.5 s · 200/s"; got != want {
			t.Errorf("final = %q, want %q", got, want)
		}
		progress := regexp.MustCompile(`^Reindexing this server's articles… Will embed 300 passages with hash-256\.\n[▰▱]{10} \d+ / 300 passages( · .*)?$`)
		n := 0
		for _, e := range h.discord.recorded(editOf(s.token)) {
			if progress.MatchString(e.str("content")) {
				n++
			}
		}
		if n < 2 {
			t.Errorf("%d progress edits, want at least 2:\n%s", n, h.discord.dump())
		}
		if edits := h.discord.recorded(editOf(s.token)); edits[len(edits)-1].str("content") != final.str("content") {
			t.Error("a progress edit came after the final one")
		}
	})

	t.Run("the command is registered for Manage Server by default", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		for _, c := range h.bot.applicationCommands() {
			if c.Name == "reindex" && (c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != dg.PermissionManageGuild) {
				t.Errorf("reindex default permissions = %v", c.DefaultMemberPermissions)
			}
		}
	})
}
