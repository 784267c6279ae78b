package extract

import (
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// body is enough article text for readability to find and for HTML to accept.
const body = `<article>
<p>The library on Mill Street will open on Sundays from next month, the city said on Friday,
after a petition signed by more than two thousand residents asked for weekend hours.</p>
<p>Staff will work the extra day on a rota, and the city will pay for two part-time posts
from the culture budget. The children's room will run a reading hour at eleven o'clock.</p>
<p>Residents who signed the petition said the library was the only quiet place in the
neighbourhood to study, and that Saturdays were too crowded to find a seat.</p>
</article>`

// page builds an HTML page from head elements and the standard article body.
func page(head string) []byte {
	return []byte("<!DOCTYPE html><html><head><title>Library opens on Sundays</title>" + head +
		"</head><body>" + body + "</body></html>")
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestHTMLCanonicalURL(t *testing.T) {
	const from = "https://www.citynews.example/local/library-sundays?utm_campaign=x"
	tests := []struct {
		name string
		head string
		page string
		want string
	}{
		{"a canonical link on the same site is used and normalised",
			`<link rel="canonical" href="https://CityNews.example:443/local/library-sundays/?fbclid=abc#top">`,
			from, "https://citynews.example/local/library-sundays"},
		{"a relative canonical link is resolved against the page",
			`<link rel="canonical" href="/local/library-sundays-2026">`,
			from, "https://www.citynews.example/local/library-sundays-2026"},
		{"a canonical link on another site is ignored",
			`<link rel="canonical" href="https://attacker.example/local/library-sundays">`,
			from, "https://www.citynews.example/local/library-sundays"},
		{"a canonical link on a sibling under a public suffix is ignored",
			`<link rel="canonical" href="https://other.github.io/post">`,
			"https://mine.github.io/post", "https://mine.github.io/post"},
		{"a non-http canonical link is ignored",
			`<link rel="canonical" href="javascript:alert(1)">`,
			from, "https://www.citynews.example/local/library-sundays"},
		{"a canonical link too long to store is ignored",
			`<link rel="canonical" href="/local/` + strings.Repeat("x", fetch.MaxURLBytes) + `">`,
			from, "https://www.citynews.example/local/library-sundays"},
		{"og:url is used when there is no canonical link",
			`<meta property="og:url" content="http://m.citynews.example/local/library-sundays">`,
			from, "http://m.citynews.example/local/library-sundays"},
		{"the page URL is used when the page claims nothing",
			``, from, "https://www.citynews.example/local/library-sundays"},
		{"an uploaded page has no URL whatever it claims",
			`<link rel="canonical" href="https://citynews.example/x">`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var u *url.URL
			if tt.page != "" {
				u = mustURL(t, tt.page)
			}
			doc, err := HTML(page(tt.head), u)
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if doc.URL != tt.want {
				t.Errorf("URL = %q, want %q", doc.URL, tt.want)
			}
		})
	}
}

func TestHTMLMetadata(t *testing.T) {
	from := "https://www.citynews.example/local/library-sundays"
	tests := []struct {
		name      string
		head      string
		wantSite  string
		wantPub   string // RFC 3339, "" for zero
		wantTitle string
	}{
		{"the site falls back to the host without www",
			``, "citynews.example", "", "Library opens on Sundays"},
		{"og:site_name names the site",
			`<meta property="og:site_name" content=" City  News ">`, "City News", "", "Library opens on Sundays"},
		{"article:published_time gives the date",
			`<meta property="article:published_time" content="2026-02-27T09:15:00-05:00">`,
			"citynews.example", "2026-02-27T14:15:00Z", "Library opens on Sundays"},
		{"JSON-LD datePublished inside @graph gives the date",
			`<script type="application/ld+json">{"@graph":[{"@type":"WebPage"},{"@type":"NewsArticle","datePublished":"2026-02-26"}]}</script>`,
			"citynews.example", "2026-02-26T00:00:00Z", "Library opens on Sundays"},
		{"an unparsable date is left unknown",
			`<meta property="article:published_time" content="last Tuesday">`,
			"citynews.example", "", "Library opens on Sundays"},
		{"og:title is preferred to the title element",
			`<meta property="og:title" content="Sunday opening for Mill Street library">`,
			"citynews.example", "", "Sunday opening for Mill Street library"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := HTML(page(tt.head), mustURL(t, from))
			if err != nil {
				t.Fatalf("HTML: %v", err)
			}
			if doc.Site != tt.wantSite {
				t.Errorf("Site = %q, want %q", doc.Site, tt.wantSite)
			}
			if gotPub := dateOf(doc, time.RFC3339); gotPub != tt.wantPub {
				t.Errorf("Published = %q, want %q", gotPub, tt.wantPub)
			}
			if doc.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", doc.Title, tt.wantTitle)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	doc, err := HTML(page(""), nil)
	if err != nil {
		t.Fatalf("HTML: %v", err)
	}
	t.Run("paragraphs are separated by one blank line", func(t *testing.T) {
		if n := len(strings.Split(doc.Text, "\n\n")); n != 3 {
			t.Errorf("got %d paragraphs, want 3:\n%s", n, doc.Text)
		}
		if strings.Contains(doc.Text, "\n\n\n") {
			t.Error("text has more than one blank line between paragraphs")
		}
	})
	t.Run("whitespace inside a paragraph is collapsed", func(t *testing.T) {
		for _, p := range strings.Split(doc.Text, "\n\n") {
			if strings.Contains(p, "\n") || strings.Contains(p, "  ") {
				t.Errorf("paragraph has uncollapsed whitespace: %q", p)
			}
		}
	})
	t.Run("script, style and hidden text never reaches the article", func(t *testing.T) {
		raw, err := os.ReadFile("testdata/scripts.html")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := HTML(raw, nil)
		if err != nil {
			t.Fatalf("HTML: %v", err)
		}
		if strings.Contains(doc.Text, "SHOULD NOT APPEAR") || strings.Contains(doc.Text, "loadAd") {
			t.Errorf("text contains script, style or hidden content:\n%s", doc.Text)
		}
	})
	t.Run("an article nested two hundred divs deep is still read", func(t *testing.T) {
		nested := "<html><body>" + strings.Repeat("<div>", 200) + body + strings.Repeat("</div>", 200) + "</body></html>"
		if _, err := HTML([]byte(nested), nil); err != nil {
			t.Fatalf("HTML: %v", err)
		}
	})
	t.Run("a latin-1 page is decoded to UTF-8", func(t *testing.T) {
		latin1 := strings.ReplaceAll(string(page(`<meta charset="iso-8859-1">`)), "neighbourhood", "quartier d\xe9j\xe0 calme")
		doc, err := HTML([]byte(latin1), nil)
		if err != nil {
			t.Fatalf("HTML: %v", err)
		}
		if !strings.Contains(doc.Text, "quartier déjà calme") {
			t.Errorf("text was not decoded:\n%s", doc.Text)
		}
	})
}

func TestHTMLRefusesNonArticles(t *testing.T) {
	deep := func(open, close string, n int) []byte {
		return []byte("<html><body>" + strings.Repeat(open, n) + body + strings.Repeat(close, n) + "</body></html>")
	}
	tests := []struct {
		name string
		html []byte
	}{
		{"an empty page is not an article", []byte("")},
		{"a page with only a title is not an article", []byte("<title>Only a title</title>")},
		{"a script-only page is not an article", []byte(`<html><head><script>var text = "` +
			strings.Repeat("all the text lives in this script. ", 40) + `";</script></head><body><div id=app></div></body></html>`)},
		{"a page with a few words is not an article", []byte("<html><body><p>Subscribe to read this story.</p></body></html>")},
		{"a page nested thousands of divs deep is refused without panicking", deep("<div>", "</div>", 5000)},
		{"a page whose only text is nested below the depth limit is refused", deep("<div>", "</div>", 400)},
		{"a page nested thousands of tables deep is refused without panicking", deep("<table><tr><td>", "</td></tr></table>", 3000)},
		{"a page with too many elements is refused", []byte("<html><body>" + strings.Repeat("<i></i>", maxElements+1) + body + "</body></html>")},
		{"binary junk is not an article", []byte("\x00\x01\x02\xff\xfe PNG \x89\x00")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := HTML(tt.html, mustURL(t, "https://news.example/a"))
			if !errors.Is(err, ErrEmptyArticle) {
				t.Fatalf("HTML = %+v, %v; want ErrEmptyArticle", doc, err)
			}
		})
	}
}

// A short Japanese news article is an article: a character of Chinese, Japanese or Korean
// counts two towards MinTextLen. A Japanese paywall line is not.
func TestHTMLReadsAShortJapaneseArticle(t *testing.T) {
	page := `<html><head><title>東海道新幹線、開業60年</title></head><body><nav><a href="/">ホーム</a></nav><article><h1>東海道新幹線、開業60年</h1>` +
		`<p>東海道新幹線は1964年10月に開業した。東京駅と新大阪駅を最速で約2時間半で結んでいる。</p>` +
		`<p>開業以来、乗客の死亡事故は一度も起きていない。記念の式典が東京駅で開かれ、多くの鉄道ファンが集まった。式典には約500人が出席した。</p></article></body></html>`
	doc, err := HTML([]byte(page), mustURL(t, "https://news.example/ja/shinkansen"))
	if err != nil {
		t.Fatalf("HTML: %v", err)
	}
	if n := len([]rune(doc.Text)); n >= MinTextLen || !strings.Contains(doc.Text, "1964年10月に開業した。") || doc.Title != "東海道新幹線、開業60年" {
		t.Errorf("HTML = %q (%d characters), title %q; want the article, under %d characters", doc.Text, n, doc.Title, MinTextLen)
	}
	if _, err := HTML([]byte("<html><body><p>この記事は会員限定です。</p></body></html>"), mustURL(t, "https://news.example/ja/x")); !errors.Is(err, ErrEmptyArticle) {
		t.Errorf("a paywall line: %v; want ErrEmptyArticle", err)
	}
}
