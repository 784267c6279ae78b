package retrieval

import (
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

func (e *LineError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }
func (e *LineError) Unwrap() error { return e.Err }

// ReindexStats reports a finished reindex.
type ReindexStats struct {
	Articles, Passages, Embedded int
	Relexed                      int // passages whose postings were rebuilt (a newer tokeniser)
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
