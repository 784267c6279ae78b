package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A crawl is footnote fetching pages nobody chose one by one: a feed's items and the
// recrawls of articles already added. Those fetches keep to the site's robots.txt (RFC 9309)
// for footnote's product token and, failing a group of its own, "*"; a member's /add of one
// page is a fetch the member asked for, as a browser's is, and does not. A feed document
// itself is published for programs to poll, and the member subscribed to it: it is fetched
// as asked, and the items it lists are crawled.

// Crawling marks ctx's fetches as a crawl: each page (and each redirect target) must be
// allowed by its site's robots.txt, or the fetch fails with ErrDisallowed. A Crawl-delay
// in the robots.txt group footnote keeps to also paces unattended fetches from the site.
func Crawling(ctx context.Context) context.Context {
	return context.WithValue(ctx, markCrawl, true)
}

// RFC 9309's limits and the cache's.
const (
	// robotsMaxBytes is how much of a robots.txt is read: RFC 9309 asks crawlers to parse
	// at least 500 KiB; rules past that are ignored.
	robotsMaxBytes = 500 << 10
	// robotsTTL is how long a fetched robots.txt is used: RFC 9309 asks that a cached copy
	// not be used for more than 24 hours.
	robotsTTL = 24 * time.Hour
	// robotsRetry is how long a robots.txt that could not be fetched (a 5xx, a network
	// error) keeps the site's pages from being crawled before it is asked for again:
	// RFC 9309 reads an unreachable robots.txt as disallowing everything.
	robotsRetry = time.Minute
	// maxRobotsHosts bounds the cache; past it, expired entries are dropped first, then any.
	maxRobotsHosts = 4096
	// maxCrawlDelay caps a site's Crawl-delay: one page a minute is as slow as footnote goes.
	maxCrawlDelay = time.Minute
)

// robotsRules is the group of a robots.txt that applies to footnote.
type robotsRules struct {
	rules []robotsRule
	delay time.Duration // Crawl-delay, 0 when none
}

type robotsRule struct {
	allow   bool
	pattern string // percent-encoding normalised; may hold '*' and end in '$'
}

// parseRobots reads a robots.txt body and returns the rules for product token agent
// (lower case): the groups naming it, or, when none does, the groups for "*".
func parseRobots(body []byte, agent string) robotsRules {
	if len(body) > robotsMaxBytes {
		body = body[:robotsMaxBytes]
	}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var own, star robotsRules
	var ownFound bool
	var agents []string // the user-agent lines of the group being read
	inRules := false    // a rule line has been read since the last user-agent line
	for line := range strings.Lines(string(body)) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key, value = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(value)
		switch key {
		case "user-agent":
			if inRules {
				agents, inRules = nil, false
			}
			agents = append(agents, strings.ToLower(value))
		case "allow", "disallow", "crawl-delay":
			if len(agents) == 0 {
				continue // rules before any user-agent line belong to no group
			}
			inRules = true
			for _, a := range agents {
				var g *robotsRules
				switch {
				case agentMatches(a, agent):
					g, ownFound = &own, true
				case a == "*":
					g = &star
				default:
					continue
				}
				if key == "crawl-delay" {
					if s, err := strconv.ParseFloat(value, 64); err == nil && s > 0 {
						g.delay = min(time.Duration(s*float64(time.Second)), maxCrawlDelay)
					}
					continue
				}
				if value == "" {
					continue // "Disallow:" with no path allows everything: no rule
				}
				g.rules = append(g.rules, robotsRule{allow: key == "allow", pattern: normalisePath(value)})
			}
		}
	}
	if ownFound {
		return own
	}
	return star
}

// agentMatches reports whether a user-agent line's value names product token agent: RFC
// 9309 matches the token case-insensitively; a line that adds a version ("footnote/1.0")
// still names it.
func agentMatches(line, agent string) bool {
	if agent == "" {
		return false
	}
	token, _, _ := strings.Cut(line, "/")
	return strings.TrimSpace(token) == agent
}

