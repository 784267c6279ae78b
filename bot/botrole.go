package bot

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	dg "github.com/bwmarrin/discordgo"
)

// Typing @footnote in Discord's composer often picks the bot's managed role (the role
// Discord creates for a bot when it joins, tagged with the bot's id) rather than the bot
// user, so the message says <@&roleID> and lists the role in mention_roles. footnote learns
// that role per guild from the gateway (GUILD_CREATE and role events carry tags.bot_id,
// which discordgo's Role type drops, so the raw event is read) and treats a mention of it
// like a mention of the bot.

// botRoles remembers, per guild, the id of the bot's managed role.
type botRoles struct {
	mu      sync.Mutex
	byGuild map[string]string
}

func (c *botRoles) set(guildID, roleID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byGuild == nil {
		c.byGuild = make(map[string]string)
	}
	c.byGuild[guildID] = roleID
}

func (c *botRoles) get(guildID string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byGuild[guildID]
}

func (c *botRoles) forget(guildID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.byGuild, guildID)
}

// rawRole is a role as the gateway sends it, with the tags discordgo leaves out.
type rawRole struct {
	ID   string `json:"id"`
	Tags struct {
		BotID string `json:"bot_id"`
	} `json:"tags"`
}

// onRawEvent finds the bot's managed role in the events that carry roles, and hands
// interactions to onInteraction.
func (b *Bot) onRawEvent(s *dg.Session, e *dg.Event) {
	if e.Type == "INTERACTION_CREATE" {
		b.onInteraction(e.RawData)
		return
	}
	self := b.selfID()
	if self == "" && s.State != nil {
		// onReady runs in its own goroutine and may not have run yet; the state has
		// already taken the bot's user from READY, synchronously.
		s.State.RLock()
		if s.State.User != nil {
			self = s.State.User.ID
		}
		s.State.RUnlock()
	}
	switch e.Type {
	case "GUILD_CREATE", "GUILD_UPDATE":
		var g struct {
			ID    string    `json:"id"`
			Roles []rawRole `json:"roles"`
		}
		if json.Unmarshal(e.RawData, &g) == nil {
			b.learnBotRole(self, g.ID, g.Roles...)
		}
	case "GUILD_ROLE_CREATE", "GUILD_ROLE_UPDATE":
		var r struct {
			GuildID string  `json:"guild_id"`
			Role    rawRole `json:"role"`
		}
		if json.Unmarshal(e.RawData, &r) == nil {
			b.learnBotRole(self, r.GuildID, r.Role)
		}
	}
}

// learnBotRole caches the role among roles that Discord manages for the bot self, if any.
func (b *Bot) learnBotRole(self, guildID string, roles ...rawRole) {
	if guildID == "" || self == "" {
		return
	}
	for _, r := range roles {
		if r.Tags.BotID == self && r.ID != "" {
			b.botRoles.set(guildID, r.ID)
			return
		}
	}
}

// mentionsBot reports whether m mentions the bot, as a user or through its managed role.
func (b *Bot) mentionsBot(m *dg.Message, self string) bool {
	if mentions(m, self) {
		return true
	}
	role := b.botRoles.get(m.GuildID)
	return role != "" && slices.Contains(m.MentionRoles, role)
}

// stripMentions removes the bot's user and managed-role mentions from s and tidies the
// spaces.
func (b *Bot) stripMentions(s, guildID, self string) string {
	if role := b.botRoles.get(guildID); role != "" {
		s = strings.ReplaceAll(s, fmt.Sprintf("<@&%s>", role), " ")
	}
	return stripMention(s, self)
}
