package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	dg "github.com/bwmarrin/discordgo"
)

// command is one slash command: how to check it, acknowledge it and run it.
type command struct {
	name  string
	ack   ackKind // ackPublic or ackEphemeral: who sees the reply
	admin bool    // admins only, checked by footnote as well as by Discord
	// needs is footnote's own channel permissions the command's work needs beyond its
	// interaction replies (which need none): checked from app_permissions before acknowledging.
	// No slash command sets it today: every one answers through its interaction's webhook,
	// which needs no channel permission. A command that acts in the channel itself would:
	// one that opens a thread (Create Public Threads, Send Messages in Threads), posts an
	// ordinary channel message, reacts (Add Reactions) or reads history (Read Message History).
	needs int64
	// overrides: a member the server's own command permissions let run it counts as an admin
	overrides bool
	prepare   func(*request) error // checks without I/O before acknowledging; may be nil
	run       func(context.Context, *request) error
}

// commandTable lists the slash commands by name.
func (b *Bot) commandTable() map[string]*command {
	cmds := []*command{
		{name: "ask", ack: ackPublic, prepare: b.prepareAsk, run: b.runAsk},
		{name: "add", ack: ackPublic, prepare: b.prepareAdd, run: b.runAdd},
		{name: "articles", ack: ackEphemeral, prepare: b.prepareArticles, run: b.runArticles},
		{name: "remove", ack: ackEphemeral, prepare: b.prepareRemove, run: b.runRemove},
		{name: "reindex", ack: b.reindexAck(), admin: true, overrides: true, run: b.runReindex},
		{name: "help", ack: ackEphemeral, run: b.runHelp},
		{name: askMessageCommand, ack: ackEphemeral, prepare: b.prepareAskMessage, run: b.runAskMessage},
		{name: addLinksCommand, ack: ackPublic, prepare: b.prepareAddLinks, run: b.runAddLinks},
		{name: "settings", ack: ackEphemeral, admin: true, prepare: b.prepareSettings, run: b.runSettings},
		{name: "track", ack: ackEphemeral, prepare: b.prepareTrack, run: b.runTrack},
		{name: "feeds", ack: ackEphemeral, run: b.runFeeds},
		{name: "gaps", ack: ackEphemeral, admin: true, run: b.runGaps},
		{name: "untrack", ack: ackEphemeral, prepare: b.prepareUntrack, run: b.runUntrack},
	}
	m := make(map[string]*command, len(cmds))
	for _, c := range cmds {
		m[c.name] = c
	}
	return m
}

// applicationCommands is the command set registered with Discord. All commands are for
// guilds only; /reindex is hidden from members without Manage Server by default (footnote
// checks again when it runs, since server admins can change who sees it).
func (b *Bot) applicationCommands() []*dg.ApplicationCommand {
	guildOnly := &[]dg.InteractionContextType{dg.InteractionContextGuild}
	guildInstall := &[]dg.ApplicationIntegrationType{dg.ApplicationIntegrationGuildInstall}
	manageServer := int64(dg.PermissionManageGuild)
	one, minPage := 1, 1.0
	cmds := []*dg.ApplicationCommand{
		{
			Name:        "ask",
			Description: "Ask about the articles this server tracks; the answer quotes them",
			Options: []*dg.ApplicationCommandOption{
				{Type: dg.ApplicationCommandOptionString, Name: "question", Description: "Your question",
					Required: true, MinLength: &one, MaxLength: b.cfg.MaxQuestionLen},
				{Type: dg.ApplicationCommandOptionString, Name: "since",
					Description: "Only articles published on or after this date (YYYY-MM-DD)", MaxLength: 10},
				{Type: dg.ApplicationCommandOptionString, Name: "source",
					Description: "Only articles from this site, e.g. apnews.com", MaxLength: 200, Autocomplete: true},
			},
		},
		{
			Name:        "add",
			Description: "Track an article: give its link or upload it (.txt, .md, .html)",
			Options: []*dg.ApplicationCommandOption{
				{Type: dg.ApplicationCommandOptionString, Name: "url", Description: "The article's link", MaxLength: 2000},
				{Type: dg.ApplicationCommandOptionAttachment, Name: "file", Description: "The article as a .txt, .md or .html file"},
			},
		},
		{
			Name:        "articles",
			Description: "List the articles this server tracks, newest first",
			Options: []*dg.ApplicationCommandOption{
				{Type: dg.ApplicationCommandOptionString, Name: "query", Description: "Only titles or links containing this",
					MaxLength: maxListQuery, Autocomplete: true},
				{Type: dg.ApplicationCommandOptionInteger, Name: "page", Description: "Page number", MinValue: &minPage},
			},
		},
		{
			Name:        "remove",
			Description: "Stop tracking an article you added (admins: any article)",
			Options: []*dg.ApplicationCommandOption{
				{Type: dg.ApplicationCommandOptionString, Name: "url", Description: "The article's link, as /articles shows it",
					Required: true, MaxLength: 2000, Autocomplete: true},
			},
		},
		{
			Name:                     "reindex",
			Description:              "Re-embed this server's articles with the current model (admins)",
			DefaultMemberPermissions: &manageServer,
		},
		{Name: "help", Description: "What footnote can do in this server, and its settings here"},
		{Type: dg.MessageApplicationCommand, Name: askMessageCommand},
		{Type: dg.MessageApplicationCommand, Name: addLinksCommand},
		settingsCommand(&manageServer),
		gapsCommand(&manageServer),
	}
	cmds = append(cmds, feedCommands()...)
	for _, c := range cmds {
		c.Contexts = guildOnly
		c.IntegrationTypes = guildInstall
	}
	localizeCommands(cmds)
	return cmds
}

// errTokenRejected is Discord answering 401: the token is wrong, revoked or reset.
var errTokenRejected = errors.New("DISCORD_TOKEN: Discord rejected the token (HTTP 401); " +
	"make a new one in the Developer Portal (your application → Bot → Reset Token)")

// rejected reports whether err is Discord refusing the token.
func rejected(err error) bool {
	var rest *dg.RESTError
	return errors.As(err, &rest) && rest.Response != nil && rest.Response.StatusCode == http.StatusUnauthorized
}

// RegisterCommands replaces footnote's commands on Discord with a bulk overwrite: globally,
// or on cfg.DevGuild alone when it is set (instant, for development). Without cfg.AppID it
// asks Discord for the token's application first. It returns an error when cfg.Token is
// missing or rejected (one naming DISCORD_TOKEN and how to get a new one), the application
// cannot be found, or Discord refuses the request.
func (b *Bot) RegisterCommands(ctx context.Context) error {
	if b.cfg.Token == "" {
		return errors.New("bot: registering commands needs a bot token (DISCORD_TOKEN)")
	}
	appID, err := b.AppID(ctx)
	if err != nil {
		return err
	}
	cmds := b.applicationCommands()
	if _, err := b.session.ApplicationCommandBulkOverwrite(appID, b.cfg.DevGuild, cmds, dg.WithContext(ctx)); err != nil {
		if rejected(err) {
			return errTokenRejected
		}
		return fmt.Errorf("bot: register commands: %w", err)
	}
	scope := "global"
	if b.cfg.DevGuild != "" {
		scope = "guild"
	}
	b.log.Info("commands registered", "count", len(cmds), "scope", scope, "guild_id", b.cfg.DevGuild)
	return nil
}
