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
	if len(quoted) > 0 {
		room := maxEmbedDesc - runeLen(head) - runeLen(quoteGap)*len(quoted)
		per := min(maxQuote, room/len(quoted))
		for _, c := range quoted {
			parts = append(parts, markedQuote(c.N, c.Quote, per))
		}
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

// markedQuote is quote n as a block quote led by its marker in bold, "> **[n]** text", at
// most max characters.
func markedQuote(n int, quote string, max int) string {
	lead := fmt.Sprintf("**[%d]** ", n)
	return "> " + lead + strings.TrimPrefix(quoteBlock(quote, max-runeLen(lead)), "> ")
}
