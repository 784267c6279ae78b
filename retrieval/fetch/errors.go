package fetch

import (
	"errors"
	"fmt"
)

// Errors of fetching a page, each one a user can fix by giving another URL. Package
// retrieval re-exports them under the same names; errors.Is matches either name.
var (
	// ErrInvalidURL is a URL footnote cannot fetch: not http or https, no host, a user
	// name or password, a bad port. extract.Canonical wraps it too.
	ErrInvalidURL = errors.New("invalid url")
	// ErrURLTooLong is a URL over MaxURLBytes; it wraps ErrInvalidURL.
	ErrURLTooLong = fmt.Errorf("%w: too long", ErrInvalidURL)
	// ErrBlockedAddr is a URL, a redirect or a DNS answer that points at a non-public
	// address (unless the Fetcher allows private addresses).
	ErrBlockedAddr = errors.New("address not allowed")
	// ErrTooLarge is a body over the Fetcher's MaxBytes; retrieval wraps it for articles
	// and import lines that are too large as well.
	ErrTooLarge = errors.New("too large")
	// ErrFetch is everything else that kept a page from arriving: network errors, timeouts,
	// error statuses, too many redirects.
	ErrFetch = errors.New("could not fetch")
)
