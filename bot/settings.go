package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// /settings [admin_role:<role>] [reset_admin_role:<bool>] [answers:<mode>]
// [mention_channels:<all | #channel …>] [members_add:<bool>] [gone_pages:<mark | remove>]:
// admins only. With no option it
// shows the server's settings; with options it sets them and shows the result. The reply is
// ephemeral.

// settingsTTL is how long a server's settings are reused before they are read again. Longer
// saves database reads on busy servers; shorter makes a change by another footnote process
// (a second shard) visible sooner. A change made in this process is visible at once.
const settingsTTL = 30 * time.Second

// settingsReadTimeout bounds one read of a server's settings from the database. Reads come
// before an interaction's acknowledgement (Discord allows 3 s, and a command may read twice:
// its plan, then the admin check) and inside the gateway's message handler, so a stuck
// database must not hold them. Longer tolerates a slow database; shorter falls back to the
// defaults sooner, which may briefly ignore a server's choices.
const settingsReadTimeout = time.Second

// errBadSettings is a /settings option footnote cannot use.
var errBadSettings = errors.New("bad settings")

// guildSettings returns the server's settings, from the cache when fresh. When they cannot
// be read within settingsReadTimeout it logs and returns the defaults (not cached), so that
// a database hiccup never stops answers.
func (b *Bot) guildSettings(ctx context.Context, guildID string) retrieval.GuildSettings {
	if guildID == "" {
		return retrieval.DefaultGuildSettings()
	}
	if s, ok := b.settings.get(guildID, b.now(), settingsTTL); ok {
		return s
	}
	ctx, cancel := context.WithTimeout(ctx, settingsReadTimeout)
	defer cancel()
	s, err := b.eng.GuildSettings(ctx, guildID)
	if err != nil {
		b.log.Warn("read server settings; using the defaults", "guild_id", guildID, "err", err)
		return retrieval.DefaultGuildSettings()
	}
	b.settings.put(guildID, s, b.now())
	return s
}

// prepareSettings checks the options' form before anything is stored.
func (b *Bot) prepareSettings(r *request) error {
	_, err := settingsUpdate(r)
	return err
}

// settingsUpdate turns /settings' options into an update; no option gives a nil update.
func settingsUpdate(r *request) (*retrieval.SettingsUpdate, error) {
	u := &retrieval.SettingsUpdate{By: r.userID}
	set := false
	if v, ok := r.opts["admin_role"]; ok {
		role := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<@&"), ">")
		if !isSnowflake(role) {
			return nil, errBadSettings
		}
		u.AdminRole, set = &role, true
	}
	if v, ok := r.opts["reset_admin_role"]; ok {
		reset, err := strconv.ParseBool(v)
		if err != nil {
			return nil, errBadSettings
		}
		if reset {
			empty := ""
			u.AdminRole, set = &empty, true
		}
	}
	if v, ok := r.opts["answers"]; ok {
		mode := retrieval.AnswerMode(strings.ToLower(strings.TrimSpace(v)))
		if mode == "default" {
			mode = retrieval.AnswerDefault
		}
		u.AnswerMode, set = &mode, true
	}
	if v, ok := r.opts["mention_channels"]; ok {
		chs, err := parseChannels(v)
		if err != nil {
			return nil, err
		}
		u.MentionChannels, set = &chs, true
	}
	if v, ok := r.opts["members_add"]; ok {
		allow, err := strconv.ParseBool(v)
		if err != nil {
			return nil, errBadSettings
		}
		u.MembersAdd, set = &allow, true
	}
	if v, ok := r.opts["gone_pages"]; ok {
		var g retrieval.GonePages
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "mark", "keep", "default":
			g = retrieval.GoneMark
		case "remove":
			g = retrieval.GoneRemove
		default:
			return nil, errBadSettings
		}
		u.GonePages, set = &g, true
	}
	if !set {
		return nil, nil
	}
	return u, nil
}

// parseChannels reads "all" (nil: every channel) or channel mentions and ids, separated by
// spaces or commas.
func parseChannels(v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if strings.EqualFold(v, "all") {
		return nil, nil
	}
	var ids []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' }) {
		id := strings.TrimSuffix(strings.TrimPrefix(f, "<#"), ">")
		if !isSnowflake(id) {
			return nil, errBadSettings
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		return nil, errBadSettings
	}
	return ids, nil
}

func (b *Bot) runSettings(ctx context.Context, r *request) error {
	u, err := settingsUpdate(r)
	if err != nil {
		return err
	}
	s := b.guildSettings(ctx, r.guildID)
	if u != nil {
		if s, err = b.eng.UpdateGuildSettings(ctx, r.guildID, *u); err != nil {
			return fmt.Errorf("settings: %w", err)
		}
		b.settings.put(r.guildID, s, b.now()) // visible at once in this process
	}
	return r.reply.edit(ctx, message{content: b.describeSettings(r.lang(), s, u != nil)})
}

