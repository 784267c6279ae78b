package bot

import (
	"context"
	"errors"
	"fmt"

	dg "github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"
)

// gatewayIntents are the events footnote asks the gateway for, and no more:
//   - Guilds: guild, channel and thread state, so that a message can be recognised as being
//     in a thread footnote opened, and the admin role can be found by name;
//   - GuildMessages: messages in guild channels and threads, for @mentions and follow-ups;
//   - MessageContent (privileged: turn it on under Bot → Privileged Gateway Intents in the
//     developer portal): without it Discord blanks the text of messages that do not mention
//     the bot, so a follow-up typed in footnote's thread without a mention would arrive
//     empty. Slash commands, buttons and mentions work without it, and when Discord refuses
//     it (close 4014), at the first connection or a later one, footnote connects without it
//     (openGateway, intents.go).
//
// No DirectMessages: footnote refuses direct messages, and a slash command used in a DM
// still arrives as an interaction, which is answered with the refusal.
const gatewayIntents = dg.IntentsGuilds | dg.IntentsGuildMessages | dg.IntentsMessageContent

// RunGateway connects to the Discord gateway (shard cfg.ShardID of cfg.ShardCount, the URL
// from GET /gateway on the API base) and serves interactions and mentions until ctx is done
// or Close is called. When the connection drops it connects again (gatewayconn.go). When
// ctx ends, in-flight answers get cfg.ShutdownGrace to finish (new requests are told to
// retry), then the rest are cancelled and told to retry, and the session closes. It returns
// an error when the first connection cannot be opened (a rejected token or intent is
// explained) or when cancelled work was still running at the end (see Close).
func (b *Bot) RunGateway(ctx context.Context) error {
	if b.cfg.Token == "" {
		return errors.New("bot: the gateway needs a bot token (DISCORD_TOKEN)")
	}
	b.mu.Lock()
	if b.gateway {
		b.mu.Unlock()
		return errors.New("bot: gateway already running")
	}
	b.gateway = true
	b.mu.Unlock()
	if err := b.openGateway(); err != nil {
		b.mu.Lock()
		b.gateway = false
		b.mu.Unlock()
		return fmt.Errorf("bot: open gateway: %w", explainGatewayError(err))
	}
	b.log.Info("gateway open", "shard_id", b.cfg.ShardID, "shard_count", b.cfg.ShardCount)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-b.conn.drops:
			b.mu.Lock()
			closed := !b.gateway // Close closed it
			b.mu.Unlock()
			if closed {
				done = true
				break
			}
			b.log.Info("gateway connection closed; reconnecting", "shard_id", b.cfg.ShardID)
			b.reconnectGateway(ctx)
		}
	}

	grace, cancel := b.withGrace(context.WithoutCancel(ctx))
	defer cancel()
	err := b.stop(grace)
	b.log.Info("gateway closed", "shard_id", b.cfg.ShardID)
	return err
}

// explainGatewayError adds what to do to the gateway's close codes an operator can fix.
func explainGatewayError(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Code {
	case 4004:
		return fmt.Errorf("%w (Discord rejected the token: check DISCORD_TOKEN)", err)
	case 4013, closeDisallowedIntents:
		return fmt.Errorf("%w (Discord refused the intents: turn on the Message Content intent "+
			"under Bot → Privileged Gateway Intents in the developer portal)", err)
	case 4010, 4011:
		return fmt.Errorf("%w (check FOOTNOTE_SHARD_ID and FOOTNOTE_SHARD_COUNT; Discord asks for more shards)", err)
	}
	return err
}

func (b *Bot) onReady(_ *dg.Session, r *dg.Ready) {
	b.guildsReady(r.Guilds)
	if r.User != nil {
		b.mu.Lock()
		b.botUserID = r.User.ID
		b.mu.Unlock()
	}
	b.log.Info("gateway ready", "shard_id", b.cfg.ShardID, "guilds", len(r.Guilds))
}

// onInteraction handles an INTERACTION_CREATE from its raw data (onRawEvent), decoded as
// an interaction over HTTP is: discordgo's own decoding fails on modal submissions made of
// Labels (modalcomponents.go).
func (b *Bot) onInteraction(raw []byte) {
	i, err := decodeInteraction(raw)
	if err != nil {
		b.log.Warn("interaction from the gateway not understood", "err", err)
		return
	}
	b.handleInteraction(context.Background(), i, nil)
}

// selfID returns the bot's user id, "" before READY.
func (b *Bot) selfID() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.botUserID
}

// gatewayHealthy reports whether the gateway is up, or true when it is not in use.
func (b *Bot) gatewayHealthy() bool {
	b.mu.Lock()
	s := b.conn.session
	if !b.gateway {
		s = nil
	}
	b.mu.Unlock()
	if s == nil {
		return true
	}
	s.RLock()
	defer s.RUnlock()
	return s.DataReady
}
