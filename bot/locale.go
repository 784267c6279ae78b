package bot

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// The text footnote writes follows the member's Discord language (the interaction's
// locale), in the languages Discord's members use most; English is the fallback for every
// other locale and for any line a catalogue lacks. Mentions carry no locale and are
// answered in English; so is the console. Article text and a model's answer are never
// translated.
//
// The catalogues are locales/<language>.json, one per language, keyed by the English text
// as in gettext: "messages" are lines and fmt formats (a translation may reorder its
// arguments with %[n]v), "plurals" are keyed by the English "other" form and give each of
// the language's plural forms (pluralForm), and "commands" are the names and descriptions
// registered with Discord (commandlocales.go). A test reads every tr, trf and trn call in
// the package and checks that each language has its key, with the same arguments.

//go:embed locales/*.json
var localeFiles embed.FS

// catalogue is one language's translations.
type catalogue struct {
	Commands map[string]commandText       `json:"commands"`
	Messages map[string]string            `json:"messages"`
	Plurals  map[string]map[string]string `json:"plurals"`
}

// commandText is a command's, option's or choice's name and description in one language.
type commandText struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// catalogues holds the catalogues by language ("de", "pt", …), read once from the
// embedded files; nothing changes them afterwards.
var catalogues = mustLoadCatalogues()

func mustLoadCatalogues() map[string]*catalogue {
	files, err := localeFiles.ReadDir("locales")
	if err != nil {
		panic(fmt.Sprintf("bot: read the embedded catalogues: %v", err))
	}
	out := make(map[string]*catalogue, len(files))
	for _, f := range files {
		data, err := localeFiles.ReadFile("locales/" + f.Name())
		if err != nil {
			panic(fmt.Sprintf("bot: read catalogue %s: %v", f.Name(), err))
		}
		var c catalogue
		if err := json.Unmarshal(data, &c); err != nil {
			panic(fmt.Sprintf("bot: catalogue %s: %v", f.Name(), err))
		}
		out[strings.TrimSuffix(f.Name(), path.Ext(f.Name()))] = &c
	}
	return out
}

// lang is the language footnote writes in for one member: a catalogue's key, or ""
// for English.
type lang string

// langOf is the language for a Discord locale: its part before the region ("pt" for
// "pt-BR", "es" for "es-ES" and "es-419"), or English when there is no catalogue for it.
func langOf(locale string) lang {
	l, _, _ := strings.Cut(locale, "-")
	if _, ok := catalogues[l]; !ok {
		return ""
	}
	return lang(l)
}

// guildLang is the language footnote writes in where no member's locale is known (a
// mention is a message, not an interaction): the server's preferred locale, from the
// gateway's state, or English when the state does not know the server.
func (b *Bot) guildLang(guildID string) lang {
	l, _ := b.stateLang(guildID)
	return l
}

// stateLang is the server's language from the gateway's state, and whether the state
// knows the server.
func (b *Bot) stateLang(guildID string) (lang, bool) {
	if b.session == nil || b.session.State == nil {
		return "", false
	}
	g, err := b.session.State.Guild(guildID)
	if err != nil {
		return "", false
	}
	b.session.State.RLock()
	defer b.session.State.RUnlock()
	return langOf(g.PreferredLocale), true
}

// serverLangTTL is how long a server's language read over REST is kept: servers change it
// rarely, and an announcement should not cost a request each time.
const serverLangTTL = time.Hour

// serverLang is guildLang also where the gateway's state does not know the server (a
// `footnote worker`, which has no gateway, announcing a feed's articles): the server's
// preferred locale is then read over REST (GET /guilds/{id}) and kept for serverLangTTL.
// A collection that is not a server's, or a failed request, is English.
func (b *Bot) serverLang(ctx context.Context, guildID string) lang {
	if l, ok := b.stateLang(guildID); ok {
		return l
	}
	if b.session == nil || b.cfg.Token == "" || !isSnowflake(guildID) {
		return ""
	}
	if l, ok := b.langs.get(guildID, time.Now(), serverLangTTL); ok {
		return l
	}
	g, err := b.session.Guild(guildID, dg.WithContext(ctx))
	if err != nil {
		b.log.Debug("server's language unknown; writing English", "guild_id", guildID, "err", err)
		return ""
	}
	l := langOf(g.PreferredLocale)
	b.langs.put(guildID, l, time.Now())
	return l
}

// tr returns s in the language, or s when the catalogue lacks it.
func (l lang) tr(s string) string {
	if c := catalogues[string(l)]; c != nil {
		if t, ok := c.Messages[s]; ok {
			return t
		}
	}
	return s
}

// trf formats the language's version of format with args.
func (l lang) trf(format string, args ...any) string {
	return fmt.Sprintf(l.tr(format), args...)
}

// trn formats, with args, the form of a countable phrase that fits count: one or other
// in English, the language's own forms otherwise (other when one is missing).
func (l lang) trn(count int, one, other string, args ...any) string {
	form := other
	if count == 1 {
		form = one
	}
	if c := catalogues[string(l)]; c != nil {
		if forms, ok := c.Plurals[other]; ok {
			if t, ok := forms[pluralForm(l, count)]; ok {
				form = t
			} else if t, ok := forms["other"]; ok {
				form = t
			}
		}
	}
	return fmt.Sprintf(form, args...)
}

// pluralForm is the CLDR plural category of the whole number n in the language: "one",
// "few", "many" or "other".
func pluralForm(l lang, n int) string {
	if n < 0 {
		n = -n
	}
	switch l {
	case "ja":
		return "other"
	case "fr", "pt":
		if n <= 1 {
			return "one"
		}
		return "other"
	case "pl":
		switch {
		case n == 1:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		}
		return "many"
	}
	if n == 1 {
		return "one"
	}
	return "other"
}

// number writes the whole number n as language l groups digits: 1,234,567 in English,
// 1.234.567 in German, 1 234 567 in French (CLDR's marks).
func (l lang) number(n int) string {
	group, _, minDigits := numberMarks(l)
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var sb strings.Builder
	if neg {
		sb.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && len(s) >= minDigits {
			sb.WriteString(group)
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

// decimal writes f with prec decimals and language l's decimal mark: 4.2 in English, 4,2
// in German.
func (l lang) decimal(f float64, prec int) string {
	_, mark, _ := numberMarks(l)
	return strings.Replace(strconv.FormatFloat(f, 'f', prec, 64), ".", mark, 1)
}

// numberMarks are how language l writes numbers, from CLDR: the separator between groups
// of three digits, the decimal mark, and the fewest digits a number has before it is
// grouped (Spanish and Polish write 1234 but 12 345).
func numberMarks(l lang) (group, decimal string, minDigits int) {
	switch l {
	case "de", "it", "nl", "pt":
		return ".", ",", 4
	case "es":
		return ".", ",", 5
	case "fr":
		return "\u202f", ",", 4 // narrow no-break space
	case "pl":
		return "\u00a0", ",", 5 // no-break space
	}
	return ",", ".", 4
}

// languages lists the catalogues' languages, for the tests and for recognising footnote's
// own lines in any of them (isNotCovered).
func languages() []lang {
	out := make([]lang, 0, len(catalogues))
	for l := range catalogues {
		out = append(out, lang(l))
	}
	return out
}

// and joins names as a list in the language: "a", "a and b", "a, b and c".
func (l lang) and(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return l.trf("%s and %s", strings.Join(names[:len(names)-1], l.tr(", ")), names[len(names)-1])
}
