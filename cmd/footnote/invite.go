package main

import (
	"context"
	"fmt"

	"github.com/footnote-bot/footnote/bot"
)

// cmdInvite prints the link that adds footnote to a server, with the permissions footnote
// checks (bot.InvitePermissions). The application id comes from DISCORD_APP_ID, or else is
// asked of Discord with DISCORD_TOKEN, as command registration does. It needs no database.
func (m *Main) cmdInvite(ctx context.Context, args []string) error {
	fs, _ := m.newFlags("invite", false)
	if pos, err := m.parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return m.usageError("invite")
	}
	c := m.Config
	appID, err := bot.ApplicationID(ctx, bot.Config{Token: c.DiscordToken, AppID: c.DiscordAppID, APIBase: c.DiscordAPIBase})
	if err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, bot.InviteURL(appID))
	return nil
}
