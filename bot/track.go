package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/feed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// /track feed:<url> [channel:<#channel>] [every:<interval>]

// feedUserError is a /track, /feeds or /untrack input footnote refuses, with what to say
// in a member's language.
type feedUserError struct{ text func(lang) string }

func (e *feedUserError) Error() string { return e.text("") }

// errNotAFeed is a page that is neither a feed nor an HTML page advertising one.
var errNotAFeed = &feedUserError{func(l lang) string {
	return l.tr("That page is not a feed, and it advertises none. " +
		"Give the address of an RSS, Atom or JSON feed, or of a page that links to one.")
}}

// errUntracked is /untrack of a feed the server does not follow.
var errUntracked = &feedUserError{func(l lang) string {
	return l.tr("This server doesn't follow that feed. /feeds lists the feeds it follows.")
}}

// errNotFeedAddress is /track given something that is no web address.
var errNotFeedAddress = &feedUserError{func(l lang) string {
	return l.tr("That isn't a feed's address. Give a full address starting with https://.")
}}

func (b *Bot) prepareTrack(r *request) error {
	if _, err := fetch.ParseWebURL(r.opts["feed"]); err != nil {
		return errNotFeedAddress
	}
	_, err := feedEvery(r.opts["every"])
	return err
}

// feedEvery parses /track's every: ("30m", "2h", or a number of minutes); "" is the default.
func feedEvery(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		d, err = time.ParseDuration(s + "m")
	}
	if err != nil || d < retrieval.MinFeedEvery {
		return 0, &feedUserError{func(l lang) string {
			return l.trf("every: takes an interval of at least %d minutes, such as 30m or 2h.", int(retrieval.MinFeedEvery.Minutes()))
		}}
	}
	return d, nil
}

func (b *Bot) runTrack(ctx context.Context, r *request) error {
	every, err := feedEvery(r.opts["every"])
	if err != nil {
		return err
	}
	channel := strings.TrimSpace(r.opts["channel"])
	if channel != "" && !r.console {
		if err := b.canAnnounce(ctx, r, channel); err != nil {
			return err
		}
	}
	p, err := b.eng.Track(ctx, r.guildID, r.opts["feed"], every, r.userID, channel)
	switch {
	case errors.Is(err, feed.ErrMalformed):
		return errNotAFeed
	case err != nil:
		return fmt.Errorf("track: %w", err)
	}
	l := r.lang()
	// The first poll's error, as the site answered, and the feed's title are masked before
	// renderTracked escapes their Markdown (an escaped "_" would hide a secret holding one),
	// and the whole again after (the link is not escaped).
	shown := *p
	shown.Feed = maskFeed(b.cfg.Redact, p.Feed)
	shown.Err = b.cfg.Redact.Error(p.Err)
	text := b.cfg.Redact.String(renderTracked(l, &shown))
	text += b.announceTracked(ctx, r, p)
	return r.reply.edit(ctx, message{content: text})
}

// announceTracked posts the articles /track's first poll added in the feed's channel and
// returns the line that says so for its reply ("" for none). The articles wait to be
// announced in the database (retrieval.Engine.AnnounceFeed): when Discord fails in a way
// that may pass, an announce_feed job tries again, and the feed's next poll would too.
func (b *Bot) announceTracked(ctx context.Context, r *request, p *retrieval.FeedPoll) string {
	if p.Feed.Channel == "" {
		return ""
	}
	l := r.lang()
	n, retry, err := b.eng.AnnounceFeed(ctx, p.Feed.Collection, p.Feed.ID, b.AnnounceFeedPoll)
	switch {
	case err == nil && n > 0:
		return "\n" + l.trf("Announced %d in <#%s>.", n, p.Feed.Channel)
	case err == nil:
		return ""
	case !retry:
		b.log.Warn("announce feed articles", "guild_id", r.guildID, "channel_id", p.Feed.Channel, "err", err)
		return "\n" + l.trf("footnote could not announce them in <#%s>.", p.Feed.Channel)
	}
	b.log.Warn("announce feed articles: will try again", "guild_id", r.guildID, "channel_id", p.Feed.Channel, "announced", n, "err", err)
	if b.cfg.Announcements != nil {
		if qerr := b.cfg.Announcements.QueueAnnounce(ctx, p.Feed.Collection, p.Feed.ID); qerr != nil {
			b.log.Warn("queue announce_feed failed; the feed's next poll will announce", "guild_id", r.guildID, "err", qerr)
		}
	}
	return "\n" + l.trf("footnote could not announce them in <#%s> yet; it will try again.", p.Feed.Channel)
}

// errForeignChannel is /track channel: naming a channel of another server.
var errForeignChannel = &feedUserError{func(l lang) string {
	return l.tr("Not tracked: footnote can only announce in a channel of this server.")
}}

