package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// Announcements of a feed's new articles in its channel (/track channel:).

const (
	// announcePerMessage is how many articles one announcement message lists: fewer
	// messages in a busy channel, while each stays far under Discord's 2,000 characters.
	announcePerMessage = 5
	// maxAnnouncedPerPoll caps the articles announced after one poll; the rest are counted.
	// More floods the channel when a feed is first tracked; fewer hides news.
	maxAnnouncedPerPoll = 15
)

// AnnounceFeedPoll posts the articles a poll added to its feed's announcement channel, a
// few per message, from the (from)th article on (a multiple of announcePerMessage: an
// earlier call posted the ones before), and returns how many it announced. On an error,
// retry says whether the rest may go later: Discord failing or busy (a 5xx, a network
// error, a rate limit past discordgo's own retries), not footnote lacking permission or
// the channel gone. The poll job calls it after each poll and, for the rest, the
// announce_feed job (jobs.Announcer); /track calls it after the first. A feed without a
// channel announces nothing.
func (b *Bot) AnnounceFeedPoll(ctx context.Context, p retrieval.FeedPoll, from int) (announced int, retry bool, err error) {
	return b.announce(ctx, &p, from)
}

func (b *Bot) announce(ctx context.Context, p *retrieval.FeedPoll, from int) (int, bool, error) {
	if p == nil || p.Feed.Channel == "" {
		return 0, false, nil
	}
	var lines []string
	for _, it := range p.Items {
		if it.Status == retrieval.StatusAdded {
			lines = append(lines, announceLine(p.Feed, it))
		}
	}
	l := b.guildLang(p.Feed.Collection) // a server's collection is named by its id
	shown := min(len(lines), maxAnnouncedPerPoll)
	from = max(from, 0) / announcePerMessage * announcePerMessage
	for i := from; i < shown; i += announcePerMessage {
		batch := lines[i:min(i+announcePerMessage, shown)]
		content := strings.Join(batch, "\n")
		if more := len(lines) - shown; i+announcePerMessage >= shown && more > 0 {
			content += "\n" + l.trn(more, "…and %d more; /articles lists it.", "…and %d more; /articles lists them.", more)
		}
		_, err := b.session.ChannelMessageSendComplex(p.Feed.Channel, &dg.MessageSend{
			Content:         content,
			AllowedMentions: noMentions(),
		}, dg.WithContext(ctx))
		if err != nil {
			if missingPermissions(err) {
				b.forgetPerms(p.Feed.Channel)
			}
			return i - from, mayPassLater(err), fmt.Errorf("announce in %s: %w", p.Feed.Channel, err)
		}
	}
	return max(shown-from, 0), false, nil
}

// mayPassLater reports whether a failed request to Discord may work if sent again later:
// Discord's own trouble (5xx), a rate limit that discordgo's retries did not outlast, a
// network error or a request cut off; not a refusal of the request itself (another 4xx:
// footnote may not post there, the channel is gone).
func mayPassLater(err error) bool {
	var re *dg.RESTError
	if errors.As(err, &re) && re.Response != nil {
		code := re.Response.StatusCode
		return code >= 500 || code == http.StatusTooManyRequests || code == http.StatusRequestTimeout
	}
	return true
}

// announceLine is one article of an announcement: title, source, date and link, each cut
// so that announcePerMessage lines fit in one message.
func announceLine(f retrieval.Feed, it retrieval.FeedItem) string {
	source := strings.TrimSpace(f.Title)
	if source == "" {
		if u, err := url.Parse(it.URL); err == nil {
			source = u.Hostname()
		}
	}
	line := "📰 **" + truncate(escapeMarkdown(oneLineText(titleOf(it.Title, it.URL))), 150) + "**"
	facts := []string{truncate(escapeMarkdown(oneLineText(source)), 60)}
	if d := discordDate(it.Published); d != "" {
		facts = append(facts, d)
	}
	line += " · " + strings.Join(facts, " · ")
	if link := linkable(it.URL); link != "" && runeLen(link) <= 150 {
		line += "\n<" + link + ">"
	}
	return line
}
