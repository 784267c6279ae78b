package extract

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// trackingParams are query parameters that identify a campaign or a referrer, not a page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "mc_cid": true, "mc_eid": true, "ref": true, "ref_src": true,
}

// Canonical returns raw in the one form footnote stores, so that the same article shared
// through different links is tracked once: scheme and host lowercased, default ports,
// user info and the fragment dropped, tracking parameters (utm_*, fbclid, gclid, mc_cid,
// mc_eid, ref, ref_src) removed, the remaining parameters sorted by name, a trailing slash
// removed from a non-root path and an empty path made "/". It returns an error wrapping
// fetch.ErrInvalidURL when raw is not an absolute http or https URL with a host.
func Canonical(raw string) (string, error) {
	u, err := fetch.ParseWebURL(raw)
	if err != nil {
		return "", fmt.Errorf("canonical url %q: %w", clipURL(raw), err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".") // "http://../" has no host either
	if host == "" {
		return "", fmt.Errorf("canonical url %q: no host: %w", clipURL(raw), fetch.ErrInvalidURL)
	}
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	switch {
	case port != "":
		u.Host = net.JoinHostPort(host, port)
	case strings.Contains(host, ":"):
		u.Host = "[" + host + "]"
	default:
		u.Host = host
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.Opaque = ""

	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if len(p) > 1 {
		p = strings.TrimRight(p, "/")
		if p == "" {
			p = "/"
		}
	}
	if u.Path, err = url.PathUnescape(p); err != nil {
		return "", fmt.Errorf("canonical url %q: bad path: %w", clipURL(raw), fetch.ErrInvalidURL)
	}
	u.RawPath = p
	u.RawQuery = cleanQuery(u.RawQuery)
	u.ForceQuery = false
	out := u.String()
	if len(out) > fetch.MaxURLBytes {
		// Escaping can lengthen an address that was under the limit (an invalid UTF-8 byte
		// becomes %EF%BF%BD): the canonical form is refused as the raw one would be, so
		// that a canonical address is always its own canonical form.
		return "", fmt.Errorf("canonical url %q: %w: the address has %d bytes written out; the limit is %d",
			clipURL(raw), fetch.ErrURLTooLong, len(out), fetch.MaxURLBytes)
	}
	return out, nil
}

// shownURLBytes is how much of a refused address an error message quotes: enough to
// recognise it, not enough for a pasted page to flood the output.
const shownURLBytes = 100

// clipURL is raw for an error message: its first shownURLBytes bytes (at a character
// boundary), then "…" when there was more.
func clipURL(raw string) string {
	if len(raw) <= shownURLBytes {
		return raw
	}
	n := shownURLBytes
	for n > 0 && !utf8.RuneStart(raw[n]) {
		n--
	}
	return raw[:n] + "…"
}

// cleanQuery drops empty and tracking parameters and sorts the rest by name, keeping each
// parameter's original encoding and the order of repeated names.
func cleanQuery(raw string) string {
	type param struct{ key, pair string }
	var params []param
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if lk := strings.ToLower(key); trackingParams[lk] || strings.HasPrefix(lk, "utm_") {
			continue
		}
		params = append(params, param{key, pair})
	}
	sort.SliceStable(params, func(i, j int) bool { return params[i].key < params[j].key })
	pairs := make([]string, len(params))
	for i, p := range params {
		pairs[i] = escapeSpaces(p.pair)
	}
	return strings.Join(pairs, "&")
}

// escapeSpaces percent-encodes the white space a raw query may hold. Left raw, a query
// that ends in white space ("http://a/? #" gives "? ") makes a canonical form that
// Canonical itself reads back as another, since it trims its input (found by
// FuzzCanonical); encoded, "?q=a b" and "?q=a%20b" are one URL.
func escapeSpaces(s string) string {
	if strings.IndexFunc(s, unicode.IsSpace) < 0 {
		return s
	}
	var b strings.Builder
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if !unicode.IsSpace(r) {
			b.WriteString(s[:n]) // bytes that are not UTF-8 stay as they are
		} else {
			for _, c := range []byte(s[:n]) {
				fmt.Fprintf(&b, "%%%02X", c)
			}
		}
		s = s[n:]
	}
	return b.String()
}
