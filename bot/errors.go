package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// Errors found by the bot itself, before or besides the engine.
var (
	errDM             = errors.New("not in a guild")
	errNotAdmin       = errors.New("admin only")
	errUnknownCommand = errors.New("unknown command")
	errBadDate        = errors.New("bad date")
	errBadPage        = errors.New("bad page")
	errAddArgs        = errors.New("add needs exactly one of url and file")
	errRemoveArgs     = errors.New("remove needs a url")
	errStale          = errors.New("stale button")
)

// questionTooLongError is a question over Config.MaxQuestionLen.
type questionTooLongError struct{ max int }

func (e *questionTooLongError) Error() string {
	return fmt.Sprintf("question longer than %d characters", e.max)
}

// fileTooLargeError is an attachment over Config.MaxFileBytes.
type fileTooLargeError struct{ max int64 }

func (e *fileTooLargeError) Error() string { return fmt.Sprintf("file larger than %d bytes", e.max) }
func (e *fileTooLargeError) Unwrap() error { return retrieval.ErrTooLarge }

// duplicateError is an added article whose text is already tracked under another URL.
type duplicateError struct{ of string }

func (e *duplicateError) Error() string { return "duplicate of " + e.of }
func (e *duplicateError) Unwrap() error { return retrieval.ErrDuplicate }

// Outcomes, the label of footnote_interactions_total.
const (
	outcomeOK          = "ok"
	outcomeUserError   = "user_error" // something the member can fix
	outcomeRefused     = "refused"    // direct message, not an admin
	outcomeRateLimited = "rate_limited"
	outcomeBusy        = "busy"
	outcomeError       = "error" // internal: logged with an id
	outcomeAckFailed   = "ack_failed"
	outcomeUnavailable = "db_unavailable" // the database was out of reach: logged, and the member told to retry
)

