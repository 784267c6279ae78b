package retrieval_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestUndatedPageHasAddedDateNotPublished(t *testing.T) {
	const page = `<!DOCTYPE html><html><head><title>Ferry timetable changes</title></head><body>
<header><time datetime="2026-11-30">Monday 30 November 2026</time></header>
<article><h1>Ferry timetable changes</h1>
<p>The harbour ferry to Kestrel Island will run every forty minutes from the spring, the
operator said, instead of every hour, after passenger numbers rose by a third last year.</p>
<p>The first crossing will leave at six in the morning and the last at eleven at night, and
a second boat will be hired for the summer weekends when the island's market is open.</p>
</article></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// What dynamic sites send: the moment the page was served.
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.Write([]byte(page))
	}))
	t.Cleanup(srv.Close)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Minute)

	res, err := e.AddURL(ctx, coll, srv.URL+"/ferry", "alice")
	if err != nil {
		t.Fatalf("AddURL: %v", err)
	}
	t.Run("a page without a date signal has no publication date, whatever its Last-Modified says", func(t *testing.T) {
		if !res.Article.Published.IsZero() {
			t.Errorf("Published = %v, want unknown", res.Article.Published)
		}
	})
	t.Run("the listing carries when it was added", func(t *testing.T) {
		arts, _, err := e.ListArticles(ctx, coll, "", 0, 10)
		if err != nil || len(arts) != 1 || !arts[0].Published.IsZero() || arts[0].FetchedAt.Before(before) {
			t.Errorf("ListArticles = %+v, %v; want one undated article added now", arts, err)
		}
	})
	t.Run("a citation of it has no publication date and carries the added date", func(t *testing.T) {
		ans, err := e.Ask(ctx, coll, "How often will the Kestrel Island ferry run?", retrieval.AskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Covered || len(ans.Citations) == 0 {
			t.Fatalf("answer %+v, want a cited one", ans)
		}
		c := ans.Citations[0]
		if !c.Published.IsZero() || c.Added.Before(before) {
			t.Errorf("citation Published %v, Added %v; want unknown and now", c.Published, c.Added)
		}
		pv, err := e.Passage(ctx, coll, c.ChunkID)
		if err != nil || !pv.Published.IsZero() || pv.Added.Before(before) {
			t.Errorf("Passage = %+v, %v; want an added date and no publication date", pv, err)
		}
	})
	t.Run("the closest sources carry the added date too", func(t *testing.T) {
		got, err := e.Search(ctx, coll, "Kestrel ferry", 3, retrieval.Filter{})
		if err != nil || len(got) == 0 || got[0].Added.Before(before) {
			t.Errorf("Search = %+v, %v; want results with an added date", got, err)
		}
	})
}
