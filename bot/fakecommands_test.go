package bot

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"unicode"
	"unicode/utf8"
)

// The fake Discord checks a command registration (PUT …/commands) as Discord does, and
// refuses one it would refuse with 400.

// discordLocaleCodes are the locales Discord takes in name and description localizations.
var discordLocaleCodes = []string{"id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu",
	"nl", "no", "pl", "pt-BR", "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN",
	"ja", "zh-TW", "ko"}

// chatNameRE is Discord's rule for the name of a slash command or option
// (^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$), which must also be lowercase where the
// script has case.
var chatNameRE = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func validChatName(s string) error {
	if !chatNameRE.MatchString(s) {
		return fmt.Errorf("name %q does not match Discord's pattern", s)
	}
	for _, r := range s {
		if unicode.ToLower(r) != r {
			return fmt.Errorf("name %q is not lowercase", s)
		}
	}
	return nil
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// validateCommands returns why Discord would refuse the commands, or nil.
func validateCommands(cmds []any) error {
	seen := map[string]bool{} // "type/locale/name" of chat commands
	for _, c := range cmds {
		cmd := obj(c)
		typ := num(cmd["type"])
		if typ == 0 {
			typ = 1
		}
		name := str(cmd["name"])
		if err := validateNamed(typ == 1, cmd); err != nil {
			return fmt.Errorf("command %s: %w", name, err)
		}
		for _, loc := range append([]string{""}, discordLocaleCodes...) {
			n := name
			if l, ok := obj(cmd["name_localizations"])[loc].(string); ok {
				n = l
			}
			key := fmt.Sprintf("%d/%s/%s", typ, loc, n)
			if seen[key] {
				return fmt.Errorf("command %s: name %q used twice in locale %q", name, n, loc)
			}
			seen[key] = true
		}
		if typ == 1 {
			if err := validateOptions(list(cmd["options"])); err != nil {
				return fmt.Errorf("command %s: %w", name, err)
			}
		} else if len(list(cmd["options"])) > 0 {
			return fmt.Errorf("command %s: a context menu takes no options", name)
		}
	}
	return nil
}

// validateNamed checks a command's or option's name and description and their
// localizations; chat is false for a context menu (any name, no description).
func validateNamed(chat bool, m map[string]any) error {
	name, desc := str(m["name"]), str(m["description"])
	checkName := func(s string) error {
		if chat {
			return validChatName(s)
		}
		if n := runes(s); n < 1 || n > 32 {
			return fmt.Errorf("name %q has %d characters (1 to 32)", s, n)
		}
		return nil
	}
	if err := checkName(name); err != nil {
		return err
	}
	for loc, v := range obj(m["name_localizations"]) {
		if !slices.Contains(discordLocaleCodes, loc) {
			return fmt.Errorf("unknown locale %q", loc)
		}
		if err := checkName(str(v)); err != nil {
			return fmt.Errorf("%s: %w", loc, err)
		}
	}
	if !chat {
		if desc != "" || len(obj(m["description_localizations"])) > 0 {
			return fmt.Errorf("a context menu takes no description")
		}
		return nil
	}
	if n := runes(desc); n < 1 || n > 100 {
		return fmt.Errorf("description has %d characters (1 to 100)", n)
	}
	for loc, v := range obj(m["description_localizations"]) {
		if !slices.Contains(discordLocaleCodes, loc) {
			return fmt.Errorf("unknown locale %q", loc)
		}
		if n := runes(str(v)); n < 1 || n > 100 {
			return fmt.Errorf("%s: description has %d characters (1 to 100)", loc, n)
		}
	}
	return nil
}

func validateOptions(opts []any) error {
	if len(opts) > 25 {
		return fmt.Errorf("%d options (at most 25)", len(opts))
	}
	seen := map[string]bool{}
	optional := false
	for _, o := range opts {
		opt := obj(o)
		name := str(opt["name"])
		if err := validateNamed(true, opt); err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
		for _, loc := range append([]string{""}, discordLocaleCodes...) {
			n := name
			if l, ok := obj(opt["name_localizations"])[loc].(string); ok {
				n = l
			}
			if seen[loc+"/"+n] {
				return fmt.Errorf("option name %q used twice in locale %q", n, loc)
			}
			seen[loc+"/"+n] = true
		}
		if opt["required"] == true && optional {
			return fmt.Errorf("required option %s after an optional one", name)
		}
		optional = optional || opt["required"] != true
		choices := list(opt["choices"])
		if len(choices) > 25 {
			return fmt.Errorf("option %s: %d choices", name, len(choices))
		}
		for _, ch := range choices {
			c := obj(ch)
			if n := runes(str(c["name"])); n < 1 || n > 100 {
				return fmt.Errorf("option %s: choice name has %d characters", name, n)
			}
			for loc, v := range obj(c["name_localizations"]) {
				if !slices.Contains(discordLocaleCodes, loc) {
					return fmt.Errorf("option %s: unknown locale %q", name, loc)
				}
				if n := runes(str(v)); n < 1 || n > 100 {
					return fmt.Errorf("option %s: %s choice name has %d characters", name, loc, n)
				}
			}
		}
		if err := validateOptions(list(opt["options"])); err != nil {
			return fmt.Errorf("option %s: %w", name, err)
		}
	}
	return nil
}

// refuseInvalidCommands answers a registration Discord would refuse as Discord does, failing
// the test, and reports whether it did.
func (f *fakeDiscord) refuseInvalidCommands(w http.ResponseWriter, c call) bool {
	err := validateCommands(list(c.Body["list"]))
	if err == nil {
		return false
	}
	f.t.Errorf("Discord would refuse these commands (400 Invalid Form Body): %v", err)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte(`{"message": "Invalid Form Body", "code": 50035, "errors": {}}`))
	return true
}
