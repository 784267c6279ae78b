package bot

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// Discord's limits, which discordgo does not enforce. Lengths are in characters.
const (
	maxContent      = 2000
	maxEmbeds       = 10 // per message
	maxEmbedTitle   = 256
	maxEmbedDesc    = 4096
	maxEmbedFooter  = 2048
	maxEmbedTotal   = 6000 // all embeds of one message together
	maxButtonsInRow = 5
	maxRows         = 5
	maxCustomID     = 100
	maxEmbedURL     = 2048

	// maxQuote keeps a quote in an answer readable; the passage button shows it all.
	maxQuote = 1000

	// maxAnswerMessages bounds the messages of one answer, whatever the model wrote (a
	// 250 KB reply once made 126): the body is cut, marked "…", to leave room for the
	// sources, which are never dropped (they are what a reader checks). The engine cites at
	// most 8 passages, whose embeds take at most 2 messages, so 3 leaves the body one
	// message of 2,000 characters at least, more than an LLM answer's own cap.
	maxAnswerMessages = 3
)

// source is one cited or closest article: its embed and the button showing its passage.
type source struct {
	embed   *dg.MessageEmbed
	buttons []dg.Button // one "Passage n" per quote
}

// renderAnswer lays an answer out as Discord messages: the first replaces the deferred
// reply, the others follow. The body (with its [n] markers) comes first, cut at paragraph,
// line, sentence or word boundaries into messages of at most 2,000 characters; then one
// embed per citation (title with [n], link, quote, site and date), at most 10 embeds and
// 6,000 embed characters per message, so a citation is never split and never dropped.
// Under the embeds of each message are its "Passage n" buttons, and under the last message
// the 👍 / 👎 buttons. An answer the articles do not cover says so and lists the closest
// sources, without quotes. The engine's note, if any, is the body's first line; an answer
// takes at most maxAnswerMessages (see packBounded).
func renderAnswer(a *retrieval.Answer) []message { return renderAnswerIn(a, "") }

// renderAnswerIn renders like renderAnswer, footnote's own words (the not-covered sentence,
// "added" before a date, the buttons' labels) in language l. Only those are translated,
// before the body is split, so the article's text and the model's answer stay as they are
// and every part keeps within Discord's limits.
func renderAnswerIn(a *retrieval.Answer, l lang) []message {
	var body string
	var sources []source
	if a.Covered {
		body = strings.TrimSpace(a.Text)
		if body == "" {
			body = l.tr("Here is what the tracked articles say:")
		}
		sources = citationSources(l, a.Citations, body)
	} else {
		body = notCovered(l, len(a.Closest))
		for i, r := range a.Closest {
			sources = append(sources, closestSource(l, i+1, r))
		}
	}
	if a.Note != "" {
		body = a.Note + "\n\n" + body // the note is footnote's plain text: escaping leaves it as it is
	}
	msgs := packBounded(splitText(escapeBody(body), maxContent), sources)
	if a.QuestionID != 0 {
		last := &msgs[len(msgs)-1]
		last.components = append(last.components, feedbackRow(l, a.QuestionID))
	}
	return msgs
}

// notCovered says, in language l, that the articles do not answer, with closest sources
// listed under it or none.
func notCovered(l lang, closest int) string {
	if closest == 0 {
		return l.tr("The tracked articles don't answer that, and none comes close. " +
			"Add articles about it with /add, then ask again.")
	}
	return l.tr("The tracked articles don't answer that. These are the closest sources; " +
		"footnote found nothing in them to quote as an answer.")
}

