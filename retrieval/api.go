package retrieval

import (
	"context"
	"strconv"
	"time"
)

// AskOptions narrow and inform a question.
type AskOptions struct {
	Filter Filter
	// Previous is the earlier turn of a conversation (a thread follow-up): it informs
	// retrieval but is not itself answered.
	Previous string
	// AskedBy is recorded with the question (a Discord user id, or "").
	AskedBy string
	// K is how many passages the answerer sees (default 8).
	K int
}

// AddedArticle reports what an add or import did with one article.
type AddedArticle struct {
	Article  Article
	Passages int
	Status   string // "added", "updated", "unchanged" or "duplicate"
	// DuplicateOf is the URL of the article with the same content, when Status is "duplicate".
	DuplicateOf string
}

// Add statuses.
const (
	StatusAdded     = "added"
	StatusUpdated   = "updated"
	StatusUnchanged = "unchanged"
	StatusDuplicate = "duplicate"
)

// ImportStats counts what an import did.
type ImportStats struct {
	Lines, Added, Updated, Unchanged, Duplicates, Failed int
	Passages                                             int
	Took                                                 time.Duration
}

// LineError is a bad line of an import file; the import reports it and goes on.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return "line " + itoa(e.Line) + ": " + e.Err.Error() }
func (e *LineError) Unwrap() error { return e.Err }

// ReindexStats reports a finished reindex.
type ReindexStats struct {
	Articles, Passages, Embedded int
	Space                        string
	Took                         time.Duration
}

// Feedback is a member's verdict on an answer.
type Feedback struct {
	Collection string
	QuestionID int64
	User       string
	Helpful    bool
	Reason     string // "wrong_source", "outdated", "incomplete", "other" or ""
}

// PassageView is one passage with its article, for showing the full text of a citation.
type PassageView struct {
	Result
	ArticleText string
}

// The engine's methods (implemented across engine_*.go), listed for readers of the API:
//
//	Ask(ctx, collection, question string, opts AskOptions) (*Answer, error)
//	Search(ctx, collection, query string, k int, f Filter) ([]Result, error)
//	AddURL(ctx, collection, rawURL, addedBy string) (*AddedArticle, error)
//	AddFile(ctx, collection, name string, data []byte, addedBy string) (*AddedArticle, error)
//	Import(ctx, collection string, r io.Reader, onLine func(done int, err error)) (ImportStats, error)
//	ListArticles(ctx, collection, query string, offset, limit int) ([]Article, int, error)
//	RemoveArticle(ctx, collection, url, requester string, admin bool) (*Article, error)
//	RemoveCollection(ctx, collection string) (int, error)
//	Reindex(ctx, collection string, progress func(done, total int)) (ReindexStats, error)
//	Passage(ctx, collection string, chunkID int64) (*PassageView, error)
//	RecordFeedback(ctx, fb Feedback) error
//
// Ask fills Answer.QuestionID; feedback refers to it.
var _ context.Context

func itoa(n int) string { return strconv.Itoa(n) }
