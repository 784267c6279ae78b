package bot

import (
	"context"
	"errors"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// footnote reconnects the gateway itself instead of leaving it to discordgo. discordgo
// v0.29 retries a dropped connection forever on the same session, resuming it; when
// Discord answers a resume with "invalid session", discordgo identifies again from inside
// its reader, and a refusal of that identify (close 4014: the Message Content intent was
// withdrawn in the developer portal) is only logged, so the retries never end. Here each
// connection is a new session that identifies, and openGateway sees the identify's answer,
// so that a 4014 is handled at any connection, not only the first. The price is that
// events sent while the connection is down are not replayed (a resume would replay them):
// a mention in those seconds goes unanswered. A session is also never reused after it
// drops, which keeps a late close from a dropped connection's goroutines (discordgo closes
// twice when its reader and its heartbeat both notice) away from the next connection.

// gatewayConn is the gateway's connection state, guarded by Bot.mu.
type gatewayConn struct {
	session *dg.Session // the current gateway session; nil before RunGateway
	intents dg.Intent   // what the next identify asks for
	dropped bool        // the current session's connection has closed (its first Disconnect)
	// drops receives a value when the current session's connection closes.
	drops chan struct{}
}

const (
	// firstReconnectWait is the pause after a failed reconnect, doubled after each failure
	// up to maxReconnectWait. Shorter retries sooner after a blip; longer spares Discord's
	// identify limit (1,000 a day) during an outage.
	firstReconnectWait = time.Second
	maxReconnectWait   = 5 * time.Minute
)

// errGatewayClosed is a reconnect attempted after the bot closed its gateway.
var errGatewayClosed = errors.New("bot: gateway closed")

// newGatewaySession makes a new session the current gateway session and returns it. It
// shares the REST session's state (channels, threads, roles) and settings, asks for the
// current intents, and never reconnects by itself. The session it replaces is closed (it
// has dropped, or never opened). After the gateway is closed it returns errGatewayClosed.
func (b *Bot) newGatewaySession() (*dg.Session, error) {
	s, err := b.newSession()
	if err != nil {
		return nil, err
	}
	s.State = b.session.State
	s.SyncEvents = b.session.SyncEvents
	s.ShouldReconnectOnError = false // RunGateway does it
	s.AddHandler(b.onReady)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onMessageCreate)
	s.AddHandler(b.onRawEvent) // INTERACTION_CREATE too (onInteraction)
	s.AddHandler(b.onGuildCreate)
	s.AddHandler(b.onGuildDelete)
	b.mu.Lock()
	if !b.gateway { // closed (Close, or RunGateway's end) while reconnecting
		b.mu.Unlock()
		return nil, errGatewayClosed
	}
	old := b.conn.session
	s.Identify.Intents = b.conn.intents
	b.conn.session, b.conn.dropped = s, false
	b.mu.Unlock()
	if old != nil {
		_ = old.Close() // its Disconnect is not the current session's, and is ignored
	}
	return s, nil
}

// onDisconnect tells RunGateway, once per session, that the current connection closed.
// It never blocks: one pending drop is enough to reconnect. From then until the next
// connection's READY the servers footnote is in are unknown (reconcile.go): a server that
// adds footnote meanwhile sends nothing this process would see.
func (b *Bot) onDisconnect(s *dg.Session, _ *dg.Disconnect) {
	b.mu.Lock()
	first := s == b.conn.session && !b.conn.dropped
	if first {
		b.conn.dropped = true
		b.guilds.known = false
	}
	b.mu.Unlock()
	if !first {
		return
	}
	select {
	case b.conn.drops <- struct{}{}:
	default:
	}
}

// reconnectGateway opens a new gateway connection after a drop, until one opens or ctx
// ends. Failures are logged and retried with growing pauses.
func (b *Bot) reconnectGateway(ctx context.Context) {
	wait := firstReconnectWait
	for {
		err := b.openGateway()
		if err == nil || errors.Is(err, dg.ErrWSAlreadyOpen) {
			b.log.Info("gateway reconnected", "shard_id", b.cfg.ShardID)
			return
		}
		if ctx.Err() != nil || errors.Is(err, errGatewayClosed) {
			return
		}
		b.log.Warn("gateway reconnect failed; retrying", "shard_id", b.cfg.ShardID, "err", explainGatewayError(err),
			"retry_in", wait.String())
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, maxReconnectWait)
	}
}
