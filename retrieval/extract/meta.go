package extract

import (
	"encoding/json"
	"maps"
	"slices"
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
	// published holds the page's claims to a publication date, strongest first (see
	// readMeta); HTML takes the first that ParseDate reads.
	published []string
}

// Meta names and properties that carry a publication date. The first group is the
// explicit article metadata that publishers fill on purpose; the second holds the older or
// vendor-specific tags, which some sites fill with a modification date, so they count only
// after JSON-LD.
var (
	pubMetaKeys = map[string]bool{
		"article:published_time": true, "og:article:published_time": true, "datepublished": true,
	}
	dateMetaKeys = map[string]bool{
		"date": true, "pubdate": true, "publishdate": true, "publish-date": true, "publish_date": true,
		"dc.date": true, "dc.date.issued": true, "dcterms.date": true, "dcterms.issued": true,
		"dcterms.created": true, "sailthru.date": true, "parsely-pub-date": true, "article.published": true,
	}
)

// readMeta walks doc once, without recursion so that deep nesting cannot exhaust anything.
// The publication date candidates are, strongest first: article:published_time and its
// kin, <meta itemprop="datePublished">, JSON-LD datePublished, the other date meta tags
// (name="date", pubdate, DC.date, sailthru.date, parsely-pub-date, ...), a <time> marked
// pubdate or itemprop="datePublished", and the first <time datetime> inside <article> or
// <main> (one elsewhere is as likely a header's clock or a related story's), or anywhere
// on a page that has neither.
func readMeta(doc *html.Node) meta {
	var m meta
	var pubMeta, pubItemprop, pubLD, pubOther, pubTimeMarked, pubTime, pubTimeAny, docTitle string
	hasArticle := false
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
		case atom.Article, atom.Main:
			hasArticle = true
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
			if hasToken(attr(n, "itemprop"), "datePublished") {
				setOnce(&pubItemprop, val)
			}
			switch {
			case pubMetaKeys[key]:
				setOnce(&pubMeta, val)
			case dateMetaKeys[key]:
				setOnce(&pubOther, val)
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
			}
		case atom.Script:
			if pubLD == "" && strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
				pubLD = ldDatePublished(textOf(n))
			}
		case atom.Time:
			dt := strings.TrimSpace(attr(n, "datetime"))
			switch {
			case dt == "":
			case hasAttr(n, "pubdate") || hasToken(attr(n, "itemprop"), "datePublished"):
				setOnce(&pubTimeMarked, dt)
			case inArticle(n):
				setOnce(&pubTime, dt)
			default:
				setOnce(&pubTimeAny, dt)
			}
		case atom.Title:
			if docTitle == "" {
				docTitle = collapse(textOf(n))
			}
		}
	}
	setOnce(&m.title, docTitle)
	if !hasArticle {
		pubTime = pubTimeAny
	}
	for _, p := range []string{pubMeta, pubItemprop, pubLD, pubOther, pubTimeMarked, pubTime} {
		if p != "" {
			m.published = append(m.published, p)
		}
	}
	return m
}

// inArticle reports whether n lies inside an <article> or <main> element.
func inArticle(n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && (p.DataAtom == atom.Article || p.DataAtom == atom.Main) {
			return true
		}
	}
	return false
}

// hasAttr reports whether n carries the attribute key, with or without a value.
func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

// ldDatePublished finds the datePublished of a JSON-LD block: that of the first object
// typed as an article (NewsArticle, ReportageNewsArticle, BlogPosting, ...), else the first
// found, looking through arrays, @graph and nested objects breadth first.
func ldDatePublished(src string) string {
	var v any
	if json.Unmarshal([]byte(src), &v) != nil {
		return ""
	}
	first := ""
	queue := []any{v}
	for seen := 0; len(queue) > 0 && seen < maxLDNodes; seen++ {
		v, queue = queue[0], queue[1:]
		switch x := v.(type) {
		case []any:
			queue = append(queue, x...)
		case map[string]any:
			if s, ok := x["datePublished"].(string); ok && strings.TrimSpace(s) != "" {
				if isArticleType(x["@type"]) {
					return strings.TrimSpace(s)
				}
				setOnce(&first, strings.TrimSpace(s))
			}
			for _, k := range slices.Sorted(maps.Keys(x)) { // sorted: the same page, the same date
				queue = append(queue, x[k])
			}
		}
	}
	return first
}

// maxLDNodes bounds the JSON values ldDatePublished looks at in one block.
const maxLDNodes = 10000

// isArticleType reports whether a JSON-LD @type (a string or a list of them) names a kind
// of article: schema.org's Article and its subtypes end in "Article" or "Posting".
func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return strings.HasSuffix(x, "Article") || strings.HasSuffix(x, "Posting") || x == "Report"
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
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
