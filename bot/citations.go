package bot

import (
	"fmt"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// citationSources lays an answer's citations out as one source per article, in the order
// the answer first cites each: Discord merges embeds of one message that share a URL and
// shows only the first, so an embed per citation hid every later quote from the same
// article. The embed's title lists the article's markers ("[1] [3] Title"), its
// description the byline and each quote under its marker, and the source carries one
// "Passage n" button per quote; footnote's own words are in language l. A quote the body
// already gives word for word (an extractive answer's first) is not repeated.
func citationSources(l lang, cs []retrieval.Citation, body string) []source {
	var groups [][]retrieval.Citation
	index := map[string]int{}
	for _, c := range cs {
		key := articleKey(c)
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], c)
	}
	sources := make([]source, 0, len(groups))
	for _, g := range groups {
		sources = append(sources, articleSource(l, g, body))
	}
	return sources
}

// articleKey names the article a citation quotes: its id, or its link when the id is
// unknown (0), so that citations sharing a link always share an embed.
func articleKey(c retrieval.Citation) string {
	if u := linkable(c.URL); u != "" {
		return "url:" + u
	}
	if c.ArticleID != 0 {
		return fmt.Sprintf("id:%d", c.ArticleID)
	}
	return fmt.Sprintf("n:%d", c.N) // nothing to merge with
}

// quoteGap separates the quotes of one article's embed.
const quoteGap = "\n\n"

// articleSource is the embed of one article's citations. The quotes share the
// description's 4,096 characters: each takes at most maxQuote, and less when the article
// has so many quotes that they would not fit (a cut is marked "…"; the Passage button
// shows the passage whole), so that no quote is dropped.
func articleSource(l lang, g []retrieval.Citation, body string) source {
	first := g[0]
	markers := make([]string, 0, len(g))
	buttons := make([]dg.Button, 0, len(g))
	var quoted []retrieval.Citation
	for _, c := range g {
		markers = append(markers, fmt.Sprintf("[%d]", c.N))
		buttons = append(buttons, passageButton(l, c.ChunkID, c.N))
		if !strings.Contains(body, c.Quote) {
			quoted = append(quoted, c)
		}
	}
	head := byline(l, citationFacts(first))
	parts := []string{}
	if head != "" {
		parts = append(parts, head)
	}
	also := alsoReported(l, g)
	if len(quoted) > 0 {
		room := maxEmbedDesc - runeLen(head) - runeLen(quoteGap)*(len(quoted)+1) - runeLen(also)
		per := min(maxQuote, room/len(quoted))
		for _, c := range quoted {
			parts = append(parts, markedQuote(c.N, c.Quote, per))
		}
	}
	if also != "" {
		parts = append(parts, also)
	}
	return source{
		embed: &dg.MessageEmbed{
			Title:       truncate(strings.Join(markers, " ")+" "+escapeMarkdown(titleOf(first.Title, first.URL)), maxEmbedTitle),
			URL:         linkable(first.URL),
			Description: strings.Join(parts, quoteGap),
		},
		buttons: buttons,
	}
}

// maxAlsoLine bounds the "also reported by" line of an embed, links included: a long
// address is not worth a quote's room.
const maxAlsoLine = 1000

// alsoReported is the line naming the other articles that ran the passages an article's
// citations quote (copies footnote left out of the results), as links named by their site
// or title, in language l: "Also reported by [Site](link), [Other](link)"; "" when there are
// none. Links that would take the line past maxAlsoLine are left out.
func alsoReported(l lang, g []retrieval.Citation) string {
	var links []string
	seen := map[string]bool{}
	length := 0
	for _, c := range g {
		for _, s := range c.Also {
			name := strings.TrimSpace(s.Site)
			if name == "" {
				name = titleOf(s.Title, s.URL)
			}
			name = truncate(escapeMarkdown(name), 60)
			link := name
			if u := linkable(s.URL); u != "" {
				link = "[" + name + "](" + u + ")"
			}
			if seen[s.URL] || length+runeLen(link) > maxAlsoLine {
				continue
			}
			seen[s.URL] = true
			length += runeLen(link) + 2
			links = append(links, link)
		}
	}
	if len(links) == 0 {
		return ""
	}
	return l.trf("Also reported by %s", strings.Join(links, ", "))
}

// markedQuote is quote n as a block quote led by its marker in bold, "> **[n]** text", at
// most max characters.
func markedQuote(n int, quote string, max int) string {
	lead := fmt.Sprintf("**[%d]** ", n)
	return "> " + lead + strings.TrimPrefix(quoteBlock(quote, max-runeLen(lead)), "> ")
}