// explain is the one place that turns an error into what the member reads, in the
// member's language, with the outcome to count. Errors a member can fix say what to do;
// anything else is logged here with a fresh id that the member's message carries too.
func (b *Bot) explain(r *request, err error) (text, outcome string) {
	l := r.lang()
	var (
		rl   *rateLimitedError
		long *questionTooLongError
		big  *fileTooLargeError
		dup  *duplicateError
		page *fetch.StatusError
		file *localFileError
		perm *missingPermsError
		fe   *feedUserError
	)
	switch {
	case errors.As(err, &fe):
		return fe.text(l), outcomeUserError
	case errors.As(err, &rl):
		secs := int(math.Ceil(rl.retry.Seconds()))
		return l.trn(rl.perMinute, "You're going faster than footnote allows (%d request a minute).",
			"You're going faster than footnote allows (%d requests a minute).", rl.perMinute) + " " +
			l.trn(secs, "Retry in %d second.", "Retry in %d seconds.", secs), outcomeRateLimited
	case errors.Is(err, errBusy):
		return l.tr("footnote is busy right now. Retry in a few seconds."), outcomeBusy
	case errors.Is(err, errClosing):
		return l.tr("footnote is restarting. Retry in a few seconds."), outcomeBusy
	case errors.Is(err, context.Canceled) && b.pool.isClosing():
		return l.tr("footnote restarted before it could finish. Try again in a moment."), outcomeBusy
	case retrieval.IsUnavailable(err):
		// Not the member's input, and not a bug to hunt by id: the operator sees the
		// database go away in the log, once per request that met it.
		b.log.Warn("request failed: database unavailable", "command", r.kind, "guild_id", r.guildID, "err", err)
		return l.tr("footnote's database is unavailable right now; nothing is wrong with your request. Try again in a minute."), outcomeUnavailable
	case discordUnavailable(err):
		b.log.Warn("Discord kept refusing a call", "command", r.kind, "guild_id", r.guildID, "err", err)
		return l.tr("Discord is rate-limiting footnote or having trouble, so this couldn't finish. Try again in a moment."), outcomeBusy
	case errors.Is(err, errDM):
		return l.tr("footnote only works in servers: each server has its own articles. " +
			"Use its commands in a channel of a server where it is installed."), outcomeRefused
	case errors.Is(err, errNotAdmin):
		return l.tr("Only admins can do that: it needs the Manage Server permission or footnote's admin role."), outcomeRefused
	case errors.As(err, &perm):
		return missingPermsText(l, perm), outcomeRefused
	case missingPermissions(err):
		b.forgetPerms(r.channelID)
		b.log.Warn("Discord refused: missing permissions", "command", r.kind, "guild_id", r.guildID,
			"channel_id", r.channelID, "err", err)
		return missingPermsText(l, &missingPermsError{missing: permsNeededBy(r)}), outcomeRefused
	case errors.Is(err, errUnknownCommand):
		return l.tr("footnote doesn't know that command any more. Discord will update the list shortly; try again then."), outcomeUserError
	case errors.As(err, &long):
		return l.trf("That question is too long. Keep it under %d characters.", long.max), outcomeUserError
	case errors.Is(err, retrieval.ErrQuestionEmpty) && r.kind == "mention": // mentions carry no locale
		return "Ask your question after the mention, for example: @footnote what did the council decide about the budget?", outcomeUserError
	case errors.Is(err, retrieval.ErrQuestionEmpty) && r.kind == askMessageCommand:
		return l.tr("That message has no text to ask about. Use /ask with your question instead."), outcomeUserError
	case errors.Is(err, retrieval.ErrQuestionEmpty):
		return l.tr("Ask a question, for example: /ask question: what did the council decide about the budget?"), outcomeUserError
	case errors.Is(err, errBadDate):
		return l.tr("Give dates as YYYY-MM-DD, for example since: 2024-05-01."), outcomeUserError
	case errors.Is(err, errBadPage):
		return l.tr("Give the page as a number from 1."), outcomeUserError
	case errors.Is(err, errAddArgs):
		return l.tr("Give either a link (url:) or a file (file:) to add, not both."), outcomeUserError
	case errors.Is(err, errRemoveArgs):
		return l.tr("Give the link of the article to remove (url:). /articles shows the links."), outcomeUserError
	case errors.Is(err, errNoLinks):
		return l.tr("That message has no link to add. footnote adds links starting with http:// or https://."), outcomeUserError
	case errors.Is(err, errBadSettings):
		return l.tr("footnote couldn't use those settings. Pick a role, give mention_channels as all or as #channels, and gone_pages as mark or remove."), outcomeUserError
	case errors.Is(err, errStale):
		return l.tr("That button is out of date. Run the command again."), outcomeUserError
	case errors.As(err, &file): // the console's: English
		return fmt.Sprintf("footnote can't read that file (%v). Give the path of a .txt, .md or .html file on this machine.",
			file.err), outcomeUserError
	case errors.As(err, &big):
		return l.trf("That file is too large: the limit is %s. Upload a smaller file or add the article by its link.",
			byteSize(big.max)), outcomeUserError
	case errors.As(err, &dup):
		return l.trf("Not added: the same article is already tracked as <%s>.", dup.of), outcomeUserError
	case errors.Is(err, retrieval.ErrDuplicate):
		return l.tr("Not added: that article is already tracked here."), outcomeUserError
	case errors.Is(err, retrieval.ErrURLTooLong):
		return l.trf("That link is too long to be an article's address (over %d characters). Give the article's own link.",
			retrieval.MaxURLBytes), outcomeUserError
	case errors.Is(err, retrieval.ErrInvalidURL):
		return l.tr("That doesn't look like a link to an article. Give a full address starting with https://."), outcomeUserError
	case errors.Is(err, retrieval.ErrBlockedAddr) && r.console: // the operator can change that
		return "Not added: that address points to a private or local network, which footnote refuses. " +
			"Set FOOTNOTE_ALLOW_PRIVATE=true to allow such addresses.", outcomeUserError
	case errors.Is(err, retrieval.ErrBlockedAddr):
		return l.tr("Not added: that address points to a private or local network, which footnote never fetches. Use a public link."), outcomeUserError
	case errors.Is(err, retrieval.ErrTooLarge):
		return l.tr("Not added: that page is too large to be an article footnote can track."), outcomeUserError
	case errors.Is(err, retrieval.ErrEmptyArticle):
		return l.tr("Not added: footnote found no article text there. Link to the article's own page, or upload it as a .txt, .md or .html file."), outcomeUserError
	case errors.Is(err, retrieval.ErrUnsupported):
		return l.tr("footnote can't read that kind of file. Upload a .txt, .md or .html file."), outcomeUserError
	case errors.As(err, &page) && (page.Code == 404 || page.Code == 410):
		return l.trf("Not added: the site has no page at that address (HTTP %d). Check the link.", page.Code), outcomeUserError
	case errors.As(err, &page) && (page.Code == 401 || page.Code == 403):
		return l.trf("Not added: the site refuses bots or needs a login (HTTP %d). Upload the article as a file instead.", page.Code), outcomeUserError
	case errors.Is(err, retrieval.ErrFetch):
		return l.tr("footnote couldn't download that: the site may be down. Try again later, or upload the article as a file."), outcomeUserError
	case errors.Is(err, retrieval.ErrNotFound):
		switch r.kind {
		case "passage":
			return l.tr("That passage is gone: its article was removed or reindexed. Ask again for fresh sources."), outcomeUserError
		case "feedback":
			return l.tr("footnote has no record of that answer here, so the feedback was not saved."), outcomeUserError
		}
		return l.tr("No tracked article has that link here. /articles shows the exact links."), outcomeUserError
	case errors.Is(err, retrieval.ErrForbidden):
		return l.tr("Only the member who added that article, or an admin, can remove it."), outcomeUserError
	case errors.Is(err, retrieval.ErrInvalidInput):
		return l.tr("footnote couldn't use that input. Check the command's options and try again."), outcomeUserError
	}
	id := newErrorID()
	b.log.Error("request failed", "error_id", id, "command", r.kind, "guild_id", r.guildID,
		"user_id", r.userID, "err", err)
	return l.trf("Something went wrong on footnote's side (error id %s). Try again later; "+
		"if it keeps happening, give the id to whoever runs the bot.", id), outcomeError
}

