package bot

import (
	"context"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// footnote reconnects the gateway itself instead of leaving it to discordgo. discordgo
// v0.29 retries a dropped connection forever on the same session, resuming it, and when
// Discord answers a resume with "invalid session" it identifies again from inside its own
// reader: a refusal of that identify (close 4014, the Message Content intent withdrawn in
// the developer portal) is only logged, and the retries never end. Here a dropped
// connection is resumed, and a connection that dropped before it was ready (READY or
// RESUMED) is replaced by a new session whose identify footnote sees answered, so that a
// 4014 is handled at any connection, not only the first (openGateway).

// gatewayConn is the gateway's connection state, guarded by Bot.mu.
type gatewayConn struct {
	session *dg.Session // the current gateway session; nil before RunGateway
	intents dg.Intent   // what the next identify asks for
	ready   bool        // the current connection has seen READY or RESUMED
	// dropped receives, when the current connection closes, whether it had been ready.
	dropped chan bool
}

const (
	// firstReconnectWait is the pause after a failed reconnect, doubled after each failure
	// up to maxReconnectWait. Shorter retries sooner after a blip; longer spares Discord's
	// identify limit (1,000 a day) during an outage.
	firstReconnectWait = time.Second
	maxReconnectWait   = 5 * time.Minute
)

// gatewaySession returns the session to open: the current one, or a new one when fresh is
// set or there is none. A new session shares the REST session's state (channels, threads,
// roles) and settings, asks for the current intents, and never reconnects by itself.
func (b *Bot) gatewaySession(fresh bool) (*dg.Session, error) {
	b.mu.Lock()
	s, intents := b.conn.session, b.conn.intents
	b.mu.Unlock()
	if s != nil && !fresh {
		return s, nil
	}
	s, err := b.newSession()
	if err != nil {
		return nil, err
	}
	s.State = b.session.State
	s.SyncEvents = b.session.SyncEvents
	s.Identify.Intents = intents
	s.ShouldReconnectOnError = false // reconnectGateway does it
	s.AddHandler(b.onReady)
	s.AddHandler(b.onResumed)
	s.AddHandler(b.onDisconnect)
	s.AddHandler(b.onInteractionCreate)
	s.AddHandler(b.onMessageCreate)
	s.AddHandler(b.onRawEvent)
	s.AddHandler(b.onGuildCreate)
	s.AddHandler(b.onGuildDelete)
	b.mu.Lock()
	b.conn.session, b.conn.ready = s, false
	b.mu.Unlock()
	return s, nil
}

// current reports whether s is the gateway session in use.
func (b *Bot) current(s *dg.Session) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return s == b.conn.session
}

func (b *Bot) onResumed(s *dg.Session, _ *dg.Resumed) { b.markReady(s) }

// markReady notes that s's connection is ready.
func (b *Bot) markReady(s *dg.Session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s == b.conn.session {
		b.conn.ready = true
	}
}

// onDisconnect tells RunGateway that the current connection closed, and whether it had
// been ready. It never blocks: one pending drop is enough to reconnect.
func (b *Bot) onDisconnect(s *dg.Session, _ *dg.Disconnect) {
	b.mu.Lock()
	if s != b.conn.session {
		b.mu.Unlock()
		return
	}
	ready := b.conn.ready
	b.conn.ready = false
	b.mu.Unlock()
	select {
	case b.conn.dropped <- ready:
	default:
	}
}

// reconnectGateway opens the gateway again after a drop, until it succeeds or ctx ends:
// resuming when the dropped connection had been ready, else identifying on a new session
// (see the top of this file). Failures are logged and retried with growing pauses.
func (b *Bot) reconnectGateway(ctx context.Context, wasReady bool) {
	wait := firstReconnectWait
	for {
		err := b.openGateway(!wasReady)
		if err == nil {
			b.log.Info("gateway reconnected", "shard_id", b.cfg.ShardID, "resumed", wasReady)
			return
		}
		if ctx.Err() != nil {
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
