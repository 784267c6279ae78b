package bot

import (
	"fmt"
	"net/http"
	"testing"
)

// botRole is the managed role Discord creates for footnote in guild A.
const botRole = "210000000000000001"

func TestRoleMentions(t *testing.T) {
	eng := cityNews()
	h, gw := startGateway(t, eng)
	bot := h.discord.botID
	// Discord sends the guild again with its roles, the bot's managed one tagged with its id.
	gw.dispatch("GUILD_CREATE", map[string]any{
		"id": guildA, "name": "Guild A", "unavailable": false, "members": []any{}, "threads": []any{},
		"channels": []any{map[string]any{"id": channel, "type": 0, "name": "general", "guild_id": guildA}},
		"roles": []any{
			// @everyone may do what footnote needs (perms.go), so its permission check passes.
			map[string]any{"id": guildA, "name": "@everyone", "permissions": fmt.Sprint(InvitePermissions)},
			map[string]any{"id": "210000000000000009", "name": "otherbot", "managed": true, "permissions": "0",
				"tags": map[string]any{"bot_id": "400000000000000777"}},
			map[string]any{"id": botRole, "name": "footnote", "managed": true, "permissions": "0",
				"tags": map[string]any{"bot_id": bot}},
		},
	})
	msg := func(id, content string, roles ...any) map[string]any {
		if roles == nil {
			roles = []any{}
		}
		return map[string]any{"id": id, "channel_id": channel, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": content,
			"mentions": []any{}, "mention_roles": roles}
	}

	t.Run("another bot's role is not a mention of footnote", func(t *testing.T) {
		gw.dispatch("MESSAGE_CREATE", msg("520000000000000001", "<@&210000000000000009> When did the council approve the budget?",
			"210000000000000009"))
	})

	t.Run("a mention of footnote's managed role opens a thread and is stripped from the question", func(t *testing.T) {
		m := msg("520000000000000002", "<@&"+botRole+"> When did the council approve the budget?", botRole)
		h.discord.addHistory(channel, m)
		gw.dispatch("MESSAGE_CREATE", m)
		open := h.discord.waitFor(t, "thread start", 1, func(c call) bool {
			return c.Method == http.MethodPost && c.Path == "/channels/"+channel+"/messages/520000000000000002/threads"
		})[0]
		if got := open.str("name"); got != "When did the council approve the budget?" {
			t.Errorf("thread name %q", got)
		}
		h.discord.waitFor(t, "answer in the thread", 1, channelPost("520000000000000002"))
		if a := eng.lastAsk(); a.question != "When did the council approve the budget?" {
			t.Errorf("engine asked %q", a.question)
		}
		// Handlers run in order: the other bot's role mention, handled before, asked nothing.
		if n := eng.askCount(); n != 1 {
			t.Errorf("%d asks, want 1", n)
		}
	})
}

func TestThreadAnswersOnlyWhatIsAddressedToFootnote(t *testing.T) {
	eng := cityNews()
	h, gw := startGateway(t, eng)
	bot := h.discord.botID
	const thread = "530000000000000001"
	gw.dispatch("THREAD_CREATE", map[string]any{"id": thread, "type": 11, "guild_id": guildA,
		"parent_id": channel, "owner_id": bot, "name": "Budget", "newly_created": true})
	answer := map[string]any{"id": "530000000000000002", "channel_id": thread, "guild_id": guildA, "type": 0,
		"author": map[string]any{"id": bot, "username": "footnote", "bot": true}, "content": "The council approved the budget on Tuesday. [1]"}
	h.discord.addHistory(thread, answer)
	n := 0
	post := func(content string, extra map[string]any) {
		n++
		m := map[string]any{"id": "5300000000000001" + string(rune('0'+n/10)) + string(rune('0'+n%10)),
			"channel_id": thread, "guild_id": guildA, "type": 0,
			"author": map[string]any{"id": alice.id, "username": "alice"}, "content": content, "mentions": []any{}}
		for k, v := range extra {
			m[k] = v
		}
		h.discord.addHistory(thread, m)
		gw.dispatch("MESSAGE_CREATE", m)
	}
	answered := 0
	expectAnswer := func(t *testing.T, question string) {
		t.Helper()
		answered++
		h.discord.waitFor(t, "answer", answered, channelPost(thread))
		if a := eng.lastAsk(); a.question != question {
			t.Errorf("engine asked %q, want %q", a.question, question)
		}
		// Handlers run in order, so the ignored messages before this one asked nothing.
		if got := eng.askCount(); got != answered {
			t.Errorf("%d asks, want %d: a message not addressed to footnote was answered", got, answered)
		}
	}

	t.Run("thanks, chatter and an image are ignored; a question mark makes a question", func(t *testing.T) {
		post("thanks!", nil)
		post("lol the bridge again", nil)
		post("", map[string]any{"attachments": []any{map[string]any{"id": "1", "filename": "bridge.png",
			"url": "https://cdn.example/bridge.png", "size": 10}}})
		post("the bridge closes when?", nil)
		expectAnswer(t, "the bridge closes when?")
	})

	t.Run("a question without a question mark is answered", func(t *testing.T) {
		post("ok cool", nil)
		post("When does the bridge close", nil)
		expectAnswer(t, "When does the bridge close")
	})

	t.Run("a request is answered", func(t *testing.T) {
		post("Tell me about the bridge", nil)
		expectAnswer(t, "Tell me about the bridge")
	})

	t.Run("a reply to footnote's answer is answered", func(t *testing.T) {
		post("and the bridge", map[string]any{"type": 19,
			"message_reference":  map[string]any{"message_id": "530000000000000002", "channel_id": thread, "guild_id": guildA},
			"referenced_message": answer})
		expectAnswer(t, "and the bridge")
	})

	t.Run("a mention of footnote is answered", func(t *testing.T) {
		post("<@"+bot+"> the bridge", map[string]any{"mentions": []any{map[string]any{"id": bot, "username": "footnote", "bot": true}}})
		expectAnswer(t, "the bridge")
	})
}

func TestReadsAsQuestion(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want bool
	}{
		{"thanks!", false},
		{"", false},
		{"great, that helps", false},
		{"ok", false},
		{"why?", true},
		{"who approved it", true},
		{"Did the council vote", true},
		{"summarize the bridge news", true},
		{"please explain the budget", true},
		{"what's the latest on the bridge", true},
	} {
		if got := readsAsQuestion(tc.q); got != tc.want {
			t.Errorf("readsAsQuestion(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}
