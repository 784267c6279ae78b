package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// /articles [query] [page], and its Prev / Next buttons.

const (
	articlesPerPage = 10
	maxListQuery    = 80  // characters, the option's limit
	maxArticleLine  = 380 // characters; 10 lines and a header stay under 4,096
)

func (b *Bot) prepareArticles(r *request) error {
	if p := strings.TrimSpace(r.opts["page"]); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 {
			return errBadPage
		}
	}
	return nil
}

// runArticles lists one page of the guild's articles, newest first; out-of-range pages
// show the last page.
func (b *Bot) runArticles(ctx context.Context, r *request) error {
	page := 1
	if p := strings.TrimSpace(r.opts["page"]); p != "" {
		page, _ = strconv.Atoi(p) // checked by prepareArticles
	}
	query := strings.TrimSpace(r.opts["query"])
	arts, total, err := b.eng.ListArticles(ctx, r.guildID, query, (page-1)*articlesPerPage, articlesPerPage)
	if err != nil {
		return fmt.Errorf("list articles: %w", err)
	}
	if pages := pageCount(total); len(arts) == 0 && total > 0 && page > pages {
		page = pages
		arts, total, err = b.eng.ListArticles(ctx, r.guildID, query, (page-1)*articlesPerPage, articlesPerPage)
		if err != nil {
			return fmt.Errorf("list articles: %w", err)
		}
	}
	return r.reply.edit(ctx, renderArticles(r.lang(), arts, total, page, query))
}

func pageCount(total int) int { return max(1, (total+articlesPerPage-1)/articlesPerPage) }

// renderArticles is one page of /articles, footnote's words in language l.
func renderArticles(l lang, arts []retrieval.Article, total, page int, query string) message {
	if total == 0 {
		if query != "" {
			return message{content: l.trf("No tracked article matches “%s”.", escapeMarkdown(query))}
		}
		return message{content: l.tr("This server tracks no articles yet. Add one with /add url:<link>.")}
	}
	pages := pageCount(total)
	lines := make([]string, 0, len(arts))
	for i, a := range arts {
		lines = append(lines, articleLine(l, (page-1)*articlesPerPage+i+1, a))
	}
	title := l.trf("Tracked articles: page %d of %d (%d in all)", page, pages, total)
	if query != "" {
		title = l.trf("Articles matching “%s”: page %d of %d (%d in all)", escapeMarkdown(query), page, pages, total)
	}
	m := message{embeds: []*dg.MessageEmbed{{
		Title:       truncate(title, maxEmbedTitle),
		Description: truncate(strings.Join(lines, "\n"), maxEmbedDesc),
	}}}
	if pages > 1 {
		prev, okPrev := pageID(page-1, query)
		next, okNext := pageID(page+1, query)
		if !okPrev || !okNext {
			// A button cannot carry this query whole, and a shorter one would list other
			// articles: say so, and how to page instead.
			m.content = l.trf("This search is too long for page buttons. For page %[1]d, run /articles again "+
				"with the same query and page:%[1]d.", min(page+1, pages))
			return m
		}
		m.components = []dg.MessageComponent{dg.ActionsRow{Components: []dg.MessageComponent{
			dg.Button{Label: l.tr("Prev"), Style: dg.SecondaryButton, CustomID: prev, Disabled: page <= 1},
			dg.Button{Label: l.tr("Next"), Style: dg.SecondaryButton, CustomID: next, Disabled: page >= pages},
		}}}
	}
	return m
}

// articleLine is "n. [title](link) · site · date · k passages" (with "updated <date>" and
// "no longer online" before the count when they apply; footnote's words in language l),
// without the link when it would make the line too long; a file's line ends with its
// address in code, for /remove.
func articleLine(l lang, n int, a retrieval.Article) string {
	title := truncate(escapeMarkdown(titleOf(a.Title, a.URL)), 150)
	facts := []string{}
	if a.Site != "" {
		facts = append(facts, escapeMarkdown(a.Site))
	}
	if d := articleDate(l, a.Published, a.FetchedAt); d != "" {
		facts = append(facts, d)
	}
	facts = append(facts, freshness(l, a.Updated, a.Gone)...)
	facts = append(facts, l.trn(a.Passages, "%d passage", "%d passages", a.Passages))
	tail := " · " + strings.Join(facts, " · ")
	if link := linkable(a.URL); link != "" && !strings.ContainsAny(link, "()<> ") {
		line := fmt.Sprintf("%d. [%s](%s)%s", n, title, link, tail)
		if runeLen(line) <= maxArticleLine {
			return line
		}
	}
	if isFileURL(a.URL) { // no link to follow: show the address that /remove takes
		line := fmt.Sprintf("%d. %s%s · %s", n, title, tail, codeSpan(a.URL))
		if runeLen(line) <= maxArticleLine {
			return line
		}
	}
	return truncate(fmt.Sprintf("%d. %s%s", n, title, tail), maxArticleLine)
}

// pageID is the custom id of a page button, "art:<page>:<query>", and whether the query fits
// whole within Discord's 100 characters (counted in bytes here, to be safe). A query is
// never cut: a shorter query would page through other articles.
func pageID(page int, query string) (string, bool) {
	id := fmt.Sprintf("art:%d:%s", page, query)
	return id, len(id) <= maxCustomID
}
