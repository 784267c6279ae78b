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
	embed  *dg.MessageEmbed
	button dg.Button
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
func renderAnswer(a *retrieval.Answer) []message {
	var body string
	var sources []source
	if a.Covered {
		body = strings.TrimSpace(a.Text)
		if body == "" {
			body = "Here is what the tracked articles say:"
		}
		for _, c := range a.Citations {
			sources = append(sources, citationSource(c, body))
		}
	} else {
		body = notCovered(len(a.Closest))
		for i, r := range a.Closest {
			sources = append(sources, closestSource(i+1, r))
		}
	}
	if a.Note != "" {
		body = a.Note + "\n\n" + body
	}
	msgs := packBounded(splitText(body, maxContent), sources)
	if a.QuestionID != 0 {
		last := &msgs[len(msgs)-1]
		last.components = append(last.components, feedbackRow(a.QuestionID))
	}
	return msgs
}

func notCovered(closest int) string {
	if closest == 0 {
		return "The tracked articles don't answer that, and none comes close. " +
			"Add articles about it with /add, then ask again."
	}
	return "The tracked articles don't answer that. These are the closest sources; " +
		"footnote found nothing in them to quote as an answer."
}

// pack puts the body parts into messages, then the sources, each message taking as many
// embeds as Discord allows, with one row of buttons per five sources.
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
		if len(msgs[cur].embeds) == maxEmbeds || total+size > maxEmbedTotal {
			msgs = append(msgs, message{})
			buttons = append(buttons, nil)
			cur, total = cur+1, 0
		}
		msgs[cur].embeds = append(msgs[cur].embeds, s.embed)
		buttons[cur] = append(buttons[cur], s.button)
		total += size
	}
	for i := range msgs {
		msgs[i].components = buttonRows(buttons[i])
	}
	return msgs
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

// citationSource is a citation's embed: its quote (unless the body already quotes it word
// for word, as an extractive answer does), title, link, site and date.
func citationSource(c retrieval.Citation, body string) source {
	desc := quoteBlock(c.Quote, maxQuote)
	if strings.Contains(body, c.Quote) {
		desc = ""
	}
	return source{
		embed: &dg.MessageEmbed{
			Title:       truncate(fmt.Sprintf("[%d] %s", c.N, escapeMarkdown(titleOf(c.Title, c.URL))), maxEmbedTitle),
			URL:         linkable(c.URL),
			Description: desc,
			Footer:      footer(c.Site, c.Published, c.Added),
		},
		button: passageButton(c.ChunkID, c.N),
	}
}

func closestSource(n int, r retrieval.Result) source {
	return source{
		embed: &dg.MessageEmbed{
			Title:  truncate(fmt.Sprintf("%d. %s", n, escapeMarkdown(titleOf(r.Title, r.URL))), maxEmbedTitle),
			URL:    linkable(r.URL),
			Footer: footer(r.Site, r.Published, r.Added),
		},
		button: passageButton(r.ChunkID, n),
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

// footer is "site · 2 Jan 2006" ("site · added 2 Jan 2006" when the publication date is
// unknown), or nil when neither is known.
func footer(site string, published, added time.Time) *dg.MessageEmbedFooter {
	var parts []string
	if s := strings.TrimSpace(site); s != "" {
		parts = append(parts, s)
	}
	if d := articleDate(published, added); d != "" {
		parts = append(parts, d)
	}
	if len(parts) == 0 {
		return nil
	}
	return &dg.MessageEmbedFooter{Text: truncate(strings.Join(parts, " · "), maxEmbedFooter)}
}

// articleDate is the date a reader sees for an article: its publication date, or, when
// that is unknown, "added <date>" (when footnote fetched it), never the one passed off as the
// other; "" when neither is known.
func articleDate(published, added time.Time) string {
	if d := formatDate(published); d != "" {
		return d
	}
	if d := formatDate(added); d != "" {
		return "added " + d
	}
	return ""
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006")
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

var markdownEscaper = strings.NewReplacer(
	`\`, `\\`, `*`, `\*`, `_`, `\_`, `~`, `\~`, "`", "\\`", `|`, `\|`,
	`[`, `\[`, `]`, `\]`, `>`, `\>`, `#`, `\#`,
)

// escapeMarkdown makes article text display literally: no emphasis, masked links,
// spoilers, headings or nested quotes.
func escapeMarkdown(s string) string { return markdownEscaper.Replace(s) }

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
// max is cut anywhere). Citation markers like [12] contain no boundary, so they are never
// cut.
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
			out = append(out, string(r[:max]))
			r = r[max:]
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
