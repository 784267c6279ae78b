package fetch

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Background work (a recrawl, a feed's scheduled poll) fetches pages nobody waits for, one
// after another, often many from one site; a member's /add is one page, waited for. The
// first is paced per host (Config.HostDelay) so that footnote never fetches a site faster
// than one page every HostDelay on its own account; the second is not slowed, but counts.

// mark is a kind of fetch a caller marks its context with (Unattended, Crawling); the
// context holds it as a key whose value says whether it applies.
type mark int

const (
	markUnattended mark = iota
	markCrawl
)

// marked reports whether ctx carries m set.
func marked(ctx context.Context, m mark) bool {
	v, _ := ctx.Value(m).(bool)
	return v
}

// Unattended marks ctx's fetches as background work that no one waits on: each waits, when
// it must, until Config.HostDelay has passed since the last fetch from its host began.
func Unattended(ctx context.Context) context.Context {
	return context.WithValue(ctx, markUnattended, true)
}

// maxPacedHosts bounds the pacer's memory: past it, hosts whose turn has passed are
// forgotten (they would not have to wait anyway).
const maxPacedHosts = 4096

// pacer holds, per host, the earliest time the next unattended fetch from it may begin.
type pacer struct {
	delay time.Duration
	mu    sync.Mutex
	next  map[string]time.Time
	// site holds the Crawl-delay of a site's robots.txt where it is longer than delay.
	site map[string]time.Duration
	// sites, when set, holds the hosts' turns for every process (Config.Sites); next then
	// serves only when it fails.
	sites Sites
}

// atLeast makes host's delay at least d (its robots.txt's Crawl-delay), from its next turn.
func (p *pacer) atLeast(host string, d time.Duration) {
	host = strings.ToLower(host)
	p.mu.Lock()
	defer p.mu.Unlock()
	if d <= p.delay {
		delete(p.site, host)
		return
	}
	if p.site == nil {
		p.site = map[string]time.Duration{}
	}
	if len(p.site) >= maxPacedHosts {
		clear(p.site) // forgotten until the next crawl of each site reads its robots.txt again
	}
	p.site[host] = d
}

// wait takes host's next turn and, for an unattended fetch, waits for it (or for ctx). An
// attended fetch begins at once; the unattended fetch after it waits its delay all the
// same.
func (p *pacer) wait(ctx context.Context, host string) error {
	if p == nil {
		return nil
	}
	host = strings.ToLower(host)
	p.mu.Lock()
	delay := max(p.delay, p.site[host])
	p.mu.Unlock()
	if delay <= 0 {
		return nil
	}
	if p.sites != nil {
		if d, err := p.sites.Turn(ctx, host, delay, marked(ctx, markUnattended)); err == nil {
			return sleep(ctx, d)
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
		// The shared turns cannot be read: this process keeps its own, as without them.
	}
	now := time.Now()
	p.mu.Lock()
	if len(p.next) >= maxPacedHosts {
		for h, t := range p.next {
			if !t.After(now) {
				delete(p.next, h)
			}
		}
	}
	start := now
	if t := p.next[host]; marked(ctx, markUnattended) && t.After(now) {
		start = t
	}
	p.next[host] = start.Add(delay)
	p.mu.Unlock()
	return sleep(ctx, start.Sub(now))
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
