package bot

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// maxThreadName is Discord's limit on a thread's name, in characters.
const maxThreadName = 100

// markupRE matches Discord's markup in a message: user (<@id>, <@!id>), role (<@&id>) and
// channel (<#id>) mentions, custom emoji (<:name:id>, <a:name:id>), timestamps
// (<t:unix> or <t:unix:style>) and slash-command mentions (</name:id>).
var markupRE = regexp.MustCompile(`<(@!?|@&|#)(\d+)>|<a?:(\w+):\d+>|<t:(-?\d+)(?::[tTdDfFR])?>|</([\w -]+):\d+>`)

// threadName is the name of the thread opened on question m: the question's start, as
// Discord allows (100 characters), with mention markup written as a reader sees it
// (Discord shows a thread's name raw, so "<@123>" would stay "<@123>"): a user or
// channel footnote knows by its name, else dropped; an emoji as :name:; a timestamp as its
// UTC date.
func (b *Bot) threadName(m *dg.Message, question string) string {
	q := markupRE.ReplaceAllStringFunc(question, func(s string) string {
		sub := markupRE.FindStringSubmatch(s)
		switch {
		case sub[1] == "@" || sub[1] == "@!":
			for _, u := range m.Mentions {
				if u != nil && u.ID == sub[2] {
					return "@" + displayName(u)
				}
			}
		case sub[1] == "#":
			if ch, err := b.session.State.Channel(sub[2]); err == nil {
				b.session.State.RLock()
				defer b.session.State.RUnlock()
				return "#" + ch.Name
			}
		case sub[3] != "":
			return ":" + sub[3] + ":"
		case sub[4] != "":
			sec, _ := strconv.ParseInt(sub[4], 10, 64)
			return time.Unix(sec, 0).UTC().Format("2 Jan 2006")
		case sub[5] != "":
			return "/" + sub[5]
		}
		return ""
	})
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		return "Question"
	}
	return truncate(q, maxThreadName)
}

// displayName is the name Discord shows for u: its global name, else its username.
func displayName(u *dg.User) string {
	if u.GlobalName != "" {
		return u.GlobalName
	}
	return u.Username
}
