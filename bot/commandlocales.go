package bot

import (
	"fmt"
	"maps"
	"slices"

	dg "github.com/bwmarrin/discordgo"
)

// Commands, their options and the options' choices are registered with their names and
// descriptions in every catalogue language (the "commands" of locales/<language>.json),
// so that a member whose Discord uses one of them sees and types the command in it.
// Discord still sends the English (default) names in every interaction, so footnote's
// handlers, the console and this package's tests know one name per command; footnote's
// translated messages name commands and options as that language's member sees them.
//
// A catalogue's commands are keyed by path: the command's name ("ask", "Add this link"),
// an option as "command.option" ("ask.question"), a choice as "command.option.value"
// ("settings.answers.reply").

// discordLocales are the Discord locales of each catalogue language. Latin American
// Spanish takes Spain's text.
var discordLocales = map[lang][]dg.Locale{
	"de": {dg.German},
	"fr": {dg.French},
	"es": {dg.SpanishES, dg.SpanishLATAM},
	"pt": {dg.PortugueseBR},
	"it": {dg.Italian},
	"nl": {dg.Dutch},
	"pl": {dg.Polish},
	"ja": {dg.Japanese},
}

// localizeCommands sets the name and description localizations of cmds, their options and
// their choices from the catalogues. A message command gets names only: Discord takes no
// description for a context menu.
func localizeCommands(cmds []*dg.ApplicationCommand) {
	for _, c := range cmds {
		names, descs := commandLocalizations(c.Name)
		c.NameLocalizations = &names
		if c.Type == dg.ChatApplicationCommand || c.Type == 0 {
			c.DescriptionLocalizations = &descs
		}
		localizeOptions(c.Name, c.Options)
	}
}

// localizeOptions localizes the options under path, and their choices and sub-options.
func localizeOptions(path string, opts []*dg.ApplicationCommandOption) {
	for _, o := range opts {
		key := path + "." + o.Name
		o.NameLocalizations, o.DescriptionLocalizations = commandLocalizations(key)
		for _, ch := range o.Choices {
			ch.NameLocalizations, _ = commandLocalizations(fmt.Sprintf("%s.%v", key, ch.Value))
		}
		localizeOptions(key, o.Options)
	}
}

// commandLocalizations returns the names and descriptions of the command path key by
// Discord locale, from every catalogue that has them.
func commandLocalizations(key string) (names, descs map[dg.Locale]string) {
	names, descs = map[dg.Locale]string{}, map[dg.Locale]string{}
	for _, l := range slices.Sorted(maps.Keys(discordLocales)) {
		t, ok := catalogues[string(l)].Commands[key]
		if !ok {
			continue
		}
		for _, loc := range discordLocales[l] {
			if t.Name != "" {
				names[loc] = t.Name
			}
			if t.Description != "" {
				descs[loc] = t.Description
			}
		}
	}
	return names, descs
}