// describeSettings is the settings as /settings and /help show them, in language l.
func (b *Bot) describeSettings(l lang, s retrieval.GuildSettings, changed bool) string {
	var sb strings.Builder
	if changed {
		sb.WriteString(l.tr("Settings saved.") + "\n")
	}
	var role string
	switch {
	case s.AdminRole != "":
		role = l.trf("members with Manage Server and %s", "<@&"+s.AdminRole+">")
	case isSnowflake(b.cfg.AdminRole):
		role = l.trf("members with Manage Server and %s (footnote's default)", "<@&"+b.cfg.AdminRole+">")
	case b.cfg.AdminRole != "":
		role = l.trf("members with Manage Server and the role %s (footnote's default)", escapeMarkdown(b.cfg.AdminRole))
	default:
		role = l.tr("members with Manage Server")
	}
	sb.WriteString(l.trf("**Admins:** %s", role) + "\n")
	var answers string
	switch s.AnswerMode {
	case retrieval.AnswerThread:
		answers = l.tr("thread: a mention opens a thread, /ask replies in the channel")
	case retrieval.AnswerReply:
		answers = l.tr("reply: answers are replies in the channel, mentions open no thread")
	case retrieval.AnswerEphemeral:
		answers = l.tr("ephemeral: /ask answers only the member who asked; mentions get a reply")
	default:
		answers = l.tr("default: /ask replies in the channel, a mention opens a thread")
	}
	sb.WriteString(l.trf("**Answers:** %s", answers) + "\n")
	channels := l.tr("all channels")
	if s.MentionChannels != nil {
		chs := make([]string, len(s.MentionChannels))
		for i, c := range s.MentionChannels {
			chs[i] = "<#" + c + ">"
		}
		channels = strings.Join(chs, " ")
	}
	sb.WriteString(l.trf("**Mentions answered in:** %s", channels) + "\n")
	add := l.tr("every member")
	if !s.MembersAdd {
		add = l.tr("admins only")
	}
	sb.WriteString(l.trf("**/add:** %s", add) + "\n")
	gone := l.tr("kept and still cited, marked \"no longer online\"")
	if s.GonePages == retrieval.GoneRemove {
		gone = l.tr("removed")
	}
	sb.WriteString(l.trf("**Articles whose page is gone (404/410):** %s", gone))
	return sb.String()
}

// applySettings adapts a command's plan to the server's settings before it is admitted:
// where /ask's answer goes, and whether /add (and the "Add this link" menu, /track and
// /untrack) needs an admin.
func (b *Bot) applySettings(ctx context.Context, r *request, p *plan) {
	switch r.kind {
	case "ask":
		if b.guildSettings(ctx, r.guildID).AnswerMode == retrieval.AnswerEphemeral {
			p.ack = ackEphemeral
		}
	case "add", addLinksCommand, "track", "untrack":
		if !b.guildSettings(ctx, r.guildID).MembersAdd {
			p.admin = true
		}
	}
}

// settingsCommand is /settings as registered with Discord.
func settingsCommand(manageServer *int64) *dg.ApplicationCommand {
	return &dg.ApplicationCommand{
		Name:                     "settings",
		Description:              "Show or change footnote's settings for this server (admins)",
		DefaultMemberPermissions: manageServer,
		Options: []*dg.ApplicationCommandOption{
			{Type: dg.ApplicationCommandOptionRole, Name: "admin_role", Description: "Members with this role count as footnote admins"},
			{Type: dg.ApplicationCommandOptionBoolean, Name: "reset_admin_role", Description: "Go back to footnote's default admin role"},
			{Type: dg.ApplicationCommandOptionString, Name: "answers", Description: "Where answers go",
				Choices: []*dg.ApplicationCommandOptionChoice{
					{Name: "default (thread for mentions, reply for /ask)", Value: "default"},
					{Name: "thread", Value: "thread"},
					{Name: "reply in the channel", Value: "reply"},
					{Name: "only the member who asked (/ask)", Value: "ephemeral"},
				}},
			{Type: dg.ApplicationCommandOptionString, Name: "mention_channels", MaxLength: 1000,
				Description: "Channels where footnote answers mentions: all, or #channels"},
			{Type: dg.ApplicationCommandOptionBoolean, Name: "members_add", Description: "May every member /add articles?"},
			{Type: dg.ApplicationCommandOptionString, Name: "gone_pages", Description: "When an article's page is gone (404 or 410)",
				Choices: []*dg.ApplicationCommandOptionChoice{
					{Name: "keep it, marked no longer online (default)", Value: "mark"},
					{Name: "remove it", Value: "remove"},
				}},
		},
	}
}
