package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Article text (titles, sites, quotes, passages, and the answer body that repeats them) is
// written by whoever wrote the article. Discord renders Markdown and mention markup in
// message content, embed titles, descriptions and field values, so every piece of it goes
// through escapeMarkdown before it is sent; footnote's own words and markup ([n] markers,
// **bold** titles, <t:…:D> dates) are added around it.

// markdownEscapable are the characters escapeMarkdown puts a backslash before. Discord's
// parser reads a backslash before any punctuation as "this character literally", so
// `\[click\](http://…)` is no masked link, `\#` no heading, `\>` no quote, `\|\|` no spoiler,
// `\<@1>` and `\<t:1:R>` no mention or timestamp, and `\@everyone` no mention. (An
// allowed_mentions of nothing, noMentions, already stops the ping; this stops the
// highlight.) A hyphen needs none: with # escaped, "-# " makes no subtext.
const markdownEscapable = "\\*_~`|[]>#<@"

// linkScheme is the "://" of a bare link in article text, which Discord would make
// clickable ("https://evil.example/x" in a quote): escaping its colon, "https\://", keeps
// the text and breaks the link. Links footnote shows come from the database, as embed
// links or in <angle brackets> footnote writes itself.
const linkScheme = "://"

var markdownEscaper = func() *strings.Replacer {
	pairs := []string{linkScheme, `\` + linkScheme}
	for _, c := range markdownEscapable {
		pairs = append(pairs, string(c), `\`+string(c))
	}
	return strings.NewReplacer(pairs...)
}()

// escapeMarkdown makes article text display literally: no emphasis, masked links, bare
// links, spoilers, headings, quotes, code, mentions or timestamps.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

// escapedMarker is a citation marker [n] as escapeMarkdown writes it.
var escapedMarker = regexp.MustCompile(`\\\[(\d{1,3})\\\]`)

// escapeBody escapes an answer's body like escapeMarkdown but leaves its citation markers
// [n] as they are: a marker not followed by "(" links nothing.
func escapeBody(s string) string {
	e := escapeMarkdown(s)
	var sb strings.Builder
	last := 0
	for _, m := range escapedMarker.FindAllStringSubmatchIndex(e, -1) {
		if m[1] < len(e) && e[m[1]] == '(' {
			continue
		}
		sb.WriteString(e[last:m[0]])
		sb.WriteString("[" + e[m[2]:m[3]] + "]")
		last = m[1]
	}
	sb.WriteString(e[last:])
	return sb.String()
}

// discordDate is t's calendar day in Discord's timestamp markup, <t:unix:D>, which each
// member's client shows as a date in their own locale ("2 May 2024", "05/02/2024"); "" for
// the zero time. Article dates are days, not instants: the markup points at noon UTC of
// the day, so that every time zone from UTC−11 to UTC+11 shows that same day.
func discordDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, m, d := t.UTC().Date()
	return "<t:" + strconv.FormatInt(time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix(), 10) + ":D>"
}

// discordDateRE matches the markup discordDate writes.
var discordDateRE = regexp.MustCompile(`<t:(-?\d{1,12}):D>`)

// plainDates replaces Discord date markup with the UTC date as text ("2 May 2024"), for a
// terminal.
func plainDates(s string) string {
	return discordDateRE.ReplaceAllStringFunc(s, func(m string) string {
		sec, _ := strconv.ParseInt(discordDateRE.FindStringSubmatch(m)[1], 10, 64)
		return time.Unix(sec, 0).UTC().Format("2 Jan 2006")
	})
}
