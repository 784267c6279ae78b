package bot

import (
	"errors"

	dg "github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// closeDisallowedIntents is the gateway's close code for a privileged intent the
// application has not been granted in the developer portal.
const closeDisallowedIntents = 4014

// openGateway opens the session with gatewayIntents. When Discord refuses them because the
// Message Content intent is not enabled (close 4014), it opens again without that intent,
// logging once what the intent would add: slash commands, buttons, context menus and
// mentions (whose messages still carry their text) keep working. It returns the error of
// the last attempt.
func (b *Bot) openGateway() error {
	err := b.session.Open()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != closeDisallowedIntents ||
		b.session.Identify.Intents&dg.IntentsMessageContent == 0 {
		return err
	}
	b.session.Identify.Intents &^= dg.IntentsMessageContent
	b.log.Warn("the Message Content intent is not enabled, so footnote runs without it: " +
		"follow-ups typed in its threads without an @mention arrive empty and are not answered. " +
		"Slash commands, buttons, context menus and @mentions work. To answer follow-ups, turn on " +
		"Message Content under Bot → Privileged Gateway Intents in the developer portal and restart")
	return b.session.Open()
}
