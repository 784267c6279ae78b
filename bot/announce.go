package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
// few per message, and returns how many it announced. On an error, retry says whether the
// rest may go later: Discord failing or busy (a 5xx, a network error, a rate limit past
// discordgo's own retries), not footnote lacking permission or the channel gone. It is
// retrieval.Engine.AnnounceFeed's post (jobs.Announcer): the articles are those waiting to
// be announced, after a poll, in an announce_feed job, or after /track's first poll. A
// feed without a channel announces nothing.
//
// Each message carries a nonce made of the feed and its articles, which Discord enforces
// (enforce_nonce): a message sent again within a few minutes, after a 500 or a cut
// connection that may have hidden its success, is not posted twice.
func (b *Bot) AnnounceFeedPoll(ctx context.Context, p retrieval.FeedPoll) (announced int, retry bool, err error) {
	if p.Feed.Channel == "" {
		return 0, false, nil
	}
	var lines, urls []string
	for _, it := range p.Items {
		if it.Status == retrieval.StatusAdded {
			lines = append(lines, announceLine(p.Feed, it))
			urls = append(urls, it.URL)
		}
	}
	l := b.serverLang(ctx, p.Feed.Collection) // a server's collection is named by its id
	shown := min(len(lines), maxAnnouncedPerPoll)
	for i := 0; i < shown; i += announcePerMessage {
		end := min(i+announcePerMessage, shown)
		content := strings.Join(lines[i:end], "\n")
		if more := len(lines) - shown; end == shown && more > 0 {
			content += "\n" + l.trn(more, "…and %d more; /articles lists it.", "…and %d more; /articles lists them.", more)
		}
		err := b.sendOnce(ctx, p.Feed.Channel, announceNonce(p.Feed, urls[i:end]), &dg.MessageSend{
			Content:         content,
			AllowedMentions: noMentions(),
		})
		if err != nil {
			if missingPermissions(err) {
				b.forgetPerms(p.Feed.Channel)
			}
			return i, mayPassLater(err), fmt.Errorf("announce in %s: %w", p.Feed.Channel, err)
		}
	}
	return shown, false, nil
}

// onceMessage is a message with a nonce Discord enforces: another message of the same
// author with the same nonce in the last few minutes is returned instead of a new one.
// (discordgo's MessageSend has neither field.)
type onceMessage struct {
	*dg.MessageSend
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
}

// sendOnce posts m (text only) in channel under nonce, as ChannelMessageSendComplex
// would, so that sending it again after a failure that hid its success posts nothing new.
func (b *Bot) sendOnce(ctx context.Context, channel, nonce string, m *dg.MessageSend) error {
	endpoint := dg.EndpointChannelMessages(channel)
	_, err := b.session.RequestWithBucketID(http.MethodPost, endpoint, onceMessage{MessageSend: m, Nonce: nonce, EnforceNonce: true},
		endpoint, dg.WithContext(ctx))
	return err
}

// announceNonce names one announcement message: its feed and its articles, in 25
// characters (Discord's limit), the same at every try.
func announceNonce(f retrieval.Feed, urls []string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s", f.ID, f.Channel)
	for _, u := range urls {
		h.Write([]byte{0})
		h.Write([]byte(u))
	}
	return "fa" + hex.EncodeToString(h.Sum(nil))[:23]
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
