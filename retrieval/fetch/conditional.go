package fetch

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Conditional is what a poller remembers of its last fetch, to ask only for a change.
type Conditional struct {
	ETag         string // sent as If-None-Match when set
	LastModified string // sent as If-Modified-Since when set, as the server wrote it
	Accept       string // replaces the default Accept header when set
}

// FetchIf fetches rawURL like Fetch, sending the validators of c. A 304 answer is a
// Response with NotModified set and no body, not an error. Redirects are followed and
// checked like Fetch's.
func (f *Fetcher) FetchIf(ctx context.Context, rawURL string, c Conditional) (*Response, error) {
	h := http.Header{}
	if c.ETag != "" {
		h.Set("If-None-Match", c.ETag)
	}
	if c.LastModified != "" {
		h.Set("If-Modified-Since", c.LastModified)
	}
	if c.Accept != "" {
		h.Set("Accept", c.Accept)
	}
	return f.fetch(ctx, rawURL, h)
}

// maxMaxAge bounds a Cache-Control max-age read, only to keep the Duration from overflowing:
// a year is beyond any poller's cap, and far below time.Duration's limit.
const maxMaxAge = 365 * 24 * time.Hour

// withValidators copies the caching headers of h into r.
func withValidators(r *Response, h http.Header) *Response {
	r.ETag = h.Get("ETag")
	r.LastModifiedRaw = h.Get("Last-Modified")
	for d := range strings.SplitSeq(h.Get("Cache-Control"), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(d), "=")
		if ok && strings.EqualFold(k, "max-age") {
			if n, err := strconv.Atoi(strings.Trim(v, `"`)); err == nil && n > 0 {
				// Capped before multiplying so a huge max-age cannot overflow to a negative;
				// pollers cap it far lower still.
				r.MaxAge = time.Duration(min(n, int(maxMaxAge/time.Second))) * time.Second
			}
		}
	}
	return r
}
