// Package fetch downloads web pages for footnote without letting a URL reach the machine
// it runs on or the network around it: every address is checked when it is dialled, after
// DNS resolution, for the first request and for every redirect. Errors wrap the sentinels
// of errors.go, which package retrieval re-exports under the same names.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"
)

// Defaults used when a Config field is zero.
const (
	DefaultTimeout      = 20 * time.Second
	DefaultMaxBytes     = 5 << 20
	DefaultMaxRedirects = 5
	DefaultUserAgent    = "footnote/1.0 (+https://github.com/footnote-bot/footnote)"
)

// Config configures a Fetcher. The zero value is the production setting.
type Config struct {
	// Timeout bounds a whole fetch: dialling, redirects, headers and body. Default 20s.
	Timeout time.Duration
	// MaxBytes caps the (decompressed) body. Default 5 MiB.
	MaxBytes int64
	// MaxRedirects is how many redirects a fetch follows. Default 5; negative means none.
	MaxRedirects int
	// AllowPrivate switches the address check off, for tests and for self-hosters who track
	// pages on their own LAN. Never set it on a bot that strangers can use.
	AllowPrivate bool
	// UserAgent is sent with every request. Default DefaultUserAgent.
	UserAgent string
	// Allow decides whether a resolved address may be dialled. Nil means Public. It is not
	// consulted when AllowPrivate is set.
	Allow func(netip.Addr) bool
	// LookupIPAddr resolves a host name. Nil means net.DefaultResolver.LookupIPAddr.
	LookupIPAddr func(ctx context.Context, host string) ([]net.IPAddr, error)
	// HostDelay is the least time between the beginnings of an unattended fetch
	// (Unattended) and the fetch from the same host before it. 0 paces nothing.
	HostDelay time.Duration
	// Sites, when set, shares the robots.txt files read and the hosts' turns with the
	// other processes that use the same Sites (retrieval's Store: the database), so that
	// several workers read a site's robots.txt once a day between them and keep to one
	// pace at it. Nil keeps both in this Fetcher; so does a Sites that fails, for that
	// fetch.
	Sites Sites
}

// Sites is what the fetchers of several processes share about each site.
type Sites interface {
	// Robots returns what was stored of site's robots.txt ("https://host:port"), when it
	// was read less than maxAge ago, or failed to be read less than failedMaxAge ago
	// (found false otherwise).
	Robots(ctx context.Context, site string, maxAge, failedMaxAge time.Duration) (c RobotsCopy, found bool, err error)
	// PutRobots stores what site's robots.txt said, or why it could not be read, now.
	PutRobots(ctx context.Context, site string, c RobotsCopy) error
	// Turn books host's next fetch and returns how long it must wait: an unattended fetch
	// begins at the host's next turn (or now, when that has passed), an attended one now;
	// either way the host's next turn is then at least delay after this fetch begins.
	Turn(ctx context.Context, host string, delay time.Duration, unattended bool) (time.Duration, error)
}

// RobotsCopy is a site's robots.txt as one process read it, for the others (Sites).
type RobotsCopy struct {
	Body     []byte
	AllowAll bool          // the site answered 4xx: no rules
	Age      time.Duration // how long ago it was read (Robots sets it)
	// Failure, when set, is why it could not be read (a 5xx, a network error, too large):
	// nothing of the site is crawled until it is asked for again. Code and Status are the
	// site's HTTP answer when the failure was one (StatusError), else 0 and "".
	Failure string
	Code    int
	Status  string
}

// Response is a fetched page.
type Response struct {
	URL          *url.URL // final URL, after redirects
	ContentType  string   // the Content-Type header, as sent
	Body         []byte
	LastModified time.Time // zero when the server did not say
	// Validators and caching advice, for conditional requests (FetchIf): the ETag and
	// Last-Modified headers as sent, and Cache-Control's max-age (zero when absent).
	ETag, LastModifiedRaw string
	MaxAge                time.Duration
	// NotModified is a 304 answer to a conditional request: Body is empty.
	NotModified bool
}

// StatusError is a page the site answered with an HTTP status of 400 or above. It wraps
// ErrFetch; callers tell a missing page (404, 410) from a refusal (401, 403) or a
// site in trouble (5xx) with errors.As.
type StatusError struct {
	Code   int    // the HTTP status code
	Status string // the status line, "404 Not Found"
}

// Error says what the server answered, "server answered 404 Not Found".
func (e *StatusError) Error() string { return "server answered " + e.Status }

// Unwrap returns ErrFetch.
func (e *StatusError) Unwrap() error { return ErrFetch }

// Fetcher downloads pages. It is safe for concurrent use.
type Fetcher struct {
	cfg    Config
	client *http.Client
	pace   *pacer
	robots *robotsCache
	agent  string // the product token robots.txt files name footnote by (productToken)
}

