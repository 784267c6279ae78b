package extract

import (
	"encoding/json"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// meta is what the page says about itself outside the article body.
type meta struct {
	canonical string // <link rel="canonical" href>
	ogURL     string // og:url
	siteName  string // og:site_name
	title     string // og:title, else <title>
	author    string // <meta name="author">
	published string // article:published_time, JSON-LD datePublished, <time datetime>, in that order
}

// readMeta walks doc once, without recursion so that deep nesting cannot exhaust anything.
func readMeta(doc *html.Node) meta {
	var m meta
	var pubMeta, pubLD, pubTime, docTitle string
	stack := []*html.Node{doc}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, c)
		}
		if n.Type != html.ElementNode {
			continue
		}
		switch n.DataAtom {
		case atom.Link:
			if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
				m.canonical = strings.TrimSpace(attr(n, "href"))
			}
		case atom.Meta:
			key := strings.ToLower(strings.TrimSpace(attr(n, "property")))
			if key == "" {
				key = strings.ToLower(strings.TrimSpace(attr(n, "name")))
			}
			val := strings.TrimSpace(attr(n, "content"))
			if val == "" {
				continue
			}
			switch key {
			case "og:url":
				setOnce(&m.ogURL, val)
			case "og:site_name":
				setOnce(&m.siteName, val)
			case "og:title":
				setOnce(&m.title, val)
			case "author":
				setOnce(&m.author, val)
			case "article:published_time", "og:article:published_time", "datepublished":
				setOnce(&pubMeta, val)
			}
		case atom.Script:
			if pubLD == "" && strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
				pubLD = ldDatePublished(textOf(n))
			}
		case atom.Time:
			setOnce(&pubTime, strings.TrimSpace(attr(n, "datetime")))
		case atom.Title:
			if docTitle == "" {
				docTitle = collapse(textOf(n))
			}
		}
	}
	setOnce(&m.title, docTitle)
	for _, p := range []string{pubMeta, pubLD, pubTime} {
		setOnce(&m.published, p)
	}
	return m
}

// ldDatePublished finds the first datePublished in a JSON-LD block, looking through arrays
// and @graph.
func ldDatePublished(src string) string {
	var v any
	if json.Unmarshal([]byte(src), &v) != nil {
		return ""
	}
	queue := []any{v}
	for len(queue) > 0 && len(queue) < 10000 {
		v, queue = queue[0], queue[1:]
		switch x := v.(type) {
		case []any:
			queue = append(queue, x...)
		case map[string]any:
			if s, ok := x["datePublished"].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
			if g, ok := x["@graph"]; ok {
				queue = append(queue, g)
			}
		}
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}

// textOf concatenates the text children of n (enough for <title> and <script>).
func textOf(n *html.Node) string {
	var sb strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			sb.WriteString(c.Data)
		}
	}
	return sb.String()
}

func setOnce(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