// pack puts the body parts into messages, then the sources, each message taking as many
// embeds as Discord allows, with one row of buttons per five quotes. A source starts a new
// message when the current one has no room for its embed or buttons, or already holds an
// embed with the same link: Discord merges embeds of one message that share a URL and
// shows only the first.
func pack(parts []string, sources []source) []message {
	msgs := make([]message, 0, len(parts)+1)
	for _, p := range parts {
		msgs = append(msgs, message{content: p})
	}
	if len(msgs) == 0 {
		msgs = append(msgs, message{})
	}
	buttons := make([][]dg.Button, len(msgs))
	cur, total := len(msgs)-1, 0
	for _, s := range sources {
		size := embedSize(s.embed)
		if len(msgs[cur].embeds) == maxEmbeds || total+size > maxEmbedTotal ||
			len(buttons[cur])+len(s.buttons) > maxSourceButtons || sharesURL(msgs[cur].embeds, s.embed.URL) {
			msgs = append(msgs, message{})
			buttons = append(buttons, nil)
			cur, total = cur+1, 0
		}
		msgs[cur].embeds = append(msgs[cur].embeds, s.embed)
		buttons[cur] = append(buttons[cur], s.buttons...)
		total += size
	}
	for i := range msgs {
		msgs[i].components = buttonRows(buttons[i])
	}
	return msgs
}

// maxSourceButtons is how many "Passage n" buttons one message takes: all its rows but
// one, which the last message needs for 👍 / 👎.
const maxSourceButtons = (maxRows - 1) * maxButtonsInRow

// sharesURL reports whether one of embeds links to u ("" links nowhere and merges with
// nothing).
func sharesURL(embeds []*dg.MessageEmbed, u string) bool {
	if u == "" {
		return false
	}
	for _, e := range embeds {
		if e.URL == u {
			return true
		}
	}
	return false
}

// packBounded packs like pack, dropping the body's last parts while the answer takes more
// than maxAnswerMessages, and marks the cut "…". It keeps the first part and every source.
func packBounded(parts []string, sources []source) []message {
	cut := false
	if len(parts) > maxAnswerMessages {
		parts, cut = parts[:maxAnswerMessages], true
	}
	for {
		shown := parts
		if cut {
			shown = slices.Clone(parts)
			last := []rune(shown[len(shown)-1])
			shown[len(shown)-1] = string(last[:min(len(last), maxContent-2)]) + " …"
		}
		msgs := pack(shown, sources)
		if len(msgs) <= maxAnswerMessages || len(parts) == 1 {
			return msgs
		}
		parts, cut = parts[:len(parts)-1], true
	}
}

// buttonRows groups buttons into action rows of five.
func buttonRows(buttons []dg.Button) []dg.MessageComponent {
	var rows []dg.MessageComponent
	for len(buttons) > 0 {
		n := min(len(buttons), maxButtonsInRow)
		row := dg.ActionsRow{}
		for _, b := range buttons[:n] {
			row.Components = append(row.Components, b)
		}
		rows = append(rows, row)
		buttons = buttons[n:]
	}
	return rows
}

func closestSource(l lang, n int, r retrieval.Result) source {
	return source{
		embed: &dg.MessageEmbed{
			Title:       truncate(fmt.Sprintf("%d. %s", n, escapeMarkdown(titleOf(r.Title, r.URL))), maxEmbedTitle),
			URL:         linkable(r.URL),
			Description: byline(l, resultFacts(r)),
		},
		buttons: []dg.Button{passageButton(l, r.ChunkID, n)},
	}
}

func titleOf(title, link string) string {
	if t := strings.TrimSpace(title); t != "" {
		return t
	}
	if link != "" {
		return link
	}
	return "Untitled"
}

// articleFacts are what a reader sees of an article beside its title: its site, when it
// was published (or added), when its text last changed after it was added, and when its
// page was found gone (404, 410). Zero times are unknown, or never.
type articleFacts struct {
	site                            string
	published, added, updated, gone time.Time
}

// citationFacts are the facts of a citation's article.
func citationFacts(c retrieval.Citation) articleFacts {
	return articleFacts{site: c.Site, published: c.Published, added: c.Added, updated: c.Updated, gone: c.Gone}
}

// resultFacts are the facts of a passage's article.
func resultFacts(r retrieval.Result) articleFacts {
	return articleFacts{site: r.Site, published: r.Published, added: r.Added, updated: r.Updated, gone: r.Gone}
}

