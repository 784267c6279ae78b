// Package feed reads RSS, Atom and JSON feeds for footnote's tracking: it fetches a feed
// through the SSRF-safe fetcher (conditionally, so an unchanged feed costs a 304), follows
// an HTML page to the feed it advertises, and returns the newest items with their links
// resolved, their GUIDs deduplicated and their dates as given (none when the feed has none).
package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// MaxItems is how many items one poll returns, the newest first. More items per poll catch
// up faster after a long pause; fewer bound the page fetches (and embeddings) one poll can
// cause when a feed lists hundreds of entries. The feed's bytes are capped by the fetcher.
const MaxItems = 50

// MaxTTL caps how long a feed may ask to be left alone (RSS <ttl>, Cache-Control max-age).
// Longer would let one header put the next poll years away; shorter overrides feeds that
// honestly change less than daily, costing them one 304 a day.
const MaxTTL = 24 * time.Hour

// accept asks for feeds first and HTML (a page that advertises its feed) last.
const accept = "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.5, */*;q=0.1"

// ErrMalformed is a document that is neither a feed nor an HTML page advertising one.
var ErrMalformed = errors.New("not a readable RSS, Atom or JSON feed")

// Item is one entry of a feed.
type Item struct {
	URL       string    // the entry's link, absolute
	Title     string    // may be empty
	GUID      string    // the feed's id for the entry, or its URL when it has none
	Published time.Time // zero when the feed gives no date
}

// Result is one poll of a feed.
type Result struct {
	URL          string // the feed's final URL: after redirects and after an HTML page's link
	Title        string
	Items        []Item // at most MaxItems, newest first; empty when NotModified
	NotModified  bool   // the server answered 304 to the validators sent
	ETag         string // validators to send next time
	LastModified string
	// TTL is how long the feed asks to be left alone: RSS <ttl> or Cache-Control max-age,
	// the longer, at most MaxTTL; zero when it says nothing.
	TTL time.Duration
}

// Poll fetches rawURL with the validators of c and parses it. An HTML page is followed,
// once, to the feed its <link rel="alternate"> names. Errors wrap the fetcher's sentinels
// or ErrMalformed.
func Poll(ctx context.Context, f *fetch.Fetcher, rawURL string, c fetch.Conditional) (*Result, error) {
	c.Accept = accept
	resp, err := f.FetchIf(ctx, rawURL, c)
	if err != nil {
		return nil, err
	}
	if !resp.NotModified && isHTML(resp) {
		link := Discover(resp.Body, resp.URL)
		if link == "" {
			return nil, fmt.Errorf("%s is a web page that advertises no feed: %w", resp.URL.Redacted(), ErrMalformed)
		}
		resp, err = f.FetchIf(ctx, link, fetch.Conditional{Accept: accept})
		if err != nil {
			return nil, err
		}
		if isHTML(resp) {
			return nil, fmt.Errorf("%s, advertised as a feed, is a web page: %w", resp.URL.Redacted(), ErrMalformed)
		}
	}
	r := &Result{URL: resp.URL.String(), NotModified: resp.NotModified, ETag: resp.ETag,
		LastModified: resp.LastModifiedRaw, TTL: min(resp.MaxAge, MaxTTL)}
	if resp.NotModified {
		return r, nil
	}
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	parsed, err := p.Parse(bytes.NewReader(resp.Body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", resp.URL.Redacted(), ErrMalformed, err)
	}
	r.Title = strings.TrimSpace(parsed.Title)
	if orig, ok := parsed.OriginalFeed().(*rss.Feed); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(orig.TTL)); err == nil && n > 0 {
			// Capped before multiplying, so a huge <ttl> cannot overflow to a negative.
			r.TTL = max(r.TTL, time.Duration(min(n, int(MaxTTL/time.Minute)))*time.Minute)
		}
	}
	r.Items = items(parsed.Items, resp.URL)
	return r, nil
}

// items turns the feed's entries into Items: links resolved against base, entries without
// a usable link dropped, repeated GUIDs or links kept once, at most MaxItems, newest first.
func items(in []*gofeed.Item, base *url.URL) []Item {
	seen := map[string]bool{}
	var out []Item
	for _, it := range in {
		if it == nil {
			continue
		}
		link := strings.TrimSpace(it.Link)
		if link == "" && isWebURL(it.GUID) {
			link = strings.TrimSpace(it.GUID)
		}
		ref, err := url.Parse(link)
		if link == "" || err != nil {
			continue
		}
		abs := base.ResolveReference(ref)
		if abs.Scheme != "http" && abs.Scheme != "https" {
			continue
		}
		abs.Fragment = ""
		guid := strings.TrimSpace(it.GUID)
		if guid == "" {
			guid = abs.String()
		}
		if seen["g:"+guid] || seen["u:"+abs.String()] {
			continue
		}
		seen["g:"+guid], seen["u:"+abs.String()] = true, true
		item := Item{URL: abs.String(), Title: strings.TrimSpace(it.Title), GUID: guid}
		switch {
		case it.PublishedParsed != nil:
			item.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			item.Published = it.UpdatedParsed.UTC()
		}
		out = append(out, item)
	}
	// Feeds list their newest entries first, mostly; when every entry is dated, the dates
	// decide. An undated entry gets no invented date, so then the feed's order stands.
	if !slices.ContainsFunc(out, func(i Item) bool { return i.Published.IsZero() }) {
		slices.SortStableFunc(out, func(a, b Item) int { return b.Published.Compare(a.Published) })
	}
	if len(out) > MaxItems {
		out = out[:MaxItems]
	}
	return out
}

func isWebURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// isHTML tells an HTML page from a feed: by its Content-Type, or by its first bytes when
// the server sends none or a generic one.
func isHTML(r *fetch.Response) bool {
	ct := strings.ToLower(r.ContentType)
	if strings.Contains(ct, "html") {
		return true
	}
	if strings.Contains(ct, "xml") || strings.Contains(ct, "json") {
		return false
	}
	head := bytes.ToLower(bytes.TrimSpace(r.Body[:min(len(r.Body), 1024)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}
