package retrieval_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// sitePage is one page of a recrawlSite. status 0 is 200.
type sitePage struct {
	status int
	title  string
	paras  []string
	etag   string // sent, and answered with a 304 when asked for; "" sends none
}

// recrawlSite is an httptest site whose pages a test edits between recrawls. It counts the
// requests of each path, and those that asked for a 304.
type recrawlSite struct {
	*httptest.Server
	mu          sync.Mutex
	pages       map[string]*sitePage
	hits        map[string]int
	conditional map[string]int
	// pair, when set, holds the first request until a second one comes (pairUp).
	pair     chan struct{}
	arrivals int
	// hook, when set, runs first for every request (and may hold it).
	hook func(*http.Request)
	// robots is the site's robots.txt; "" answers 404. It is served before hook, pair and
	// the counts: a crawl asks for it once, before its first page.
	robots string
}

// pairUp makes the next request wait for the one after it, so that two workers are
// fetching at the same time (or 10 s pass).
func (s *recrawlSite) pairUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pair, s.arrivals = make(chan struct{}), 0
}

func newRecrawlSite(t *testing.T) *recrawlSite {
	s := &recrawlSite{pages: map[string]*sitePage{}, hits: map[string]int{}, conditional: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *recrawlSite) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hook, robots := s.hook, s.robots
	s.mu.Unlock()
	if r.URL.Path == "/robots.txt" {
		serveRobots(w, r, robots)
		return
	}
	if hook != nil {
		hook(r)
	}
	s.mu.Lock()
	s.hits[r.URL.Path]++
	inm := r.Header.Get("If-None-Match")
	if inm != "" {
		s.conditional[r.URL.Path]++
	}
	p, ok := s.pages[r.URL.Path]
	var page sitePage
	if ok {
		page = *p
	}
	var wait chan struct{}
	if s.pair != nil {
		s.arrivals++
		switch s.arrivals {
		case 1:
			wait = s.pair
		case 2:
			close(s.pair)
		}
	}
	s.mu.Unlock()
	if wait != nil {
		select {
		case <-wait:
		case <-time.After(10 * time.Second):
		}
	}
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case page.status != 0 && page.status != http.StatusOK:
		http.Error(w, http.StatusText(page.status), page.status)
		return
	case page.etag != "" && inm == page.etag:
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if page.etag != "" {
		w.Header().Set("ETag", page.etag)
	}
	w.Header().Set("Content-Type", "text/html")
	fmt.Fprintf(w, "<html><head><title>%s</title></head><body><article><h1>%s</h1>", page.title, page.title)
	for _, p := range page.paras {
		fmt.Fprintf(w, "<p>%s</p>", p)
	}
	fmt.Fprint(w, "</article></body></html>")
}

// serveRobots answers a robots.txt request with robots, or 404 when it is "".
func serveRobots(w http.ResponseWriter, r *http.Request, robots string) {
	if robots == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, robots)
}

// set puts a page at path.
func (s *recrawlSite) set(path string, p sitePage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pages[path] = &p
}

// edit changes the page at path.
func (s *recrawlSite) edit(path string, f func(*sitePage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.pages[path])
}

func (s *recrawlSite) count(path string) (hits, conditional int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path], s.conditional[path]
}

// para is a paragraph about topic, long enough (about 700 bytes) to be a passage of its
// own: two of them do not fit in one.
func para(i int, topic string) string {
	return fmt.Sprintf("Section %d covers the %s in detail. ", i, topic) +
		strings.Repeat(fmt.Sprintf("Residents of ward %d asked the council about it again this week. ", i), 10)
}

// harbourPage is a four-passage story about the harbour; its third passage is about topic.
func harbourPage(topic, etag string) sitePage {
	return sitePage{title: "Harbour works update", etag: etag,
		paras: []string{para(1, "quay wall"), para(2, "dredging"), para(3, topic), para(4, "ferry timetable")}}
}

// textCounter counts the texts an embedder is asked to embed.
type textCounter struct {
	embed.Embedder
	texts atomic.Int64
}

func (c *textCounter) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.Embedder.Embed(ctx, texts)
}

// recrawlEngine is a test engine that counts embedded texts, on the default schedule.
func recrawlEngine(t *testing.T) (*retrieval.Engine, string, *textCounter) {
	emb := &textCounter{Embedder: embed.NewHash(0)}
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb))
	return e, coll, emb
}

// addPage adds the site's page at path and returns its stored URL.
func addPage(t *testing.T, e *retrieval.Engine, coll string, site *recrawlSite, path string) string {
	t.Helper()
	added, err := e.AddURL(context.Background(), coll, site.URL+path, "alice")
	if err != nil || added.Status != retrieval.StatusAdded {
		t.Fatalf("AddURL(%s) = %+v, %v", path, added, err)
	}
	return added.Article.URL
}

// recrawlOne recrawls the article at u, which must not be refused.
func recrawlOne(t *testing.T, e *retrieval.Engine, coll, u string) *retrieval.Recrawl {
	t.Helper()
	r, err := e.Recrawl(context.Background(), coll, u)
	if err != nil {
		t.Fatalf("Recrawl(%s): %v", u, err)
	}
	return r
}

// passageIDs returns the ids of the article's passages, by ordinal.
func passageIDs(t *testing.T, coll, u string) []int64 {
	t.Helper()
	rows, err := conn(t).Query(context.Background(), `
		SELECT c.id FROM chunks c JOIN articles a ON a.id = c.article_id
		WHERE a.collection = $1 AND a.url = $2 ORDER BY c.ordinal`, coll, u)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// untilNextRecrawl is how long until the article at u is due; -1 when it is not recrawled.
func untilNextRecrawl(t *testing.T, coll, u string) time.Duration {
	t.Helper()
	var secs *float64
	if err := conn(t).QueryRow(context.Background(), `
		SELECT extract(epoch FROM recrawl_at - now())::float8 FROM articles WHERE collection = $1 AND url = $2`,
		coll, u).Scan(&secs); err != nil {
		t.Fatal(err)
	}
	if secs == nil {
		return -1
	}
	return time.Duration(*secs * float64(time.Second))
}

// near reports whether d is within a minute of want.
func near(d, want time.Duration) bool { return d > want-time.Minute && d < want+time.Minute }

// lexicalIndex is the article's postings and passage lengths, in a form two collections'
// copies of the same text compare equal in.
func lexicalIndex(t *testing.T, coll, u string) string {
	t.Helper()
	var s string
	if err := conn(t).QueryRow(context.Background(), `
		SELECT coalesce(string_agg(c.ordinal || ':' || c.token_count || ':' || p.term || '=' || p.tf || '/' || p.doc_len,
		                           ' ' ORDER BY c.ordinal, p.term), '')
		FROM chunks c JOIN articles a ON a.id = c.article_id JOIN postings p ON p.chunk_id = c.id
		WHERE a.collection = $1 AND a.url = $2`, coll, u).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