// New returns a Fetcher for cfg, with defaults filled in. It never fails.
func New(cfg Config) *Fetcher {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.Allow == nil {
		cfg.Allow = Public
	}
	if cfg.AllowPrivate {
		cfg.Allow = func(netip.Addr) bool { return true }
	}
	if cfg.LookupIPAddr == nil {
		cfg.LookupIPAddr = net.DefaultResolver.LookupIPAddr
	}
	f := &Fetcher{
		cfg:    cfg,
		pace:   &pacer{delay: cfg.HostDelay, next: map[string]time.Time{}, sites: cfg.Sites},
		robots: &robotsCache{sites: map[string]*robotsEntry{}},
		agent:  productToken(cfg.UserAgent),
	}
	d := &dialer{
		allowPrivate: cfg.AllowPrivate,
		allow:        cfg.Allow,
		lookup:       cfg.LookupIPAddr,
		net:          net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second},
	}
	d.net.Control = d.control
	transport := &http.Transport{
		Proxy:                  nil, // a proxy would dial for us and bypass the address check
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConns:           32,
		IdleConnTimeout:        90 * time.Second,
	}
	f.client = &http.Client{
		Transport:     transport,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// Fetch downloads rawURL and returns the page. Errors wrap ErrInvalidURL for a
// URL that is not plain http(s) (other schemes, user info, no host),
// ErrBlockedAddr when the URL, a redirect or any DNS answer points at a
// non-public address, ErrTooLarge when the body exceeds MaxBytes, and
// ErrFetch for everything else: network errors, timeouts, too many redirects, and
// HTTP statuses of 400 and above (a *StatusError, which names the status).
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*Response, error) {
	return f.fetch(ctx, rawURL, nil)
}

// fetch is Fetch with extra request headers (FetchIf's).
func (f *Fetcher) fetch(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	u, err := ParseWebURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("fetch: %w", err)
	}
	if err := f.checkURL(u); err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
	}
	if marked(ctx, markCrawl) {
		if err := f.checkRobots(ctx, u); err != nil {
			return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), err)
		}
	}
	if err := f.pace.wait(ctx, u.Hostname()); err != nil {
		return nil, fmt.Errorf("fetch %s: waiting for its turn at the site: %w", u.Redacted(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u.Redacted(), ErrInvalidURL)
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.wrap(ctx, u, err)
	}
	defer resp.Body.Close()
	final := resp.Request.URL
	if resp.StatusCode == http.StatusNotModified && header != nil {
		return withValidators(&Response{URL: final, NotModified: true}, resp.Header), nil
	}
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("fetch %s: %w", final.Redacted(), &StatusError{Code: resp.StatusCode, Status: resp.Status})
	}
	if resp.ContentLength > f.cfg.MaxBytes {
		return nil, fmt.Errorf("fetch %s: body of %d bytes exceeds %d bytes: %w",
			final.Redacted(), resp.ContentLength, f.cfg.MaxBytes, ErrTooLarge)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil {
		return nil, f.wrap(ctx, final, err)
	}
	if int64(len(body)) > f.cfg.MaxBytes {
		return nil, fmt.Errorf("fetch %s: body exceeds %d bytes: %w", final.Redacted(), f.cfg.MaxBytes, ErrTooLarge)
	}
	out := &Response{URL: final, ContentType: resp.Header.Get("Content-Type"), Body: body}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			out.LastModified = t.UTC()
		}
	}
	return withValidators(out, resp.Header), nil
}

// wrap turns a transport error into one that says what went wrong and keeps the sentinel
// a caller can test for.
func (f *Fetcher) wrap(ctx context.Context, u *url.URL, err error) error {
	switch {
	case errors.Is(err, ErrBlockedAddr), errors.Is(err, ErrInvalidURL),
		errors.Is(err, ErrFetch):
		return fmt.Errorf("fetch %s: %w", u.Redacted(), unwrapURLError(err))
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || isTimeout(err):
		return fmt.Errorf("fetch %s: timed out after %s: %w", u.Redacted(), f.cfg.Timeout, ErrFetch)
	case ctx.Err() != nil:
		return fmt.Errorf("fetch %s: %w: %w", u.Redacted(), ErrFetch, ctx.Err())
	default:
		return fmt.Errorf("fetch %s: %w: %w", u.Redacted(), ErrFetch, unwrapURLError(err))
	}
}

// unwrapURLError drops the *url.Error layer, whose message repeats the method and URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// checkRedirect counts redirects and re-checks each target URL; the dial of the target goes
// through the same checking dialer.
func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if limit := max(f.cfg.MaxRedirects, 0); len(via) > limit {
		return fmt.Errorf("stopped after %d redirects: %w", limit, ErrFetch)
	}
	if err := f.checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
	}
	if marked(req.Context(), markCrawl) {
		if err := f.checkRobots(req.Context(), req.URL); err != nil {
			return fmt.Errorf("redirect to %s: %w", req.URL.Redacted(), err)
		}
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	return nil
}

// checkURL refuses what is not a plain http(s) URL, and hosts that are blocked by name or
// by literal address. It is an early, friendlier refusal; the dialer checks again.
func (f *Fetcher) checkURL(u *url.URL) error {
	if err := checkWebURL(u); err != nil {
		return err
	}
	if u.User != nil {
		return fmt.Errorf("URLs with a user name or password are not fetched: %w", ErrInvalidURL)
	}
	host := normHost(u.Hostname())
	if host == "" {
		return fmt.Errorf("URL has no host: %w", ErrInvalidURL)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("URL has an invalid port %q: %w", p, ErrInvalidURL)
		}
	}
	if f.cfg.AllowPrivate {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !f.cfg.Allow(a) {
			return fmt.Errorf("address %s is not public: %w", a, ErrBlockedAddr)
		}
		return nil
	}
	if blockedName(host) {
		return fmt.Errorf("host %s is not public: %w", host, ErrBlockedAddr)
	}
	return nil
}
