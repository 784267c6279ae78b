package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// /add url:<url>  or  /add file:<attachment>

// fileTypes are the attachments /add reads.
var fileTypes = map[string]bool{".txt": true, ".md": true, ".html": true, ".htm": true}

func (b *Bot) prepareAdd(r *request) error {
	link := strings.TrimSpace(r.opts["url"])
	_, hasFile := r.opts["file"]
	switch {
	case (link == "") == !hasFile:
		return errAddArgs
	case hasFile:
		return b.checkAttachment(r.attachment)
	}
	_, err := fetch.ParseWebURL(link)
	return err
}

// checkAttachment refuses, before anything is downloaded, a file of the wrong type or size.
func (b *Bot) checkAttachment(a *dg.MessageAttachment) error {
	if a == nil || a.URL == "" {
		return errAddArgs
	}
	if !readableFile(a.Filename) {
		return retrieval.ErrUnsupported
	}
	if int64(a.Size) > b.cfg.MaxFileBytes {
		return &fileTooLargeError{max: b.cfg.MaxFileBytes}
	}
	return nil
}

// readableFile reports whether /add reads a file of that name (by its extension).
func readableFile(name string) bool {
	return fileTypes[strings.ToLower(path.Ext(name))]
}

func (b *Bot) runAdd(ctx context.Context, r *request) error {
	var (
		added *retrieval.AddedArticle
		err   error
	)
	if r.attachment != nil {
		var data []byte
		if data, err = b.downloadAttachment(ctx, r.attachment); err != nil {
			return err
		}
		added, err = b.eng.AddFile(ctx, r.guildID, r.attachment.Filename, data, r.userID)
	} else {
		added, err = b.eng.AddURL(ctx, r.guildID, strings.TrimSpace(r.opts["url"]), r.userID)
	}
	return b.replyAdded(ctx, r, added, err)
}

// replyAdded reports the engine's answer to an add: what was stored, or why not.
func (b *Bot) replyAdded(ctx context.Context, r *request, added *retrieval.AddedArticle, err error) error {
	if added != nil && added.Status == retrieval.StatusDuplicate && added.DuplicateOf != "" {
		// Reported as ErrDuplicate with the article, or as a status: either way, say which.
		return &duplicateError{of: added.DuplicateOf}
	}
	if err != nil {
		return fmt.Errorf("add: %w", err)
	}
	return r.reply.edit(ctx, message{content: renderAdded(added)})
}

// downloadAttachment reads an attachment through cfg.HTTPClient, never more than
// cfg.MaxFileBytes (Discord's stated size is checked first, but not trusted).
func (b *Bot) downloadAttachment(ctx context.Context, a *dg.MessageAttachment) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("download attachment: %w", err)
	}
	resp, err := b.download.Do(req)
	if err != nil {
		return nil, fmt.Errorf("download attachment: %w: %w", retrieval.ErrFetch, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download attachment: status %d: %w", resp.StatusCode, retrieval.ErrFetch)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, b.cfg.MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("download attachment: %w: %w", retrieval.ErrFetch, err)
	}
	if int64(len(data)) > b.cfg.MaxFileBytes {
		return nil, &fileTooLargeError{max: b.cfg.MaxFileBytes}
	}
	return data, nil
}

// renderAdded is the reply to a successful /add: what was stored, from where, and how many
// passages it makes; when it replaced an article, that it did; and for a file, its address
// (what /remove takes) and, when the file is new, the other tracked files of the same name;
// and what footnote changed in it on the way in (a title cut to its cap).
// Addresses are never cut, so each can be copied into /remove: the title is cut instead,
// and namesakes that do not fit within Discord's limit are counted, not shown.
func renderAdded(a *retrieval.AddedArticle) string {
	verb := "Added"
	switch a.Status {
	case retrieval.StatusUpdated:
		verb = "Replaced the earlier version of"
	case retrieval.StatusUnchanged:
		verb = "Already tracked, unchanged:"
	}
	art := a.Article
	var facts []string
	if s := strings.TrimSpace(art.Site); s != "" {
		facts = append(facts, truncate(escapeMarkdown(s), 100))
	}
	if d := discordDate(art.Published); d != "" {
		facts = append(facts, d)
	} else {
		facts = append(facts, "publication date unknown")
	}
	facts = append(facts, fmt.Sprintf("%d passage%s", a.Passages, plural(a.Passages)))
	text := fmt.Sprintf("%s **%s** (%s)", verb, truncate(escapeMarkdown(titleOf(art.Title, art.URL)), 300),
		strings.Join(facts, " · "))
	if link := linkable(art.URL); link != "" && runeLen(link) < 1500 {
		text += "\n<" + link + ">"
	} else if isFileURL(art.URL) {
		text += "\n" + codeSpan(art.URL)
	}
	for _, n := range a.Notes { // footnote's own words, such as "title cut to 300 characters (it had 7999)"
		text += "\nNote: " + n + "."
	}
	if n := len(a.SameName); n > 0 && a.Status == retrieval.StatusAdded {
		text += sameNameNote(a.SameName, maxContent-runeLen(text))
	}
	return text
}

// sameNameNote says that a new file did not replace the tracked files of the same name,
// with the address of each that fits, whole, in room characters.
func sameNameNote(urls []string, room int) string {
	const tail = ". If this one replaces it, remove the old one with /remove."
	head := fmt.Sprintf("\nThe file is new, so it did not replace %s of the same name: ",
		oneOrMany(len(urls), "the other file", "the other files"))
	room -= runeLen(head) + runeLen(tail)
	var shown []string
	for _, u := range urls[:min(len(urls), maxSameNameShown)] {
		span := codeSpan(u)
		if runeLen(span)+len(", ")+len(", and 9 more") > room {
			break
		}
		shown, room = append(shown, span), room-runeLen(span)-len(", ")
	}
	if rest := len(urls) - len(shown); rest > 0 && len(shown) > 0 {
		shown = append(shown, fmt.Sprintf("and %d more", rest))
	} else if rest > 0 {
		shown = append(shown, fmt.Sprintf("%d (see /list)", rest))
	}
	return head + strings.Join(shown, ", ") + tail
}

// maxSameNameShown is how many addresses of files of the same name an /add reply shows.
const maxSameNameShown = 3

// isFileURL reports whether u is the address of an uploaded file (file:///…).
func isFileURL(u string) bool { return strings.HasPrefix(u, "file:///") }

// codeSpan shows s as inline code, whole, for an address to copy into /remove. File
// addresses are path-escaped, so s holds no backquote to break out of it.
func codeSpan(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "%60") + "`"
}

// oneOrMany is one when n is 1, else many.
func oneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
