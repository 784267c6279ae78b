package bot

import (
	"errors"

	dg "github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// closeDisallowedIntents is the gateway's close code for a privileged intent the
// application has not been granted in the developer portal.
const closeDisallowedIntents = 4014

// disallowedIntents reports whether err is the gateway closing with 4014.
func disallowedIntents(err error) bool {
	var ce *websocket.CloseError
	return errors.As(err, &ce) && ce.Code == closeDisallowedIntents
}

// openGateway opens a gateway connection on a new session. When Discord refuses the
// intents because the Message Content intent is not granted (close 4014), at the first
// connection or at any later one, it drops that intent for good, logs once what the intent
// would add, and identifies again without it: slash commands, buttons, context menus and
// mentions (whose messages still carry their text) keep working. It returns the last
// attempt's error.
func (b *Bot) openGateway() error {
	s, err := b.newGatewaySession()
	if err != nil {
		return err
	}
	err = s.Open()
	if !disallowedIntents(err) || s.Identify.Intents&dg.IntentsMessageContent == 0 {
		return err
	}
	b.dropMessageContent()
	if s, err = b.newGatewaySession(); err != nil {
		return err
	}
	return s.Open()
}

// dropMessageContent stops asking for the Message Content intent and says, once, what
// footnote does without it.
func (b *Bot) dropMessageContent() {
	b.mu.Lock()
	had := b.conn.intents&dg.IntentsMessageContent != 0
	b.conn.intents &^= dg.IntentsMessageContent
	b.mu.Unlock()
	if !had {
		return
	}
	b.log.Warn("the Message Content intent is not enabled, so footnote runs without it: " +
		"follow-ups typed in its threads without an @mention arrive empty and are not answered. " +
		"Slash commands, buttons, context menus and @mentions work. To answer follow-ups, turn on " +
		"Message Content under Bot → Privileged Gateway Intents in the developer portal and restart")
}
