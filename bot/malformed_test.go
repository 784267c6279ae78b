package bot

import (
	"net/http"
	"strings"
	"testing"

	dg "github.com/bwmarrin/discordgo"
)

// Interactions whose option values are not of their declared type (found by
// FuzzInteraction): discordgo's StringValue, IntValue and BoolValue panic on them, and a
// panic before the pool takes the work ended the whole process.
func TestMalformedOptionValues(t *testing.T) {
	t.Run("options of the wrong JSON type are left out, not a panic", func(t *testing.T) {
		d := dg.ApplicationCommandInteractionData{Options: []*dg.ApplicationCommandInteractionDataOption{
			{Name: "question", Type: dg.ApplicationCommandOptionString, Value: 42.0},
			{Name: "page", Type: dg.ApplicationCommandOptionInteger, Value: "2"},
			{Name: "flag", Type: dg.ApplicationCommandOptionBoolean, Value: nil},
			{Name: "query", Type: dg.ApplicationCommandOptionString, Value: "budget"},
			{Name: "n", Type: dg.ApplicationCommandOptionInteger, Value: 3.0},
		}}
		opts, _ := commandOptions(d)
		want := map[string]string{"question": "", "query": "budget", "n": "3"}
		if len(opts) != len(want) || opts["question"] != "" || opts["query"] != "budget" || opts["n"] != "3" {
			t.Errorf("commandOptions = %v, want %v", opts, want)
		}
	})

	t.Run("an autocomplete whose focused option has no type gets no choices", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		p, _ := h.autocompleteOf(guildA, alice, "remove", "url", "bud")
		p["data"].(map[string]any)["options"].([]map[string]any)[0]["type"] = 0
		code, out := h.post(p)
		if code != http.StatusOK || !strings.Contains(out, `"type":8`) || strings.Contains(out, "choices") {
			t.Errorf("POST = %d %s, want 200 with no choices", code, out)
		}
	})

	t.Run("a panic before the work is queued is answered as an internal error, not a crash", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		h.bot.commands["boom"] = &command{name: "boom", ack: ackEphemeral,
			prepare: func(*request) error { panic("prepare exploded") }}
		code, out := h.post(mustPayload(h.slash(guildA, alice, "boom")))
		if code != http.StatusOK || !strings.Contains(out, "error id") {
			t.Errorf("POST = %d %s, want 200 with the internal error", code, out)
		}
		if !strings.Contains(h.logs.String(), "prepare exploded") {
			t.Errorf("the panic is not in the log:\n%s", h.logs)
		}
	})
}

func mustPayload(p map[string]any, _ sent) map[string]any { return p }
