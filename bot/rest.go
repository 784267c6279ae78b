package bot

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// apiBaseTransport sends every request discordgo makes to the Discord API to another root
// (DISCORD_API_BASE). discordgo builds its endpoint strings once, at init, from
// https://discord.com/; rewriting each request on the session's own client redirects all of
// them without touching discordgo's package variables, so sessions with different bases can
// live side by side.
type apiBaseTransport struct {
	scheme, host string
	prefix       string // path to put before the request's path, without a trailing slash
	version      bool   // prefix ends in /api/vN: it replaces the request's own /api/vN
	next         http.RoundTripper
}

var apiVersionSuffix = regexp.MustCompile(`/api/v[0-9]+$`)

// newAPIBaseTransport returns a RoundTripper that rewrites requests to discord.com onto
// base and passes them to next. It returns an error when base is not an absolute http(s) URL.
func newAPIBaseTransport(base string, next http.RoundTripper) (*apiBaseTransport, error) {
	u, err := fetch.ParseWebURL(base)
	if err != nil {
		return nil, fmt.Errorf("bot: API base (DISCORD_API_BASE) must be an http or https URL: %w", err)
	}
	prefix := strings.TrimRight(u.Path, "/")
	return &apiBaseTransport{
		scheme:  u.Scheme,
		host:    u.Host,
		prefix:  prefix,
		version: apiVersionSuffix.MatchString(prefix),
		next:    next,
	}, nil
}

// discordHost is the host of every REST endpoint discordgo calls.
const discordHost = "discord.com"

// RoundTrip rewrites a request for discord.com onto the base and sends it; other hosts
// pass through untouched.
func (t *apiBaseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != discordHost {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	path := req.URL.Path
	if t.version {
		path = apiVersionPrefix.ReplaceAllString(path, "")
	}
	r.URL.Scheme = t.scheme
	r.URL.Host = t.host
	r.URL.Path = t.prefix + path
	r.URL.RawPath = ""
	if req.URL.RawPath != "" {
		if t.version {
			r.URL.RawPath = t.prefix + apiVersionPrefix.ReplaceAllString(req.URL.RawPath, "")
		} else {
			r.URL.RawPath = t.prefix + req.URL.RawPath
		}
	}
	r.Host = ""
	return t.next.RoundTrip(r)
}

var apiVersionPrefix = regexp.MustCompile(`^/api/v[0-9]+`)
