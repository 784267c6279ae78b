package extract

import (
	"strings"
	"testing"
	"time"
)

// datedPage is an HTML page with head elements, body elements before the article, and
// elements inside the article before its text.
func datedPage(head, before, inside string) []byte {
	art := strings.Replace(body, "<article>", "<article>"+inside, 1)
	return []byte("<!DOCTYPE html><html><head><title>Library opens on Sundays</title>" + head +
		"</head><body>" + before + art + "</body></html>")
}

// dateOf is doc's publication date in layout, or "" when it has none.
func dateOf(doc *Document, layout string) string {
	if doc.Published.IsZero() {
		return ""
	}
	return doc.Published.Format(layout)
}

func TestHTMLPublicationDate(t *testing.T) {
	const ld = `<script type="application/ld+json">%s</script>`
	tests := []struct {
		name, head, before, inside string
		want                       string // RFC 3339, "" for unknown
	}{
		{"meta name=date gives the date", `<meta name="date" content="2026-02-20">`, "", "", "2026-02-20T00:00:00Z"},
		{"meta name=pubdate gives the date", `<meta name="pubdate" content="2026-02-20T10:00:00Z">`, "", "", "2026-02-20T10:00:00Z"},
		{"DC.date gives the date", `<meta name="DC.date" content="2026-02-19">`, "", "", "2026-02-19T00:00:00Z"},
		{"sailthru.date gives the date", `<meta name="sailthru.date" content="2026-02-18 09:30:00">`, "", "", "2026-02-18T09:30:00Z"},
		{"parsely-pub-date gives the date", `<meta name="parsely-pub-date" content="2026-02-17T08:00:00+01:00">`, "", "", "2026-02-17T07:00:00Z"},
		{"meta itemprop=datePublished gives the date", `<meta itemprop="datePublished" content="2026-02-16">`, "", "", "2026-02-16T00:00:00Z"},
		{"JSON-LD datePublished of a NewsArticle gives the date",
			strings.Replace(ld, "%s", `{"@type":"NewsArticle","datePublished":"2026-02-15T12:00:00Z"}`, 1), "", "", "2026-02-15T12:00:00Z"},
		{"JSON-LD prefers the article's date to the web page's in @graph",
			strings.Replace(ld, "%s", `{"@graph":[{"@type":"WebPage","datePublished":"2020-01-01"},{"@type":["NewsArticle"],"datePublished":"2026-02-14"}]}`, 1),
			"", "", "2026-02-14T00:00:00Z"},
		{"JSON-LD finds an article nested under mainEntity",
			strings.Replace(ld, "%s", `{"@type":"WebPage","mainEntity":{"@type":"BlogPosting","datePublished":"2026-02-13"}}`, 1),
			"", "", "2026-02-13T00:00:00Z"},
		{"a time marked pubdate gives the date wherever it is", "",
			`<header><time datetime="2026-01-01">today</time><time pubdate datetime="2026-02-12">12 Feb</time></header>`, "", "2026-02-12T00:00:00Z"},
		{"a time with itemprop=datePublished gives the date", "",
			`<header><time itemprop="datePublished" datetime="2026-02-11">11 Feb</time></header>`, "", "2026-02-11T00:00:00Z"},
		{"the first time in the article gives the date", "",
			"", `<time datetime="2026-02-10T08:00:00Z">10 Feb</time><time datetime="2026-02-09">9 Feb</time>`, "2026-02-10T08:00:00Z"},
		{"a time outside the article, such as a header's clock, is not the date", "",
			`<header><time datetime="2026-11-30">30 Nov 2026</time></header>`, "", ""},
		{"article:published_time wins over the weaker signals",
			`<meta name="date" content="2026-01-05"><meta property="article:published_time" content="2026-02-08">`, "",
			`<time datetime="2026-01-06">6 Jan</time>`, "2026-02-08T00:00:00Z"},
		{"JSON-LD wins over meta name=date",
			`<meta name="date" content="2026-01-05">` + strings.Replace(ld, "%s", `{"@type":"Article","datePublished":"2026-02-07"}`, 1),
			"", "", "2026-02-07T00:00:00Z"},
		{"an unreadable strong signal gives way to a readable weaker one",
			`<meta property="article:published_time" content="last Tuesday"><meta name="date" content="2026-02-06">`, "", "", "2026-02-06T00:00:00Z"},
		{"a placeholder year in the strongest tag gives way to the next tag",
			`<meta property="article:published_time" content="0000-01-01T00:00:00Z"><meta name="date" content="2026-02-04">`, "", "", "2026-02-04T00:00:00Z"},
		{"the Unix epoch is no date", `<meta property="article:published_time" content="1970-01-01T00:00:00Z">`, "", "", ""},
		{"a never-expires date is no date", `<meta name="date" content="9999-12-31">`, "", "", ""},
		{"a template's future year is no date", `<meta name="date" content="2099-01-01">`, "", "", ""},
		{"an ambiguous day/month date is not guessed", `<meta name="date" content="02/05/2026">`, "", "", ""},
		{"a page without any date signal has no date", "", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := HTML(datedPage(tt.head, tt.before, tt.inside), mustURL(t, "https://news.example/a"))
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if got := dateOf(doc, time.RFC3339); got != tt.want {
				t.Errorf("Published = %q, want %q", got, tt.want)
			}
		})
	}
}
