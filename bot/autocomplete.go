package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// Autocomplete for /remove url, /articles query and /ask source, from the server's own
// articles. Discord shows at most 25 choices, each with a name and a value of at most 100
// characters; a URL longer than that is offered as "id:<article id>:<end of the URL>",
// which /remove resolves (resolveRemoveURL).

const (
	// maxChoices is Discord's limit on autocomplete choices.
	maxChoices = 25
	// maxChoiceChars is Discord's limit on a choice's name and value (counted in bytes here,
	// to be safe with any script).
	maxChoiceChars = 100
	// idChoicePrefix marks a /remove value that names an article by id.
	idChoicePrefix = "id:"
)

// autocomplete answers an autocomplete interaction at once (type 8) with choices for the
// focused option; anything it cannot complete gets no choices, never an error.
func (b *Bot) autocomplete(ctx context.Context, r *request, i *dg.Interaction) {
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	r.kind = "autocomplete"
	choices := []*dg.ApplicationCommandOptionChoice{}
	d := i.ApplicationCommandData()
	// The focused option's value is text; one of another JSON type gets no choices
	// (StringValue would panic on it).
	if opt := focusedOption(d.Options); opt != nil && r.guildID != "" && isString(opt.Value) {
		var err error
		if choices, err = b.articleChoices(ctx, r.guildID, d.Name, opt.Name, opt.Value.(string)); err != nil {
			b.log.Warn("autocomplete failed", "command", d.Name, "guild_id", r.guildID, "err", err)
			choices = []*dg.ApplicationCommandOptionChoice{}
		}
	}
	ir, ok := r.reply.(*interactionReplier)
	if !ok {
		return
	}
	resp := &dg.InteractionResponse{Type: dg.InteractionApplicationCommandAutocompleteResult,
		Data: &dg.InteractionResponseData{Choices: choices}}
	if err := ir.ack(ctx, resp); err != nil {
		b.log.Warn("acknowledge failed", "command", r.kind, "guild_id", r.guildID, "err", err)
		b.metrics.interactions.WithLabelValues(r.kind, outcomeAckFailed).Inc()
		return
	}
	b.metrics.interactions.WithLabelValues(r.kind, outcomeOK).Inc()
}

// focusedOption is the option the member is typing in, or nil.
func focusedOption(opts []*dg.ApplicationCommandInteractionDataOption) *dg.ApplicationCommandInteractionDataOption {
	for _, o := range opts {
		if o.Focused {
			return o
		}
		if f := focusedOption(o.Options); f != nil {
			return f
		}
	}
	return nil
}

// articleChoices lists the choices for option opt of command cmd, from the articles of
// guild that match typed. It returns the engine's error.
func (b *Bot) articleChoices(ctx context.Context, guild, cmd, opt, typed string) ([]*dg.ApplicationCommandOptionChoice, error) {
	kind := cmd + "/" + opt
	if kind == "untrack/feed" {
		return b.feedChoices(ctx, guild, typed)
	}
	if kind != "remove/url" && kind != "articles/query" && kind != "ask/source" {
		return []*dg.ApplicationCommandOptionChoice{}, nil
	}
	arts, _, err := b.eng.ListArticles(ctx, guild, strings.TrimSpace(typed), 0, maxChoices)
	if err != nil {
		return nil, fmt.Errorf("autocomplete %s: %w", kind, err)
	}
	out := []*dg.ApplicationCommandOptionChoice{}
	seen := map[string]bool{}
	for _, a := range arts {
		var name, value string
		switch kind {
		case "remove/url":
			name, value = choiceName(titleOf(a.Title, a.URL)+" · "+a.URL), removeValue(a)
		case "articles/query":
			// A cut title, without a mark, is still a substring that finds its article.
			name = titleOf(a.Title, a.URL)
			value = cutRunes(strings.Join(strings.Fields(name), " "), min(maxChoiceChars, maxListQuery))
		case "ask/source":
			if site := strings.TrimSpace(a.Site); len(site) <= maxChoiceChars { // a cut site filters nothing
				name, value = site, site
			}
		}
		if value == "" || seen[value] {
			continue
		}
		seen[value] = true
		out = append(out, &dg.ApplicationCommandOptionChoice{Name: choiceName(name), Value: value})
	}
	return out, nil
}

// removeValue is the /remove value of a: its URL, or when that is too long, its id and as
// much of the URL's end as fits (the end tells articles of one site apart).
func removeValue(a retrieval.Article) string {
	if len(a.URL) <= maxChoiceChars {
		return a.URL
	}
	head := idChoicePrefix + strconv.FormatInt(a.ID, 10) + ":"
	tail := a.URL[len(a.URL)-(maxChoiceChars-len(head)):]
	for !utf8.RuneStart(tail[0]) { // cut on a character boundary
		tail = tail[1:]
	}
	return head + tail
}

// resolveRemoveURL turns a /remove value chosen from autocomplete by id back into the
// article's URL; any other value is returned as typed. It returns ErrNotFound when no
// article has that id and URL end.
func (b *Bot) resolveRemoveURL(ctx context.Context, guild, value string) (string, error) {
	rest, ok := strings.CutPrefix(value, idChoicePrefix)
	if !ok {
		return value, nil
	}
	idText, tail, ok := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || tail == "" {
		return value, nil // not one of ours: taken as typed
	}
	// The end of the URL narrows the listing to a few articles; the id picks the one.
	arts, _, err := b.eng.ListArticles(ctx, guild, tail, 0, maxChoices)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", value, err)
	}
	for _, a := range arts {
		if a.ID == id && strings.HasSuffix(a.URL, tail) {
			return a.URL, nil
		}
	}
	return "", fmt.Errorf("article %s: %w", value, retrieval.ErrNotFound)
}

// choiceName is s on one line, cut to fit a choice's name.
func choiceName(s string) string {
	return cutBytes(strings.Join(strings.Fields(s), " "), maxChoiceChars)
}

// cutRunes cuts s to at most n bytes, on a character boundary, without a mark.
func cutRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// cutBytes cuts s to at most n bytes, on a character boundary, marking a cut with "…".
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return cutRunes(s, n-len("…")) + "…"
}

func isString(v any) bool {
	_, ok := v.(string)
	return ok
}
