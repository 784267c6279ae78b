package feed

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// feedTypes are the <link type> values that name a feed, in the order Discover prefers.
var feedTypes = []string{"application/atom+xml", "application/rss+xml", "application/feed+json", "application/json"}

// Discover returns the absolute URL of the feed an HTML page advertises with
// <link rel="alternate" type="application/rss+xml|atom+xml|feed+json">, resolved against
// base (or the page's <base href>), or "" when it advertises none.
func Discover(page []byte, base *url.URL) string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return ""
	}
	found := map[string]string{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		a := attrs(n)
		switch n.Data {
		case "base":
			if b, err := base.Parse(a["href"]); err == nil && a["href"] != "" {
				base = b
			}
		case "link":
			rels := strings.Fields(strings.ToLower(a["rel"]))
			typ := strings.ToLower(strings.TrimSpace(a["type"]))
			if a["href"] == "" || !contains(rels, "alternate") || found[typ] != "" {
				continue
			}
			if u, err := base.Parse(strings.TrimSpace(a["href"])); err == nil {
				found[typ] = u.String()
			}
		}
	}
	for _, t := range feedTypes {
		if found[t] != "" {
			return found[t]
		}
	}
	return ""
}

func attrs(n *html.Node) map[string]string {
	m := map[string]string{}
	for _, a := range n.Attr {
		m[strings.ToLower(a.Key)] = a.Val
	}
	return m
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
