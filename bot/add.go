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
	return r.reply.edit(ctx, message{content: renderAdded(r.lang(), added)})
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
// and namesakes that do not fit within Discord's limit are counted, not shown. footnote's
// words are in language l.
func renderAdded(l lang, a *retrieval.AddedArticle) string {
	art := a.Article
	var facts []string
	if s := strings.TrimSpace(art.Site); s != "" {
		facts = append(facts, truncate(escapeMarkdown(s), 100))
	}
	if d := discordDate(art.Published); d != "" {
		facts = append(facts, d)
	} else {
		facts = append(facts, l.tr("publication date unknown"))
	}
	facts = append(facts, l.trn(a.Passages, "%d passage", "%d passages", a.Passages))
	title, about := truncate(escapeMarkdown(titleOf(art.Title, art.URL)), 300), strings.Join(facts, " · ")
	var text string
	switch a.Status {
	case retrieval.StatusUpdated:
		text = l.trf("Replaced the earlier version of **%s** (%s)", title, about)
	case retrieval.StatusUnchanged:
		text = l.trf("Already tracked, unchanged: **%s** (%s)", title, about)
	default:
		text = l.trf("Added **%s** (%s)", title, about)
	}
	if link := linkable(art.URL); link != "" && runeLen(link) < 1500 {
		text += "\n<" + link + ">"
	} else if isFileURL(art.URL) {
		text += "\n" + codeSpan(art.URL)
	}
	for _, c := range a.Cuts {
		text += "\n" + cutNote(l, c)
	}
	if n := len(a.SameName); n > 0 && a.Status == retrieval.StatusAdded {
		text += sameNameNote(l, a.SameName, maxContent-runeLen(text))
	}
	return text
}

// cutNote says, in language l, that footnote cut a field of the article to its cap.
func cutNote(l lang, c retrieval.FieldCut) string {
	switch c.Field {
	case "title":
		return l.trf("Note: title cut to %d characters (it had %d).", c.Max, c.Had)
	case "site":
		return l.trf("Note: site cut to %d characters (it had %d).", c.Max, c.Had)
	case "byline":
		return l.trf("Note: byline cut to %d characters (it had %d).", c.Max, c.Had)
	}
	return l.trf("Note: %s.", c.String()) // a field this version does not know: its English note
}

// sameNameNote says, in language l, that a new file did not replace the tracked files of
// the same name, with the address of each that fits, whole, in room characters.
func sameNameNote(l lang, urls []string, room int) string {
	head := "\n" + l.trn(len(urls), "The file is new, so it did not replace the other file of the same name:",
		"The file is new, so it did not replace the other files of the same name:") + " "
	tail := l.tr(". If this one replaces it, remove the old one with /remove.")
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
		shown = append(shown, l.trf("and %d more", rest))
	} else if rest > 0 {
		shown = append(shown, l.trf("%d (see /articles)", rest))
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
