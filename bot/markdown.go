package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
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
//
// A "(" after a "]" is escaped too. The masked-link rule is a regular expression that does
// not read backslashes, so a live "[" before escaped text (footnote's own marker: "[1] …"
// in a title, "> **[1]** …" before a quote) opens a link that an escaped "\](url)" in the
// text closes: "[1]\](http://evil)" is a link whose text is `1]\`. With "](" never left in
// escaped text, no link can close inside it. (Found by FuzzEscapeMarkdown.)
const markdownEscapable = "\\*_~`|[]>#<@"

// linkScheme is the "://" of a bare link in article text, which Discord would make
// clickable ("https://evil.example/x" in a quote): escaping its colon, "https\://", keeps
// the text and breaks the link. Links footnote shows come from the database, as embed
// links or in <angle brackets> footnote writes itself.
const linkScheme = "://"

// markdownUnescapable are the characters a backslash in escaped text may stand before:
// markdownEscapable, the "(" of a "](" and the ":" of a "://".
const markdownUnescapable = markdownEscapable + "(:"

var markdownEscaper = func() *strings.Replacer {
	// "](" before "]": a Replacer tries its pairs in order.
	pairs := []string{"](", `\]\(`, linkScheme, `\` + linkScheme}
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
// [n] as they are. A marker before "(" stays escaped, as the article's text: escapeMarkdown
// escaped that "(", so it links nothing either way.
func escapeBody(s string) string {
	e := escapeMarkdown(s)
	var sb strings.Builder
	last := 0
	for _, m := range escapedMarker.FindAllStringSubmatchIndex(e, -1) {
		if strings.HasPrefix(e[m[1]:], `\(`) {
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

// discordTimeRE matches Discord's timestamp markup in any style: <t:unix>, <t:unix:R>, ...
var discordTimeRE = regexp.MustCompile(`<t:(-?\d{1,12})(?::([tTdDfFR]))?>`)

// plainDates replaces Discord timestamp markup with text for a terminal, in UTC: a date
// ("2 May 2024") for the date styles, a time from now ("5 minutes ago", "in 2 hours") for
// R, else the date and time ("2 May 2024 14:05 UTC").
func plainDates(s string) string {
	return plainDatesAt(s, time.Now())
}

func plainDatesAt(s string, now time.Time) string {
	return discordTimeRE.ReplaceAllStringFunc(s, func(m string) string {
		sub := discordTimeRE.FindStringSubmatch(m)
		sec, _ := strconv.ParseInt(sub[1], 10, 64)
		t := time.Unix(sec, 0).UTC()
		switch sub[2] {
		case "d", "D":
			return t.Format("2 Jan 2006")
		case "R":
			return relativeTime(t, now)
		}
		return t.Format("2 Jan 2006 15:04 UTC")
	})
}

// relativeTime is t as a time from now, in English: "just now", "5 minutes ago", "in 2
// hours", "3 days ago"; a month or more away, the date.
func relativeTime(t, now time.Time) string {
	d := now.Sub(t)
	ago := d >= 0
	if !ago {
		d = -d
	}
	var n int
	var unit string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n, unit = int(d/time.Minute), "minute"
	case d < 24*time.Hour:
		n, unit = int(d/time.Hour), "hour"
	case d < 30*24*time.Hour:
		n, unit = int(d/(24*time.Hour)), "day"
	default:
		return t.UTC().Format("2 Jan 2006")
	}
	if n != 1 {
		unit += "s"
	}
	if ago {
		return fmt.Sprintf("%d %s ago", n, unit)
	}
	return fmt.Sprintf("in %d %s", n, unit)
}

// safeCut returns where to cut r, escaped text, into a first part of at most max
// characters: max, or earlier when max falls inside a unit that must stay whole, a
// backslash and the character it escapes (cut between them, the next message would start
// with live markup) or a citation marker [n]. It returns max when a unit is longer than max
// (max < 5).
func safeCut(r []rune, max int) int {
	last := 0 // the last unit boundary at or before max
	for i := 0; i < len(r) && i < max; {
		n := 1
		switch {
		case r[i] == '\\' && i+1 < len(r) && isEscape(r[i+1]):
			n = 2
		case r[i] == '[':
			if m := bareMarker.FindStringIndex(string(r[i:min(len(r), i+5)])); m != nil && m[0] == 0 {
				n = m[1]
			}
		}
		if i+n > max {
			break
		}
		i += n
		last = i
	}
	if last == 0 {
		return max
	}
	return last
}

// isEscape reports whether Discord reads a backslash before c as an escape: c is neither a
// letter or digit of ASCII nor white space.
func isEscape(c rune) bool {
	return c > ' ' && c != 0x7f && !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') &&
		!unicode.IsSpace(c)
}
