package bot

import (
	"context"
	"errors"
	"net/http"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// message is one message footnote sends, whatever carries it.
type message struct {
	content    string
	embeds     []*dg.MessageEmbed
	components []dg.MessageComponent
	ephemeral  bool
}

// noMentions is put on every message: an empty (not nil) parse list, so that an article or
// a question containing @everyone, a role or a user pings nobody.
func noMentions() *dg.MessageAllowedMentions {
	return &dg.MessageAllowedMentions{Parse: []dg.AllowedMentionType{}}
}

// replier is how a handler talks back: the interaction endpoints, a channel (mentions) or
// the console. Every method returns the transport's error.
type replier interface {
	// deferReply acknowledges at once with "thinking…"; the reply comes later through edit.
	deferReply(ctx context.Context, ephemeral bool) error
	// deferUpdate acknowledges a button or menu; edit then changes the message it was on.
	deferUpdate(ctx context.Context) error
	// respond answers at once with a message, instead of deferring.
	respond(ctx context.Context, m message) error
	// edit replaces the deferred reply.
	edit(ctx context.Context, m message) error
	// followup sends another message after the reply.
	followup(ctx context.Context, m message) error
	// remove deletes the deferred reply, so that an error can be shown ephemerally instead.
	remove(ctx context.Context) error
}

// ackKind is how a request was acknowledged; it decides how an error is shown.
type ackKind int

const (
	ackNone      ackKind = iota // not yet: respond
	ackPublic                   // deferred, visible to all: remove, then an ephemeral follow-up
	ackEphemeral                // deferred, ephemeral: edit
	ackUpdate                   // component deferred: an ephemeral follow-up
)

// initialFunc sends an interaction's first response.
type initialFunc func(ctx context.Context, resp *dg.InteractionResponse) error

// interactionReplier answers an interaction: its first response through initial (the HTTP
// response body for interactions received over HTTP) or, when initial is nil, Discord's
// callback endpoint (interactions from the gateway); edits and follow-ups through the REST
// API's interaction webhook.
type interactionReplier struct {
	s       *dg.Session
	i       *dg.Interaction
	initial initialFunc
	limits  *dg.RateLimiter // the interaction's own rate-limit buckets (interactionrest.go)
}

// ack sends the first response.
func (r *interactionReplier) ack(ctx context.Context, resp *dg.InteractionResponse) error {
	if r.initial != nil {
		return r.initial(ctx, resp)
	}
	return r.interactionRequest(ctx, "POST", dg.EndpointInteractionResponse(r.i.ID, r.i.Token), resp)
}

// unknownRetries bounds how often an edit or follow-up is retried while Discord does not
// know the interaction's response yet: a response sent in an HTTP body is processed by
// Discord after it reaches it, and a quick answer can overtake it.
const unknownRetries = 4

// retryUnknown runs call, and runs it again (with growing pauses) while Discord answers
// 404 for the interaction's webhook or message. It returns call's last error.
func retryUnknown(ctx context.Context, call func() error) error {
	wait := 150 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := call()
		var re *dg.RESTError
		if err == nil || attempt == unknownRetries || !errors.As(err, &re) || re.Response == nil ||
			re.Response.StatusCode != http.StatusNotFound {
			return err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
		wait *= 2
	}
}

func flags(ephemeral bool) dg.MessageFlags {
	if ephemeral {
		return dg.MessageFlagsEphemeral
	}
	return 0
}

// lists returns m's embeds and components, never nil, so that they encode as [] rather
// than null.
func (m message) lists() ([]*dg.MessageEmbed, []dg.MessageComponent) {
	e, c := m.embeds, m.components
	if e == nil {
		e = []*dg.MessageEmbed{}
	}
	if c == nil {
		c = []dg.MessageComponent{}
	}
	return e, c
}

func (r *interactionReplier) deferReply(ctx context.Context, ephemeral bool) error {
	return r.ack(ctx, &dg.InteractionResponse{
		Type: dg.InteractionResponseDeferredChannelMessageWithSource,
		Data: &dg.InteractionResponseData{Flags: flags(ephemeral)},
	})
}

func (r *interactionReplier) deferUpdate(ctx context.Context) error {
	return r.ack(ctx, &dg.InteractionResponse{Type: dg.InteractionResponseDeferredMessageUpdate})
}

func (r *interactionReplier) respond(ctx context.Context, m message) error {
	embeds, comps := m.lists()
	return r.ack(ctx, &dg.InteractionResponse{
		Type: dg.InteractionResponseChannelMessageWithSource,
		Data: &dg.InteractionResponseData{
			Content:         m.content,
			Embeds:          embeds,
			Components:      comps,
			AllowedMentions: noMentions(),
			Flags:           flags(m.ephemeral),
		},
	})
}

func (r *interactionReplier) edit(ctx context.Context, m message) error {
	content := m.content
	embeds, comps := m.lists()
	return retryUnknown(ctx, func() error {
		return r.interactionRequest(ctx, "PATCH", dg.EndpointInteractionResponseActions(r.i.AppID, r.i.Token), &dg.WebhookEdit{
			Content:         &content,
			Embeds:          &embeds,
			Components:      &comps,
			AllowedMentions: noMentions(),
		})
	})
}

func (r *interactionReplier) followup(ctx context.Context, m message) error {
	embeds, comps := m.lists()
	return retryUnknown(ctx, func() error {
		return r.interactionRequest(ctx, "POST", dg.EndpointFollowupMessage(r.i.AppID, r.i.Token)+"?wait=true", &dg.WebhookParams{
			Content:         m.content,
			Embeds:          embeds,
			Components:      comps,
			AllowedMentions: noMentions(),
			Flags:           flags(m.ephemeral),
		})
	})
}

func (r *interactionReplier) remove(ctx context.Context) error {
	return retryUnknown(ctx, func() error {
		return r.interactionRequest(ctx, "DELETE", dg.EndpointInteractionResponseActions(r.i.AppID, r.i.Token), nil)
	})
}

// channelReplier answers a mention with plain channel messages: nothing there is
// ephemeral, and there is nothing to acknowledge (the handler shows the typing indicator
// where the answer will go).
type channelReplier struct {
	s         *dg.Session
	channelID string
	// ref is the question being answered; the first message replies to it (it must be in
	// channelID). Replies never ping its author.
	ref *dg.MessageReference
}

func (r *channelReplier) deferReply(context.Context, bool) error { return nil }

func (r *channelReplier) deferUpdate(context.Context) error { return nil }

func (r *channelReplier) respond(ctx context.Context, m message) error { return r.send(ctx, m) }

func (r *channelReplier) edit(ctx context.Context, m message) error { return r.send(ctx, m) }

func (r *channelReplier) followup(ctx context.Context, m message) error { return r.send(ctx, m) }

func (r *channelReplier) remove(context.Context) error { return nil }

func (r *channelReplier) send(ctx context.Context, m message) error {
	embeds, comps := m.lists()
	ms := &dg.MessageSend{
		Content:         m.content,
		Embeds:          embeds,
		Components:      comps,
		AllowedMentions: noMentions(),
		StickerIDs:      []string{},
	}
	if r.ref != nil {
		ms.Reference = r.ref
		r.ref = nil // only the first message replies
	}
	_, err := r.s.ChannelMessageSendComplex(r.channelID, ms, dg.WithContext(ctx))
	return err
}
