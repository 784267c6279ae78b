package retrieval

import (
	"errors"

	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// Errors a user can fix. The bot and the command line translate them into friendly text in
// one place each; wrapped errors keep them reachable with errors.Is. The first seven are
// born in the sub-package that finds them (which cannot import retrieval) and re-exported
// here, so errors.Is matches either name.
var (
	ErrInvalidURL   = fetch.ErrInvalidURL     // not an http(s) URL footnote can fetch, or too long
	ErrURLTooLong   = fetch.ErrURLTooLong     // a URL over MaxURLBytes (wraps ErrInvalidURL)
	ErrBlockedAddr  = fetch.ErrBlockedAddr    // the URL points at a non-public address
	ErrFetch        = fetch.ErrFetch          // the page could not be fetched
	ErrTooLarge     = fetch.ErrTooLarge       // a page, file, article or import line over its limit
	ErrEmptyArticle = extract.ErrEmptyArticle // no article text in the page or file
	ErrUnsupported  = extract.ErrUnsupported  // a file type footnote cannot read

	// ErrDuplicate is an article whose text is already tracked under another URL.
	ErrDuplicate = errors.New("already tracked")
	// ErrNotFound is an article, passage or question not in the collection.
	ErrNotFound = errors.New("not found")
	// ErrForbidden is a removal by a member who neither added the article nor is an admin.
	ErrForbidden = errors.New("forbidden")
	// ErrInvalidInput is a bad import line, date, collection name or question.
	ErrInvalidInput = errors.New("invalid input")
	// ErrQuestionEmpty is a question or query with nothing in it.
	ErrQuestionEmpty = errors.New("empty question")
	// ErrTooManyDims is an embedding model whose vectors are wider than MaxEmbedDims, which
	// no pgvector HNSW index can hold: the operator picks a smaller model or asks this one
	// for fewer dimensions.
	ErrTooManyDims = errors.New("embedding vectors too wide")
	// ErrUnavailable is the database out of reach: the connection lost or refused, the
	// server shutting down, starting up or out of connections. It is nobody's input at
	// fault, and the same request may work a little later. IsUnavailable recognises the
	// driver's errors of that kind as well as errors wrapping ErrUnavailable.
	ErrUnavailable = errors.New("database unavailable")
	// ErrCommitUncertain marks a transaction whose COMMIT was sent when the database went
	// away: it may be stored or not, and no one can tell until the database is back (then
	// running the same work again finds what is stored, as an import's or an add's rerun
	// does). An error that wraps it also wraps ErrUnavailable's cause; its message does not
	// change (the caller says what may be stored).
	ErrCommitUncertain = errors.New("the database went away while committing")
)

// uncertain is err, from a transaction whose COMMIT went unanswered, or from the outage
// that followed one: errors.Is finds ErrCommitUncertain in it, and its message is err's.
type uncertain struct{ error }

func (u uncertain) Unwrap() error        { return u.error }
func (u uncertain) Is(target error) bool { return target == ErrCommitUncertain }
