package fetch

import (
	"fmt"
	"net/url"
	"strings"
)

// MaxURLBytes bounds a web address footnote takes, in bytes. Browsers and servers rarely
// accept more than 2 KiB, so a longer one is not a page's address but pasted text or an
// attack on the index that holds addresses; it is refused with ErrURLTooLong, never cut,
// since a cut address would lead nowhere.
const MaxURLBytes = 2048

// ParseWebURL is footnote's one check that a string is a web address: it parses s (spaces
// around it ignored) and returns it when it is an absolute http or https URL with a host,
// at most MaxURLBytes long. Anything else (unparsable, relative, another scheme, no host,
// too long) gets an error that says which and wraps ErrInvalidURL (and ErrURLTooLong for
// the last). Whether the host may be fetched is the Fetcher's question, not this one's.
func ParseWebURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxURLBytes {
		return nil, urlTooLong(len(s))
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	if err := checkWebURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkWebURL refuses a parsed URL that is not absolute http(s) with a host, or that is
// over MaxURLBytes, wrapping ErrInvalidURL.
func checkWebURL(u *url.URL) error {
	if n := len(u.String()); n > MaxURLBytes {
		return urlTooLong(n)
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "":
		return fmt.Errorf("%w: no scheme: a web address starts with https:// or http://", ErrInvalidURL)
	case scheme != "http" && scheme != "https":
		return fmt.Errorf("%w: only http and https URLs are read, not %q", ErrInvalidURL, u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrInvalidURL)
	}
	return nil
}

// urlTooLong is the error for an address of n bytes, over MaxURLBytes.
func urlTooLong(n int) error {
	return fmt.Errorf("%w: the address has %d bytes; the limit is %d", ErrURLTooLong, n, MaxURLBytes)
}