// canAnnounce checks that channel belongs to the server and that footnote may post there,
// and names what it lacks. A channel it cannot read is refused: where it belongs is
// unknown. When only its permissions there cannot be read it lets Discord decide, as for
// mentions.
func (b *Bot) canAnnounce(ctx context.Context, r *request, channel string) error {
	ch, err := b.lookupChannel(ctx, channel)
	if err != nil {
		b.log.Debug("announcement channel unreadable", "guild_id", r.guildID, "channel_id", channel, "err", err)
		return &feedUserError{func(l lang) string {
			return l.trf("Not tracked: footnote can't see <#%s>. Let it view the channel, or choose another.", channel)
		}}
	}
	if ch.GuildID != r.guildID {
		return errForeignChannel
	}
	self := b.selfID()
	if self == "" { // over HTTP interactions, before any READY: a bot's user id is its application's id
		self = cmp.Or(b.cfg.AppID, r.appID)
	}
	perms, err := b.selfPerms(ctx, r.guildID, channel, self)
	if err != nil {
		b.log.Debug("permissions unknown; tracking anyway", "guild_id", r.guildID, "channel_id", channel, "err", err)
		return nil
	}
	if err := lacking(perms, permsAnnounce); err != nil {
		var m *missingPermsError
		errors.As(err, &m)
		return &feedUserError{func(l lang) string {
			names := m.names(l)
			return l.trn(len(names),
				"Not tracked: footnote can't announce new articles in <#%[1]s>: it needs the %[2]s permission there. "+
					"Grant it to footnote, or choose another channel.",
				"Not tracked: footnote can't announce new articles in <#%[1]s>: it needs the %[2]s permissions there. "+
					"Grant them to footnote, or choose another channel.",
				channel, l.and(names))
		}}
	}
	return nil
}

// permsAnnounce is what footnote needs to announce a feed's articles in a channel (embeds
// are not used: each article is a line of text with its link).
const permsAnnounce = permsPost

// renderTracked is the reply to /track, in language l: the feed, and what its first poll
// added.
func renderTracked(l lang, p *retrieval.FeedPoll) string {
	f := p.Feed
	added, failed, skipped := 0, 0, 0
	for _, it := range p.Items {
		switch it.Status {
		case retrieval.StatusAdded, retrieval.StatusUpdated:
			added++
		case retrieval.StatusFailed:
			failed++
		case retrieval.StatusSkipped:
			skipped++
		}
	}
	text := l.trn(added, "Following **%[1]s**, every %[2]s: %[3]d new article.", "Following **%[1]s**, every %[2]s: %[3]d new articles.",
		truncate(escapeMarkdown(titleOf(f.Title, f.URL)), 200), everyText(f.Every), added)
	if link := linkable(f.URL); link != "" && runeLen(link) < 1000 {
		text += "\n<" + link + ">"
	}
	if failed > 0 {
		text += "\n" + l.trn(failed, "%d item could not be read as an article.", "%d items could not be read as articles.", failed)
	}
	if skipped > 0 {
		text += "\n" + l.trn(skipped, "%d item was left out: its site's robots.txt asks crawlers not to fetch it.",
			"%d items were left out: their site's robots.txt asks crawlers not to fetch them.", skipped)
	}
	if p.Err != nil {
		text += "\n" + l.tr("The first poll went wrong:") + " " + truncate(escapeMarkdown(oneLineText(p.Err.Error())), 300)
	}
	return text
}

// everyText shows a polling interval as minutes or hours.
func everyText(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}

// oneLineText joins the lines of s with spaces.
func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

// feedCommands are /track, /feeds and /untrack as registered with Discord.
func feedCommands() []*dg.ApplicationCommand {
	return []*dg.ApplicationCommand{
		{
			Name:        "track",
			Description: "Follow a news feed (RSS, Atom, JSON) and add its new articles",
			Options: []*dg.ApplicationCommandOption{
				{Type: dg.ApplicationCommandOptionString, Name: "feed", Description: "The feed's link, or a page that links to it",
					Required: true, MaxLength: 2000},
				{Type: dg.ApplicationCommandOptionChannel, Name: "channel", Description: "Announce new articles in this channel",
					ChannelTypes: []dg.ChannelType{dg.ChannelTypeGuildText, dg.ChannelTypeGuildNews}},
				{Type: dg.ApplicationCommandOptionString, Name: "every", Description: "How often to check it, e.g. 30m or 2h (at least 5m)",
					MaxLength: 10},
			},
		},
		{Name: "feeds", Description: "List the feeds this server follows and how their polls went"},
		{
			Name:        "untrack",
			Description: "Stop following a feed (its articles stay)",
			Options: []*dg.ApplicationCommandOption{
				{Type: dg.ApplicationCommandOptionString, Name: "feed", Description: "The feed's link, as /feeds shows it",
					Required: true, MaxLength: 2000, Autocomplete: true},
			},
		},
	}
}