// fail shows err to the member, ephemerally where the transport allows, in a way that fits
// how the request was acknowledged, and returns the outcome.
func (b *Bot) fail(ctx context.Context, r *request, err error) string {
	text, outcome := b.explain(r, err)
	text = b.cfg.Redact.String(text)
	m := message{content: text, ephemeral: true}
	var rerr error
	var partly *partlySentError
	switch {
	case errors.As(err, &partly):
		// Part of the answer is out, in the reply itself: editing or deleting the reply
		// would take it back, so the error comes only as a follow-up for the member.
		rerr = r.reply.followup(ctx, m)
	case r.ack == ackNone:
		rerr = r.reply.respond(ctx, m)
	case r.ack == ackEphemeral:
		m.ephemeral = false // the reply is ephemeral already; edits cannot set flags
		rerr = r.reply.edit(ctx, m)
	case r.ack == ackPublic:
		// The "thinking…" reply is public: remove it and tell only the member.
		if derr := r.reply.remove(ctx); derr != nil {
			// Discord makes the first follow-up of a reply still "thinking…" the reply itself,
			// public whatever its flags: settle the public reply first, with no detail in it.
			b.log.Debug("remove deferred reply", "command", r.kind, "err", derr)
			if eerr := r.reply.edit(ctx, message{content: unfinishedNote(r.lang())}); eerr != nil {
				b.log.Debug("settle deferred reply", "command", r.kind, "err", eerr)
			}
		}
		rerr = r.reply.followup(ctx, m)
	case r.ack == ackUpdate:
		rerr = r.reply.followup(ctx, m)
	}
	if rerr != nil {
		b.log.Warn("could not report an error to the member", "command", r.kind, "guild_id", r.guildID,
			"outcome", outcome, "err", rerr)
	}
	return outcome
}

// unfinishedNote replaces, in language l, a public "thinking…" reply that could not be
// deleted, so that the error itself can still go to the member alone.
func unfinishedNote(l lang) string {
	return l.tr("footnote couldn't finish this; the reason was shown to the member who asked.")
}

// newErrorID returns 8 random hex digits to tie a member's error message to the log.
func newErrorID() string {
	var p [4]byte
	_, _ = rand.Read(p[:])
	return hex.EncodeToString(p[:])
}

// byteSize renders n bytes for people: "5 MB", "512 KB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
