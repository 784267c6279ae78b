package bot

import (
	"context"
	"fmt"
	"strconv"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// request is one command, button, menu choice or mention, the same whichever transport
// brought it.
type request struct {
	kind       string // command name, or "passage", "feedback", "page", "mention": metrics and logs
	guildID    string // the collection; "" in direct messages
	channelID  string
	userID     string
	perms      int64    // the member's permissions in the channel
	appPerms   int64    // footnote's own permissions in the channel (interactions: app_permissions)
	roles      []string // the member's role ids
	console    bool     // typed in the console, by the operator
	locale     string   // the member's Discord language ("de", "en-US"); "" when unknown
	appID      string   // the application the interaction is for
	commandID  string   // the slash command's id, for its permission overrides
	opts       map[string]string
	attachment *dg.MessageAttachment
	since      time.Time // /ask's since:, parsed once by prepareAsk (zero: none)
	values     []string  // menu choices
	reply      replier
	ack        ackKind
	start      time.Time
}

// lang is the language of the text footnote writes for the request's member.
func (r *request) lang() lang { return langOf(r.locale) }

// plan says how to run a request.
type plan struct {
	prepare func(*request) error // checks without I/O, before acknowledging; may be nil
	admin   bool                 // admins only, checked by footnote itself
	needs   int64                // footnote's own channel permissions the work needs (perms.go); 0: none, as for every command today (see command.needs)
	// overrides: members the server's command-permission overrides admit count as admins
	overrides bool
	limited   bool    // counts against the member's rate limit
	ack       ackKind // ackPublic, ackEphemeral or ackUpdate
	run       func(context.Context, *request) error
}

// handleInteraction routes one interaction from either transport. initial sends the
// interaction's first response (nil: Discord's callback endpoint, as the gateway needs). It
// returns once the interaction is acknowledged (or refused); the work goes on in the pool.
func (b *Bot) handleInteraction(ctx context.Context, i *dg.Interaction, initial initialFunc) {
	r := b.newRequest(i, initial)
	// The work after acknowledging recovers in the pool (pool.start); this covers what runs
	// before it, where a panic would otherwise end the process.
	defer func() {
		if v := recover(); v != nil {
			b.finish(ctx, r, fmt.Errorf("panic handling interaction %s: %v", i.ID, v))
		}
	}()
	switch i.Type {
	case dg.InteractionApplicationCommand:
		b.dispatchCommand(ctx, r, i.ApplicationCommandData())
	case dg.InteractionMessageComponent:
		b.dispatchComponent(ctx, r, i.MessageComponentData())
	case dg.InteractionApplicationCommandAutocomplete:
		b.autocomplete(ctx, r, i)
	case dg.InteractionModalSubmit:
		d, ok := i.Data.(modalSubmit) // decodeInteraction's
		if !ok {
			b.log.Warn("modal submission not decoded by footnote; ignored", "interaction_id", i.ID)
			return
		}
		b.dispatchModal(ctx, r, d)
	default:
		b.log.Debug("interaction ignored", "interaction_type", int(i.Type), "interaction_id", i.ID)
	}
}

func (b *Bot) newRequest(i *dg.Interaction, initial initialFunc) *request {
	r := &request{
		guildID:   i.GuildID,
		channelID: i.ChannelID,
		locale:    string(i.Locale),
		appID:     i.AppID,
		reply:     newInteractionReplier(b.session, i, initial),
		appPerms:  i.AppPermissions,
		start:     b.now(),
	}
	switch {
	case i.Member != nil:
		r.perms, r.roles = i.Member.Permissions, i.Member.Roles
		if i.Member.User != nil {
			r.userID = i.Member.User.ID
		}
	case i.User != nil:
		r.userID = i.User.ID
	}
	if !isSnowflake(r.guildID) {
		r.guildID = "" // not a guild: refused like a direct message
	}
	return r
}

func (b *Bot) dispatchCommand(ctx context.Context, r *request, d dg.ApplicationCommandInteractionData) {
	cmd, ok := b.commands[d.Name]
	if !ok {
		r.kind = "unknown"
		b.finish(ctx, r, errUnknownCommand)
		return
	}
	r.kind, r.commandID = cmd.name, d.ID
	r.opts, r.attachment = commandOptions(d)
	if d.CommandType == dg.MessageApplicationCommand {
		r.opts["message"] = targetContent(d) // context menus: contextmenu.go
	}
	p := plan{prepare: cmd.prepare, admin: cmd.admin, needs: cmd.needs, overrides: cmd.overrides, limited: true, ack: cmd.ack, run: cmd.run}
	b.applySettings(ctx, r, &p)
	b.admit(ctx, r, p)
}

// commandOptions flattens a command's options into strings by name, with the attachment
// (if any) resolved. A value of another JSON type than its option's declares is left out:
// discordgo's StringValue, IntValue and BoolValue would panic on it (found by
// FuzzInteraction).
func commandOptions(d dg.ApplicationCommandInteractionData) (map[string]string, *dg.MessageAttachment) {
	opts := make(map[string]string, len(d.Options))
	var att *dg.MessageAttachment
	for _, o := range d.Options {
		switch o.Type {
		case dg.ApplicationCommandOptionString:
			opts[o.Name], _ = o.Value.(string)
		case dg.ApplicationCommandOptionInteger:
			if v, ok := o.Value.(float64); ok {
				opts[o.Name] = strconv.FormatInt(int64(v), 10)
			}
		case dg.ApplicationCommandOptionBoolean:
			if v, ok := o.Value.(bool); ok {
				opts[o.Name] = strconv.FormatBool(v)
			}
		case dg.ApplicationCommandOptionRole, dg.ApplicationCommandOptionChannel:
			opts[o.Name], _ = o.Value.(string)
		case dg.ApplicationCommandOptionAttachment:
			id, _ := o.Value.(string)
			opts[o.Name] = id
			if d.Resolved != nil {
				att = d.Resolved.Attachments[id]
			}
		}
	}
	return opts, att
}

// admit runs the quick checks, takes a place in the pool, acknowledges the request and
// starts its work. Whatever fails before the work starts is answered at once.
func (b *Bot) admit(ctx context.Context, r *request, p plan) {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	if err := b.check(ctx, r, p); err != nil {
		b.finish(ctx, r, err)
		return
	}
	t, err := b.pool.reserve(r.guildID)
	if err != nil {
		b.finish(ctx, r, err)
		return
	}
	if err := b.acknowledge(ctx, r, p.ack); err != nil {
		t.release()
		b.log.Warn("acknowledge failed", "command", r.kind, "guild_id", r.guildID, "err", err)
		b.metrics.interactions.WithLabelValues(r.kind, outcomeAckFailed).Inc()
		return
	}
	b.pool.start(t, r.start.Add(jobTimeout), func(ctx context.Context) {
		b.finish(ctx, r, p.run(ctx, r))
	}, func(ctx context.Context, v any) {
		b.finish(ctx, r, fmt.Errorf("panic in %s: %v", r.kind, v))
	}, func(ctx context.Context) {
		b.finish(ctx, r, fmt.Errorf("%s dropped from the queue: %w", r.kind, ctx.Err()))
	})
}

// check refuses direct messages, work footnote lacks the channel permissions for, invalid
// input, non-admins where admins are needed, and members over their rate limit, in that order.
func (b *Bot) check(ctx context.Context, r *request, p plan) error {
	if r.guildID == "" {
		return errDM
	}
	if p.needs != 0 && !r.console {
		if err := lacking(r.appPerms, p.needs); err != nil {
			return err
		}
	}
	if p.prepare != nil {
		if err := p.prepare(r); err != nil {
			return err
		}
	}
	if p.admin && !b.isAdmin(ctx, r) && !(p.overrides && b.grantedByOverrides(ctx, r)) {
		return errNotAdmin
	}
	if p.limited && !r.console {
		return b.rate.allow(r.guildID+"/"+r.userID, b.now())
	}
	return nil
}

func (b *Bot) acknowledge(ctx context.Context, r *request, kind ackKind) error {
	var err error
	switch kind {
	case ackUpdate:
		err = r.reply.deferUpdate(ctx)
	case ackEphemeral:
		err = r.reply.deferReply(ctx, true)
	default:
		kind = ackPublic
		err = r.reply.deferReply(ctx, false)
	}
	if err == nil {
		r.ack = kind
	}
	return err
}

// finish reports err (if any) to the member, and counts and logs the request.
func (b *Bot) finish(ctx context.Context, r *request, err error) {
	outcome := outcomeOK
	if err != nil {
		// The job's context may be over; the member still deserves an answer.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		outcome = b.fail(ctx, r, err)
	}
	b.metrics.interactions.WithLabelValues(r.kind, outcome).Inc()
	b.log.Info("request done", "command", r.kind, "guild_id", r.guildID, "user_id", r.userID,
		"outcome", outcome, "took_ms", b.now().Sub(r.start).Milliseconds())
}

// isSnowflake reports whether s is a Discord id: 1 to 20 decimal digits.
func isSnowflake(s string) bool { return retrieval.IsDiscordID(s) }