// byline is "site · date · updated date · no longer online" (the site escaped, dates as
// Discord date markup; "added date" when the publication date is unknown; footnote's words
// in language l), each part only when it applies, or "" when none does. It goes in the
// embed's description, not its footer: Discord shows a footer's text raw, so the date
// markup would not render there.
func byline(l lang, f articleFacts) string {
	var parts []string
	if s := strings.TrimSpace(f.site); s != "" {
		parts = append(parts, truncate(escapeMarkdown(s), maxEmbedFooter))
	}
	if d := articleDate(l, f.published, f.added); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(append(parts, freshness(l, f.updated, f.gone)...), " · ")
}

// freshness is what a reader should know of an article's page since it was added, in
// language l: "updated <date>" when its text changed, "no longer online" when its page is
// gone.
func freshness(l lang, updated, gone time.Time) []string {
	var parts []string
	if d := discordDate(updated); d != "" {
		parts = append(parts, l.trf("updated %s", d))
	}
	if !gone.IsZero() {
		parts = append(parts, l.tr("no longer online"))
	}
	return parts
}

// articleDate is the date a reader sees for an article: its publication date, or, when
// that is unknown, "added <date>" (when footnote fetched it; in language l), never the one
// passed off as the other; "" when neither is known. Dates are Discord markup (discordDate).
func articleDate(l lang, published, added time.Time) string {
	if d := discordDate(published); d != "" {
		return d
	}
	if d := discordDate(added); d != "" {
		return l.trf("added %s", d)
	}
	return ""
}

// linkable returns u when Discord accepts it as an embed link (absolute http or https),
// else "".
func linkable(u string) string {
	if _, err := fetch.ParseWebURL(u); err != nil || len(u) > maxEmbedURL {
		return ""
	}
	return u
}

// quoteBlock renders a quote as a Markdown block quote of at most max characters (a cut
// is marked "…"), its Markdown escaped so that it reads exactly as in the article.
func quoteBlock(q string, max int) string {
	lines := strings.Split(escapeMarkdown(strings.TrimSpace(q)), "\n")
	for i, l := range lines {
		lines[i] = "> " + l
	}
	return truncate(strings.Join(lines, "\n"), max)
}

// embedSize counts the characters Discord adds up against the 6,000 per message.
func embedSize(e *dg.MessageEmbed) int {
	n := runeLen(e.Title) + runeLen(e.Description)
	if e.Footer != nil {
		n += runeLen(e.Footer.Text)
	}
	if e.Author != nil {
		n += runeLen(e.Author.Name)
	}
	for _, f := range e.Fields {
		n += runeLen(f.Name) + runeLen(f.Value)
	}
	return n
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

// truncate shortens s to at most max characters, marking a cut with "…".
func truncate(s string, max int) string {
	if runeLen(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// splitSeps are the boundaries splitText prefers, coarsest first.
var splitSeps = []string{"\n\n", "\n", ". ", " "}

// splitText cuts s into parts of at most max characters, each ending at the coarsest
// boundary that makes it fit (paragraph, line, sentence, word; a single word longer than
// max is cut anywhere but inside an escape or a marker, see safeCut). Citation markers like
// [12] contain no boundary, so they are never cut.
func splitText(s string, max int) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var out []string
	var cur strings.Builder
	n := 0
	flush := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			out = append(out, t)
		}
		cur.Reset()
		n = 0
	}
	for _, p := range cutPieces(s, max, 0) {
		pn := runeLen(p)
		if n > 0 && n+pn > max {
			flush()
		}
		cur.WriteString(p)
		n += pn
	}
	flush()
	return out
}

// cutPieces splits s after each splitSeps[level], splitting any piece still longer than
// max at the next level. Joined, the pieces are s again.
func cutPieces(s string, max, level int) []string {
	if runeLen(s) <= max {
		return []string{s}
	}
	if level == len(splitSeps) {
		var out []string
		r := []rune(s)
		for len(r) > max {
			k := safeCut(r, max)
			out = append(out, string(r[:k]))
			r = r[k:]
		}
		return append(out, string(r))
	}
	sep := splitSeps[level]
	var out []string
	for s != "" {
		p := s
		if i := strings.Index(s, sep); i >= 0 {
			p = s[:i+len(sep)]
		}
		s = s[len(p):]
		if runeLen(p) > max {
			out = append(out, cutPieces(p, max, level+1)...)
		} else {
			out = append(out, p)
		}
	}
	return out
}
