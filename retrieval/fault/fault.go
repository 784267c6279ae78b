// Package fault holds the errors a user can fix, shared by retrieval and its sub-packages
// (which cannot import retrieval itself). retrieval re-exports each one; match them with
// errors.Is against either name.
package fault

import "errors"

// Errors a user can fix.
var (
	ErrInvalidURL    = errors.New("invalid url")
	ErrBlockedAddr   = errors.New("address not allowed")
	ErrTooLarge      = errors.New("too large")
	ErrEmptyArticle  = errors.New("no article text found")
	ErrUnsupported   = errors.New("unsupported file type")
	ErrDuplicate     = errors.New("already tracked")
	ErrNotFound      = errors.New("not found")
	ErrForbidden     = errors.New("forbidden")
	ErrInvalidInput  = errors.New("invalid input")
	ErrQuestionEmpty = errors.New("empty question")
	ErrFetch         = errors.New("could not fetch")
)
