package extract

import "errors"

// Errors of reading an article out of a page or a file. Package retrieval re-exports them
// under the same names; errors.Is matches either name. A URL extract cannot canonicalise
// wraps fetch.ErrInvalidURL.
var (
	// ErrEmptyArticle is a page or file that holds no article text.
	ErrEmptyArticle = errors.New("no article text found")
	// ErrUnsupported is a file type extract cannot read, or text that is not UTF-8.
	ErrUnsupported = errors.New("unsupported file type")
)
