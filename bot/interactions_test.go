package bot

import (
	dg "github.com/bwmarrin/discordgo"
)

// Builders for the interactions that are neither slash commands nor clicks.

// autocompleteOf builds an autocomplete interaction (type 4) for command name, the member
// typing typed in option focus.
func (h *harness) autocompleteOf(guild string, m member, name, focus, typed string) (map[string]any, sent) {
	opts := []map[string]any{{"name": focus, "value": typed, "type": int(dg.ApplicationCommandOptionString), "focused": true}}
	return h.interaction(dg.InteractionApplicationCommandAutocomplete, guild, m,
		map[string]any{"id": "700000000000000001", "name": name, "type": 1, "options": opts})
}

// modalSubmit builds a submitted form (type 5) with its text inputs, custom id → value.
func (h *harness) modalSubmit(guild string, m member, customID string, inputs map[string]string) (map[string]any, sent) {
	var rows []map[string]any
	for id, v := range inputs {
		rows = append(rows, map[string]any{"type": 1, "components": []map[string]any{
			{"type": int(dg.TextInputComponent), "custom_id": id, "value": v}}})
	}
	return h.interaction(dg.InteractionModalSubmit, guild, m, map[string]any{"custom_id": customID, "components": rows})
}

// messageCommand builds a message context-menu command (type 2, data type 3) on a message
// with the given content, resolved as Discord sends it (no Message Content intent needed).
func (h *harness) messageCommand(guild string, m member, name, content string) (map[string]any, sent) {
	const target = "500000000000007777"
	return h.interaction(dg.InteractionApplicationCommand, guild, m, map[string]any{
		"id": "700000000000000002", "name": name, "type": 3, "target_id": target,
		"resolved": map[string]any{"messages": map[string]any{target: map[string]any{
			"id": target, "channel_id": channel, "content": content,
			"author": map[string]any{"id": bob.id, "username": "bob"},
		}}},
	})
}

// choices returns an autocomplete result's choices as name, value pairs.
func (c call) choices() [][2]string {
	var out [][2]string
	list, _ := c.data().Body["choices"].([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		n, _ := m["name"].(string)
		v, _ := m["value"].(string)
		out = append(out, [2]string{n, v})
	}
	return out
}