// allowed reports whether path (escaped, with its query) may be crawled: the rule with the
// longest matching pattern decides, an allow winning a tie; no matching rule allows.
// "/robots.txt" is always allowed.
func (r robotsRules) allowed(path string) bool {
	path = normalisePath(path)
	if path == "/robots.txt" {
		return true
	}
	best, allow := -1, true
	for _, rule := range r.rules {
		if !patternMatches(rule.pattern, path) {
			continue
		}
		if n := len(rule.pattern); n > best || (n == best && rule.allow) {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// patternMatches reports whether a robots.txt pattern matches the beginning of path: '*'
// stands for any run of characters and a final '$' for the end of the path.
func patternMatches(pattern, path string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	// The first part must begin the path; each other part is found after the one before,
	// as early as possible (a greedy left-to-right match is enough for '*' alone). An
	// anchored pattern's last part must end the path.
	if !strings.HasPrefix(path, parts[0]) {
		return false
	}
	rest := path[len(parts[0]):]
	for i, p := range parts[1:] {
		last := i == len(parts)-2
		if last && anchored {
			return strings.HasSuffix(rest, p)
		}
		j := strings.Index(rest, p)
		if j < 0 {
			return false
		}
		rest = rest[j+len(p):]
	}
	return !anchored || rest == ""
}

// normalisePath writes a path as RFC 9309 compares it: bytes outside ASCII percent-encoded,
// percent escapes in upper case; a path that does not begin with '/' (or '*') gets one.
func normalisePath(p string) string {
	var b strings.Builder
	if p != "" && p[0] != '/' && p[0] != '*' {
		b.WriteByte('/')
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= 0x80 || c <= ' ':
			fmt.Fprintf(&b, "%%%02X", c)
		case c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]):
			b.WriteByte('%')
			b.WriteString(strings.ToUpper(p[i+1 : i+3]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// robotsCache holds each site's rules for robotsTTL (robotsRetry when its robots.txt could
// not be fetched). One fetch of a site's robots.txt serves every crawl waiting for it.
type robotsCache struct {
	mu    sync.Mutex
	sites map[string]*robotsEntry // scheme://host:port
}

type robotsEntry struct {
	ready   chan struct{} // closed once rules or err is set
	rules   robotsRules
	err     error // the robots.txt could not be fetched: nothing of the site is crawled
	expires time.Time
}

// ErrDisallowed is a page its site's robots.txt asks footnote's crawler not to fetch
// (Crawling); it wraps ErrFetch.
var ErrDisallowed = fmt.Errorf("%w: the site's robots.txt does not allow crawlers to fetch it", ErrFetch)

// checkRobots returns nil when a crawl may fetch u, ErrDisallowed when the site's
// robots.txt refuses it, and an ErrFetch error when that robots.txt could not be fetched.
// It sets the site's Crawl-delay on the pacer.
func (f *Fetcher) checkRobots(ctx context.Context, u *url.URL) error {
	rules, err := f.robotsFor(ctx, u)
	if err != nil {
		return err
	}
	if rules.delay > 0 {
		f.pace.atLeast(u.Hostname(), rules.delay)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	if !rules.allowed(path) {
		return ErrDisallowed
	}
	return nil
}

// robotsFor returns the rules of u's site, fetching its robots.txt when the cache has none.
func (f *Fetcher) robotsFor(ctx context.Context, u *url.URL) (robotsRules, error) {
	key := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	c := f.robots
	now := time.Now()
	c.mu.Lock()
	e := c.sites[key]
	if e != nil {
		select {
		case <-e.ready:
			if now.After(e.expires) {
				e = nil
			}
		default: // being fetched: wait for it below
		}
	}
	owner := e == nil
	if owner {
		if len(c.sites) >= maxRobotsHosts {
			c.evict(now)
		}
		e = &robotsEntry{ready: make(chan struct{})}
		c.sites[key] = e
	}
	c.mu.Unlock()
	if owner {
		e.rules, e.expires, e.err = f.readRobots(ctx, key, u)
		if e.err != nil {
			e.expires = time.Now().Add(robotsRetry)
			if ctx.Err() != nil {
				e.expires = time.Time{} // stopped, not unreachable: the next crawl asks again
			}
		}
		close(e.ready)
	}
	if !owner {
		select {
		case <-e.ready:
		case <-ctx.Done():
			return robotsRules{}, fmt.Errorf("waiting for the site's robots.txt: %w: %w", ErrFetch, ctx.Err())
		}
	}
	return e.rules, e.err
}

// evict drops expired entries, or, when none has expired, one entry (the map's order is
// as good as any: every entry is at most a robots.txt fetch away).
func (c *robotsCache) evict(now time.Time) {
	dropped := false
	for k, e := range c.sites {
		select {
		case <-e.ready:
			if now.After(e.expires) {
				delete(c.sites, k)
				dropped = true
			}
		default:
		}
	}
	if dropped {
		return
	}
	for k, e := range c.sites {
		select {
		case <-e.ready:
			delete(c.sites, k)
			return
		default:
		}
	}
}

// readRobots returns the rules of site (u's) and until when to use them: the copy another
// process read, when Config.Sites holds one from the last robotsTTL, else the site's
// own, fetched now (and shared). A robots.txt that could not be read is shared too, for
// robotsRetry: the other processes do not each ask a failing site for it again.
func (f *Fetcher) readRobots(ctx context.Context, site string, u *url.URL) (robotsRules, time.Time, error) {
	if s := f.cfg.Sites; s != nil {
		c, found, err := s.Robots(ctx, site, robotsTTL, robotsRetry)
		switch {
		case err != nil || !found:
		case c.Failure != "":
			return robotsRules{}, time.Now().Add(robotsRetry - c.Age), c.failure()
		case c.AllowAll:
			return robotsRules{}, time.Now().Add(robotsTTL - c.Age), nil
		default:
			return parseRobots(c.Body, f.agent), time.Now().Add(robotsTTL - c.Age), nil
		}
	}
	body, allowAll, err := f.fetchRobots(ctx, u)
	if err != nil {
		if s := f.cfg.Sites; s != nil && ctx.Err() == nil {
			// Stopped is not unreachable: only the site's failure is shared.
			_ = s.PutRobots(ctx, site, failedCopy(err))
		}
		return robotsRules{}, time.Now().Add(robotsRetry), err
	}
	if s := f.cfg.Sites; s != nil {
		// Not sharing it costs another process a fetch of it, no more.
		_ = s.PutRobots(ctx, site, RobotsCopy{Body: body, AllowAll: allowAll})
	}
	if allowAll {
		return robotsRules{}, time.Now().Add(robotsTTL), nil
	}
	return parseRobots(body, f.agent), time.Now().Add(robotsTTL), nil
}

// robotsUnreadable is the error of a crawl the site's unreadable robots.txt stops.
func robotsUnreadable(err error) error {
	return fmt.Errorf("the site's robots.txt could not be fetched, so nothing of it is crawled (RFC 9309): %w", err)
}

// failedCopy is fetchRobots's err, to share: its words, and the site's HTTP answer when
// it was one.
func failedCopy(err error) RobotsCopy {
	c := RobotsCopy{Failure: err.Error()}
	var se *StatusError
	if errors.As(err, &se) {
		c.Code, c.Status = se.Code, se.Status
	}
	return c
}

// failure is the error another process's failure to read a robots.txt was: the same
// words, ErrFetch, and the site's HTTP answer for errors.As when it was one.
func (c RobotsCopy) failure() error {
	e := &sharedFailure{msg: c.Failure}
	if c.Code != 0 {
		e.status = &StatusError{Code: c.Code, Status: c.Status}
	}
	return e
}

// sharedFailure is a robots.txt failure read from Sites.
type sharedFailure struct {
	msg    string
	status *StatusError
}

func (e *sharedFailure) Error() string { return e.msg }

func (e *sharedFailure) Unwrap() error {
	if e.status != nil {
		return e.status // which wraps ErrFetch
	}
	return ErrFetch
}

// fetchRobots fetches the robots.txt of u's site: its first robotsMaxBytes, or allowAll.
// RFC 9309: a 4xx answer means there are no rules (everything may be crawled); a 5xx
// answer or a network error means the site cannot say, and nothing is crawled.
func (f *Fetcher) fetchRobots(ctx context.Context, u *url.URL) (body []byte, allowAll bool, err error) {
	robots := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/robots.txt"}
	// The robots.txt itself is not a crawl (no robots.txt is asked about it), and takes its
	// turn at the site like the fetch it comes before.
	resp, err := f.fetch(context.WithValue(ctx, markCrawl, false), robots.String(), nil)
	var se *StatusError
	switch {
	case errors.As(err, &se) && se.Code >= 400 && se.Code < 500:
		return nil, true, nil
	case errors.Is(err, ErrTooLarge):
		// Larger than a page may be: RFC 9309 reads the first 500 KiB, and so the first
		// MaxBytes (more) would do, but the fetch keeps none of it. Read as no rules would
		// crawl what the site may refuse; as unreachable, nothing.
		return nil, false, fmt.Errorf("the site's robots.txt is too large to read: %w", ErrFetch)
	case err != nil:
		return nil, false, robotsUnreadable(err)
	}
	return resp.Body[:min(len(resp.Body), robotsMaxBytes)], false, nil
}

// productToken is the token a robots.txt names footnote's crawler by: the User-Agent
// header's first word, before its version ("footnote" in "footnote/1.0 (+https://...)").
func productToken(userAgent string) string {
	token, _, _ := strings.Cut(strings.TrimSpace(userAgent), " ")
	token, _, _ = strings.Cut(token, "/")
	return strings.ToLower(token)
}
