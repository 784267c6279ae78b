package bot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// InviteURL is the link that adds footnote to a server: the bot and its slash commands
// (scopes bot and applications.commands) with InvitePermissions.
func InviteURL(appID string) string {
	return "https://discord.com/oauth2/authorize?client_id=" + url.QueryEscape(appID) +
		"&scope=bot%20applications.commands&permissions=" + strconv.FormatInt(InvitePermissions, 10)
}

// AppID returns the application id: cfg.AppID (DISCORD_APP_ID) when set, else the token's
// application as Discord reports it. It returns an error when neither is available, the
// token is rejected (one naming DISCORD_TOKEN and how to get a new one), or Discord cannot
// be asked.
func (b *Bot) AppID(_ context.Context) (string, error) {
	if b.cfg.AppID != "" {
		return b.cfg.AppID, nil
	}
	if b.cfg.Token == "" {
		return "", errors.New("bot: the application id needs DISCORD_APP_ID or a bot token (DISCORD_TOKEN)")
	}
	app, err := b.session.Application("@me")
	if rejected(err) {
		return "", errTokenRejected
	}
	if err != nil {
		return "", fmt.Errorf("bot: find the bot's application (or set DISCORD_APP_ID): %w", err)
	}
	return app.ID, nil
}

// ApplicationID is Bot.AppID without a Bot, for commands that only need the id (the invite
// link): it uses cfg's Token, AppID, APIBase and HTTPClient, and fails as AppID does.
func ApplicationID(ctx context.Context, cfg Config) (string, error) {
	b := &Bot{cfg: cfg}
	s, err := b.newSession()
	if err != nil {
		return "", err
	}
	b.session = s
	return b.AppID(ctx)
}
