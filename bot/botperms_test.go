package bot

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

func TestInvitePermissions(t *testing.T) {
	t.Run("the invite asks for exactly the permissions footnote checks", func(t *testing.T) {
		var checked, named int64
		for _, p := range []int64{permsReply, permsThreadReply, permsOpenThread, permsPost, permsPostThread} {
			checked |= p
		}
		for _, p := range permNames {
			named |= p.bit
		}
		if checked != InvitePermissions || named != InvitePermissions {
			t.Errorf("InvitePermissions %d, checked %d, named %d", InvitePermissions, checked, named)
		}
	})
	t.Run("the integer is the one the README gives", func(t *testing.T) {
		if InvitePermissions != 309237730304 {
			t.Errorf("InvitePermissions = %d: update the README's invite URL", InvitePermissions)
		}
	})
	t.Run("the invite URL carries both scopes and the integer", func(t *testing.T) {
		want := "https://discord.com/oauth2/authorize?client_id=123&scope=bot%20applications.commands&permissions=309237730304"
		if got := InviteURL("123"); got != want {
			t.Errorf("InviteURL = %q", got)
		}
	})
}

func TestComputePerms(t *testing.T) {
	const g, self, role = "1", "2", "3"
	everyone := &dg.Role{ID: g, Permissions: dg.PermissionViewChannel | dg.PermissionSendMessages}
	tests := []struct {
		name  string
		owner string
		roles []*dg.Role
		over  []*dg.PermissionOverwrite
		want  int64
	}{
		{"the owner may do everything", self, nil, nil, dg.PermissionAll},
		{"@everyone's permissions apply", "", []*dg.Role{everyone}, nil, dg.PermissionViewChannel | dg.PermissionSendMessages},
		{"a role's permissions add", "", []*dg.Role{everyone, {ID: role, Permissions: dg.PermissionEmbedLinks}}, nil,
			dg.PermissionViewChannel | dg.PermissionSendMessages | dg.PermissionEmbedLinks},
		{"Administrator gives all", "", []*dg.Role{{ID: role, Permissions: dg.PermissionAdministrator}}, nil, dg.PermissionAll},
		{"a member overwrite denies", "", []*dg.Role{everyone}, []*dg.PermissionOverwrite{
			{ID: self, Type: dg.PermissionOverwriteTypeMember, Deny: dg.PermissionSendMessages}}, dg.PermissionViewChannel},
		{"a role overwrite allows over @everyone's deny", "", []*dg.Role{everyone}, []*dg.PermissionOverwrite{
			{ID: g, Type: dg.PermissionOverwriteTypeRole, Deny: dg.PermissionSendMessages},
			{ID: role, Type: dg.PermissionOverwriteTypeRole, Allow: dg.PermissionSendMessages}},
			dg.PermissionViewChannel | dg.PermissionSendMessages},
		{"without View Channel nothing counts", "", []*dg.Role{everyone}, []*dg.PermissionOverwrite{
			{ID: g, Type: dg.PermissionOverwriteTypeRole, Deny: dg.PermissionViewChannel}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := computePerms(&dg.Guild{ID: g, OwnerID: tt.owner, Roles: tt.roles},
				&dg.Channel{PermissionOverwrites: tt.over}, self, []string{role})
			if got != tt.want {
				t.Errorf("got %b, want %b", got, tt.want)
			}
		})
	}
}

