package feed_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/feed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

func rssOf(items ...string) string {
	return `<?xml version="1.0"?><rss version="2.0"><channel><title>Gazette</title><ttl>90</ttl>` +
		strings.Join(items, "") + `</channel></rss>`
}

func item(guid, link, date string) string {
	s := "<item><title>T " + guid + "</title><guid>" + guid + "</guid><link>" + link + "</link>"
	if date != "" {
		s += "<pubDate>" + date + "</pubDate>"
	}
	return s + "</item>"
}

// serve answers each path with its content type and body.
func serve(t *testing.T, pages map[string][2]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", p[0])
		fmt.Fprint(w, p[1])
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fetcher() *fetch.Fetcher {
	return fetch.New(fetch.Config{AllowPrivate: true, Timeout: 5 * time.Second})
}

func poll(t *testing.T, url string) *feed.Result {
	t.Helper()
	r, err := feed.Poll(context.Background(), fetcher(), url, fetch.Conditional{})
	if err != nil {
		t.Fatalf("Poll(%s): %v", url, err)
	}
	return r
}

func TestPollResolvesRelativeLinksAndDropsDuplicateGUIDs(t *testing.T) {
	srv := serve(t, map[string][2]string{"/news/feed.xml": {"application/rss+xml", rssOf(
		item("1", "/a/one", "Mon, 02 Jan 2006 15:04:05 GMT"),
		item("2", "two", "Tue, 03 Jan 2006 15:04:05 GMT"),
		item("1", "/a/one-again", "Mon, 02 Jan 2006 15:04:05 GMT"),
		item("3", "/a/one", ""),
	)}})
	r := poll(t, srv.URL+"/news/feed.xml")
	var got []string
	for _, it := range r.Items {
		got = append(got, strings.TrimPrefix(it.URL, srv.URL))
	}
	if strings.Join(got, " ") != "/news/two /a/one" {
		t.Errorf("items = %q, want /news/two and /a/one once each, newest first", got)
	}
	if r.Title != "Gazette" || r.TTL != 90*time.Minute {
		t.Errorf("title %q ttl %s, want Gazette and 90m", r.Title, r.TTL)
	}
}

func TestPollLeavesMissingDatesZeroAndSortsDatedItems(t *testing.T) {
	srv := serve(t, map[string][2]string{
		"/undated": {"application/rss+xml", rssOf(item("a", "/a", ""))},
		"/dated": {"application/atom+xml", `<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
			<entry><id>old</id><title>Old</title><link href="/old"/><updated>2020-01-01T00:00:00Z</updated></entry>
			<entry><id>new</id><title>New</title><link href="/new"/><updated>2024-01-01T00:00:00Z</updated></entry></feed>`},
	})
	if it := poll(t, srv.URL+"/undated").Items; len(it) != 1 || !it[0].Published.IsZero() {
		t.Errorf("undated items = %+v, want one with no date", it)
	}
	it := poll(t, srv.URL+"/dated").Items
	if len(it) != 2 || it[0].Title != "New" || it[0].Published.Year() != 2024 {
		t.Errorf("dated items = %+v, want New (2024) first", it)
	}
}

func TestPollCapsAHugeFeed(t *testing.T) {
	var items []string
	for i := range 500 {
		items = append(items, item(fmt.Sprint(i), fmt.Sprintf("/a/%d", i), ""))
	}
	srv := serve(t, map[string][2]string{"/big": {"application/rss+xml", rssOf(items...)}})
	r := poll(t, srv.URL+"/big")
	if len(r.Items) != feed.MaxItems || !strings.HasSuffix(r.Items[0].URL, "/a/0") {
		t.Errorf("got %d items starting %v, want the first %d", len(r.Items), r.Items[0].URL, feed.MaxItems)
	}
	small := fetch.New(fetch.Config{AllowPrivate: true, MaxBytes: 1000})
	if _, err := feed.Poll(context.Background(), small, srv.URL+"/big", fetch.Conditional{}); !errors.Is(err, fetch.ErrTooLarge) {
		t.Errorf("Poll over the byte cap: %v, want ErrTooLarge", err)
	}
}

func TestPollRefusesMalformedXML(t *testing.T) {
	srv := serve(t, map[string][2]string{
		"/bad":  {"application/rss+xml", `<rss version="2.0"><channel><title>x</title><item><link>/a</item>`},
		"/page": {"text/html", `<html><head><title>No feed</title></head><body>hi</body></html>`},
	})
	for _, p := range []string{"/bad", "/page"} {
		_, err := feed.Poll(context.Background(), fetcher(), srv.URL+p, fetch.Conditional{})
		if !errors.Is(err, feed.ErrMalformed) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Poll(%s) = %v, want a one-line ErrMalformed", p, err)
		}
	}
}

func TestPollFollowsRedirectsAndAdvertisedFeeds(t *testing.T) {
	srv := serve(t, map[string][2]string{
		"/blog/":         {"text/html", `<html><head><link rel="alternate" type="application/rss+xml" href="feed.xml"></head><body>Blog</body></html>`},
		"/blog/feed.xml": {"application/rss+xml", rssOf(item("1", "post", ""))},
		"/json":          {"application/feed+json", `{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"1","url":"/j/1","title":"One"}]}`},
	})
	mux := http.NewServeMux()
	mux.Handle("/old-feed", http.RedirectHandler(srv.URL+"/blog/feed.xml", http.StatusMovedPermanently))
	redir := httptest.NewServer(mux)
	t.Cleanup(redir.Close)

	for _, tt := range []struct{ from, feedURL, item string }{
		{srv.URL + "/blog/", srv.URL + "/blog/feed.xml", srv.URL + "/blog/post"},
		{redir.URL + "/old-feed", srv.URL + "/blog/feed.xml", srv.URL + "/blog/post"},
		{srv.URL + "/json", srv.URL + "/json", srv.URL + "/j/1"},
	} {
		r := poll(t, tt.from)
		if r.URL != tt.feedURL || len(r.Items) != 1 || r.Items[0].URL != tt.item {
			t.Errorf("Poll(%s) = %s %+v, want feed %s with item %s", tt.from, r.URL, r.Items, tt.feedURL, tt.item)
		}
	}
}

func TestPollSendsValidatorsAndTakesA304(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` && r.Header.Get("If-Modified-Since") == "Mon, 02 Jan 2006 15:04:05 GMT" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		w.Header().Set("Cache-Control", "public, max-age=7200")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssOf(item("1", "/a", "")))
	}))
	t.Cleanup(srv.Close)
	first := poll(t, srv.URL)
	if first.ETag != `"v1"` || first.TTL != 2*time.Hour || len(first.Items) != 1 {
		t.Fatalf("first poll = %+v, want the ETag, a 2h TTL (max-age beats <ttl>) and one item", first)
	}
	second, err := feed.Poll(context.Background(), fetcher(), srv.URL, fetch.Conditional{ETag: first.ETag, LastModified: first.LastModified})
	if err != nil || !second.NotModified || len(second.Items) != 0 || hits.Load() != 2 {
		t.Errorf("second poll = %+v, %v after %d requests; want not modified, no items", second, err, hits.Load())
	}
}

func TestPollCapsAHugeTTL(t *testing.T) {
	srv := serve(t, map[string][2]string{"/feed.xml": {"application/rss+xml",
		`<rss version="2.0"><channel><title>T</title><ttl>99999999999</ttl><item><link>/a</link></item></channel></rss>`}})
	if r := poll(t, srv.URL+"/feed.xml"); r.TTL != feed.MaxTTL {
		t.Errorf("TTL = %s, want %s", r.TTL, feed.MaxTTL)
	}
}
