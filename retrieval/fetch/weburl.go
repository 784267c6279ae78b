package fetch

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseWebURL is footnote's one check that a string is a web address: it parses s (spaces
// around it ignored) and returns it when it is an absolute http or https URL with a host.
// Anything else (unparsable, relative, another scheme, no host) gets an error that says
// which and wraps ErrInvalidURL. Whether the host may be fetched is the Fetcher's
// question, not this one's.
func ParseWebURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidURL, err)
	}
	if err := checkWebURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkWebURL refuses a parsed URL that is not absolute http(s) with a host, wrapping
// ErrInvalidURL.
func checkWebURL(u *url.URL) error {
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
