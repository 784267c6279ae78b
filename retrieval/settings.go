package retrieval

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// AnswerMode is where a server's answers go.
type AnswerMode string

// Answer modes. The zero value keeps what footnote always did.
const (
	// AnswerDefault: /ask replies in the channel, a mention opens a thread.
	AnswerDefault AnswerMode = ""
	// AnswerThread: a mention opens a thread; /ask replies in the channel (an interaction's
	// reply cannot itself be a thread).
	AnswerThread AnswerMode = "thread"
	// AnswerReply: answers are replies in the channel; mentions open no thread.
	AnswerReply AnswerMode = "reply"
	// AnswerEphemeral: /ask answers only the member who asked; a mention, which cannot be
	// answered privately, is answered as a reply.
	AnswerEphemeral AnswerMode = "ephemeral"
)

// GonePages is what footnote does with an article whose page now answers 404 or 410.
type GonePages string

// What to do with a page that is gone. The zero value is the default.
const (
	// GoneMark keeps the article: it is still searched and cited, marked "no longer
	// online", and still recrawled in case the page comes back.
	GoneMark GonePages = ""
	// GoneRemove deletes the article, its passages and vectors.
	GoneRemove GonePages = "remove"
)

// maxMentionChannels bounds the channel list: enough for any real server's Q&A channels,
// small enough that the list stays readable in /settings.
const maxMentionChannels = 25

// GuildSettings are one server's choices, set by its admins.
type GuildSettings struct {
	// AdminRole is a role id whose members count as admins; "" leaves the operator's
	// default (FOOTNOTE_ADMIN_ROLE).
	AdminRole string
	// AnswerMode is where answers go.
	AnswerMode AnswerMode
	// MentionChannels are the channel ids where footnote answers mentions; nil means all.
	MentionChannels []string
	// MembersAdd says whether members without admin rights may add articles.
	MembersAdd bool
	// GonePages is what a recrawl does with an article whose page answers 404 or 410.
	GonePages GonePages
}

// DefaultGuildSettings are the settings of a server whose admins have chosen nothing.
func DefaultGuildSettings() GuildSettings { return GuildSettings{MembersAdd: true} }

// MentionsAllowedIn reports whether footnote answers mentions in channel.
func (g GuildSettings) MentionsAllowedIn(channel string) bool {
	return g.MentionChannels == nil || slices.Contains(g.MentionChannels, channel)
}

// SettingsUpdate changes some of a server's settings: nil fields are left as they are.
type SettingsUpdate struct {
	AdminRole       *string     // "" restores the default
	AnswerMode      *AnswerMode // AnswerDefault restores the default
	MentionChannels *[]string   // nil slice inside: all channels
	MembersAdd      *bool       // whether members without admin rights may add articles
	GonePages       *GonePages  // what a recrawl does with a page that is gone
	By              string      // who changed them (a Discord user id)
}

// GuildSettings returns coll's settings, the defaults when its admins chose nothing. It
// fails only on a database error.
func (e *Engine) GuildSettings(ctx context.Context, coll string) (GuildSettings, error) {
	return e.store.selectSettings(ctx, coll)
}

// UpdateGuildSettings applies u to coll's settings and returns the result. It returns
// ErrInvalidInput for an unknown answer mode or gone-page choice, an id that is not a Discord id, or too many
// channels, and otherwise fails only on a database error.
func (e *Engine) UpdateGuildSettings(ctx context.Context, coll string, u SettingsUpdate) (GuildSettings, error) {
	g, err := e.store.selectSettings(ctx, coll)
	if err != nil {
		return g, err
	}
	if u.AdminRole != nil {
		role := strings.TrimSpace(*u.AdminRole)
		if role != "" && !IsDiscordID(role) {
			return g, fmt.Errorf("admin role %q: %w", role, ErrInvalidInput)
		}
		g.AdminRole = role
	}
	if u.AnswerMode != nil {
		switch m := *u.AnswerMode; m {
		case AnswerDefault, AnswerThread, AnswerReply, AnswerEphemeral:
			g.AnswerMode = m
		default:
			return g, fmt.Errorf("answer mode %q: %w", m, ErrInvalidInput)
		}
	}
	if u.MentionChannels != nil {
		chs := *u.MentionChannels
		if chs != nil {
			if len(chs) == 0 || len(chs) > maxMentionChannels {
				return g, fmt.Errorf("%d channels (1 to %d): %w", len(chs), maxMentionChannels, ErrInvalidInput)
			}
			for _, c := range chs {
				if !IsDiscordID(c) {
					return g, fmt.Errorf("channel %q: %w", c, ErrInvalidInput)
				}
			}
			chs = slices.Compact(slices.Sorted(slices.Values(chs)))
		}
		g.MentionChannels = chs
	}
	if u.MembersAdd != nil {
		g.MembersAdd = *u.MembersAdd
	}
	if u.GonePages != nil {
		switch v := *u.GonePages; v {
		case GoneMark, GoneRemove:
			g.GonePages = v
		default:
			return g, fmt.Errorf("gone pages %q: %w", v, ErrInvalidInput)
		}
	}
	return g, e.store.upsertSettings(ctx, coll, g, u.By)
}

// IsDiscordID reports whether s is a Discord id (a snowflake): 1 to 20 decimal digits.
func IsDiscordID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