func TestMentionPermissions(t *testing.T) {
	eng := cityNews()
	h, gw := startGateway(t, eng)
	bot := h.discord.botID
	mention := func(id, ch string) map[string]any {
		m := map[string]any{
			"id": id, "channel_id": ch, "guild_id": guildA, "type": 0,
			"author":   map[string]any{"id": alice.id, "username": "alice"},
			"content":  "<@" + bot + "> When did the council approve the budget?",
			"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}},
		}
		h.discord.addHistory(ch, m)
		return m
	}
	threadStart := func(c call) bool { return c.Method == http.MethodPost && strings.HasSuffix(c.Path, "/threads") }

	t.Run("without Send Messages in Threads footnote answers in the channel instead of an empty thread", func(t *testing.T) {
		const ch = "300000000000000011"
		h.discord.deny(ch, dg.PermissionSendMessagesInThreads)
		gw.dispatch("MESSAGE_CREATE", mention("510000000000000101", ch))
		reply := h.discord.waitFor(t, "answer in the channel", 1, channelPost(ch))[0]
		if got := reply.str("content"); got != "The council approved the budget on Tuesday. [1]" {
			t.Errorf("answer %q", got)
		}
		if n := len(h.discord.recorded(threadStart)); n != 0 {
			t.Errorf("%d threads opened", n)
		}
	})

	t.Run("without Read Message History the member is told which permission to grant", func(t *testing.T) {
		const ch = "300000000000000012"
		h.discord.deny(ch, dg.PermissionReadMessageHistory)
		gw.dispatch("MESSAGE_CREATE", mention("510000000000000102", ch))
		reply := h.discord.waitFor(t, "message in the channel", 1, channelPost(ch))[0]
		if got := reply.str("content"); !strings.Contains(got, "Read Message History") || strings.Contains(got, "Something went wrong") {
			t.Errorf("member told %q", got)
		}
		if _, ok := reply.Body["message_reference"]; ok {
			t.Error("the message replies to the question, which needs Read Message History")
		}
	})

	t.Run("where footnote may not post it logs and says nothing", func(t *testing.T) {
		const ch = "300000000000000013"
		h.discord.deny(ch, dg.PermissionSendMessages|dg.PermissionSendMessagesInThreads)
		gw.dispatch("MESSAGE_CREATE", mention("510000000000000103", ch))
		waitLog(t, h, "mention not answered")
		if n := len(h.discord.recorded(channelPost(ch))) + len(h.discord.recorded(threadStart)); n != 0 {
			t.Errorf("%d posts or threads", n)
		}
	})

	t.Run("a rate-limited answer arrives after Discord's retry_after", func(t *testing.T) {
		const ch = "300000000000000014"
		thread := "510000000000000104"
		h.discord.rateLimit(http.MethodPost, "/channels/"+thread+"/messages", 1)
		gw.dispatch("MESSAGE_CREATE", mention("510000000000000104", ch))
		posts := h.discord.waitFor(t, "the answer after the retry", 2, channelPost(thread))
		if got := posts[1].str("content"); got != "The council approved the budget on Tuesday. [1]" {
			t.Errorf("answer %q", got)
		}
		if wait := posts[1].At.Sub(posts[0].At); wait < 50*time.Millisecond {
			t.Errorf("retried after %v, before retry_after", wait)
		}
	})
}

func TestInteractionPermissions(t *testing.T) {
	t.Run("a command whose work needs a missing permission names it ephemerally", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		ran := make(chan struct{}, 1)
		h.bot.commands["probe"] = &command{name: "probe", ack: ackPublic, needs: permsOpenThread,
			run: func(context.Context, *request) error { ran <- struct{}{}; return nil }}
		p, s := h.slash(guildA, alice, "probe")
		p["app_permissions"] = itoa(InvitePermissions &^ dg.PermissionCreatePublicThreads)
		h.send(p, s)
		if got := h.ephemeralError(s); !strings.Contains(got, "Create Public Threads permission") {
			t.Errorf("member told %q", got)
		}
		p, s = h.slash(guildA, alice, "probe")
		p["app_permissions"] = itoa(InvitePermissions)
		h.send(p, s)
		<-ran
	})

	t.Run("a rate-limited edit of the answer arrives after the retry", func(t *testing.T) {
		h := newHarness(t, cityNews())
		p, s := h.slash(guildA, alice, "ask", "question", "When did the council approve the budget?")
		h.discord.rateLimit(http.MethodPatch, "/webhooks/app/"+s.token+"/messages/@original", 1)
		h.send(p, s)
		edits := h.discord.waitFor(t, "edit after the retry", 2, editOf(s.token))
		if got := edits[1].str("content"); !strings.HasPrefix(got, "The council approved the budget") {
			t.Errorf("answer %q", got)
		}
	})
}

func waitLog(t *testing.T, h *harness, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(h.logs.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
