package bot

import (
	"context"
	"net/http"
	"slices"
	"testing"
)

func TestCommandLocalizations(t *testing.T) {
	h := newHarness(t, newFakeEngine())
	if err := h.bot.RegisterCommands(context.Background()); err != nil { // the fake refuses what Discord would
		t.Fatal(err)
	}
	put := h.discord.recorded(func(c call) bool { return c.Method == http.MethodPut })[0]
	want := []string{"de", "fr", "es-ES", "es-419", "pt-BR", "it", "nl", "pl", "ja"}
	language := func(loc string) lang { return langOf(loc) }
	// commandNames are the chat commands' names by locale, to check the commands that
	// descriptions name.
	commandNames := map[string][]string{}
	for _, c := range list(put.Body["list"]) {
		for loc, n := range obj(obj(c)["name_localizations"]) {
			commandNames[loc] = append(commandNames[loc], str(n))
		}
	}
	check := func(t *testing.T, what string, m map[string]any, described bool) {
		t.Helper()
		names, descs := obj(m["name_localizations"]), obj(m["description_localizations"])
		for _, loc := range want {
			if str(names[loc]) == "" {
				t.Errorf("%s has no %s name", what, loc)
			}
			if described && str(descs[loc]) == "" {
				t.Errorf("%s has no %s description", what, loc)
			}
			for _, sub := range slashRE.FindAllStringSubmatch(str(descs[loc]), -1) {
				if !slices.Contains(commandNames[loc], sub[1]) {
					t.Errorf("%s's %s (%s) description names /%s, which is no command there: %q", what, loc,
						language(loc), sub[1], descs[loc])
				}
			}
		}
	}
	t.Run("every command, option and choice has its name in each catalogue language, and slash commands and options their description", func(t *testing.T) {
		for _, c := range list(put.Body["list"]) {
			cmd := obj(c)
			chat := num(cmd["type"]) <= 1
			check(t, str(cmd["name"]), cmd, chat)
			for _, o := range list(cmd["options"]) {
				opt := obj(o)
				what := str(cmd["name"]) + " " + str(opt["name"])
				check(t, what, opt, true)
				for _, ch := range list(opt["choices"]) {
					check(t, what+" choice "+str(obj(ch)["value"]), obj(ch), false)
				}
			}
		}
	})
	t.Run("interactions still name commands and options in English, whatever the member's language", func(t *testing.T) {
		p, s := h.slash(guildA, alice, "articles")
		p["locale"] = "ja"
		h.edit(h.send(p, s), nil) // Discord sends the default names: /articles is found
	})
}

func TestFakeCommandValidation(t *testing.T) {
	chat := func(name, desc string, extra map[string]any) map[string]any {
		m := map[string]any{"name": name, "description": desc, "type": float64(1)}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name string
		cmds []any
		ok   bool
	}{
		{"a lowercase command with localized names and descriptions is accepted", []any{chat("ask", "Ask", map[string]any{
			"name_localizations": map[string]any{"de": "fragen", "ja": "質問"}, "description_localizations": map[string]any{"de": "Frag"}})}, true},
		{"a context menu named in words, without a description, is accepted",
			[]any{map[string]any{"name": "Add this link", "type": float64(3), "name_localizations": map[string]any{"fr": "Ajouter ce lien"}}}, true},
		{"an uppercase localized name is refused", []any{chat("ask", "Ask", map[string]any{"name_localizations": map[string]any{"de": "Fragen"}})}, false},
		{"a space in a slash command's name is refused", []any{chat("ask me", "Ask", nil)}, false},
		{"a name over 32 characters is refused", []any{chat("abcdefghijklmnopqrstuvwxyzabcdefg", "Ask", nil)}, false},
		{"a description over 100 characters is refused", []any{chat("ask", string(make([]byte, 101)), nil)}, false},
		{"an unknown locale is refused", []any{chat("ask", "Ask", map[string]any{"name_localizations": map[string]any{"xx": "ask"}})}, false},
		{"two commands with one name in a locale are refused", []any{
			chat("ask", "Ask", map[string]any{"name_localizations": map[string]any{"fr": "flux"}}),
			chat("feeds", "Feeds", map[string]any{"name_localizations": map[string]any{"fr": "flux"}})}, false},
		{"a context menu with a description is refused", []any{map[string]any{"name": "Add this link", "type": float64(3),
			"description_localizations": map[string]any{"de": "x"}}}, false},
		{"an option with an invalid localized name is refused", []any{chat("ask", "Ask", map[string]any{"options": []any{
			map[string]any{"name": "question", "description": "Q", "type": float64(3), "name_localizations": map[string]any{"de": "deine frage"}}}})}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := validateCommands(tc.cmds); (err == nil) != tc.ok {
				t.Errorf("validateCommands = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
