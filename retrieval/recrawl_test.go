package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestARecrawledArticleThatChangedReembedsOnlyItsChangedPassages(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll, emb := recrawlEngine(t)
	ctx := context.Background()
	u := addPage(t, e, coll, site, "/story")
	before := passageIDs(t, coll, u)
	if len(before) != 4 {
		t.Fatalf("the story has %d passages, want 4 (one per paragraph)", len(before))
	}

	site.edit("/story", func(p *sitePage) { p.paras[2] = para(3, "hovercraft landing ramp") })
	embedded := emb.texts.Load()
	r := recrawlOne(t, e, coll, u)
	if r.Status != retrieval.StatusUpdated || r.Passages != 4 || r.Embedded != 1 || r.Err != nil {
		t.Fatalf("Recrawl = %+v; want updated, 4 passages, 1 embedded anew", r)
	}
	if n := emb.texts.Load() - embedded; n != 1 {
		t.Errorf("the embedder was given %d texts, want 1: the changed passage alone", n)
	}

	t.Run("the unchanged passages keep their rows and the changed one is new", func(t *testing.T) {
		after := passageIDs(t, coll, u)
		if len(after) != 4 || after[0] != before[0] || after[1] != before[1] || after[3] != before[3] || after[2] == before[2] {
			t.Errorf("passage ids %v, then %v; want all but the third kept", before, after)
		}
		c := conn(t)
		if n := count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, e.Space().ID); n != 4 {
			t.Errorf("%d vectors, want one per passage", n)
		}
	})
	t.Run("search finds the new text and not the old", func(t *testing.T) {
		if got, err := retrieval.LexicalURLs(ctx, e, coll, "hovercraft ramp", 3); err != nil || len(got) != 1 || got[0] != u {
			t.Errorf("keyword search for the new text = %q, %v; want the story", got, err)
		}
		if got, err := retrieval.LexicalURLs(ctx, e, coll, "zeppelin mast", 3); err != nil || len(got) != 0 {
			t.Errorf("keyword search for the old text = %q, %v; want nothing", got, err)
		}
		a, err := e.Ask(ctx, coll, "What does section 3 cover about the hovercraft landing ramp?", retrieval.AskOptions{})
		if err != nil || !a.Covered || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "hovercraft") {
			t.Fatalf("Ask = %+v, %v; want a quote of the new text", a, err)
		}
		if c := a.Citations[0]; c.Updated.IsZero() || c.Added.IsZero() || c.Updated.Before(c.Added) {
			t.Errorf("citation dates added %v, updated %v; want updated set, after added", c.Added, c.Updated)
		}
	})
	t.Run("the keyword index and BM25 statistics are those of the new text added afresh", func(t *testing.T) {
		fresh := retrievaltest.Collection(t)
		t.Cleanup(func() { _ = retrievaltest.RemoveServer(context.Background(), e, fresh) })
		fu := addPage(t, e, fresh, site, "/story")
		if got, want := lexicalIndex(t, coll, u), lexicalIndex(t, fresh, fu); got != want || got == "" {
			t.Errorf("postings after the recrawl differ from the new text's:\n got %.300s\nwant %.300s", got, want)
		}
		c := conn(t)
		for _, name := range []string{coll, fresh} {
			if n := count(t, c, `SELECT count(*) FROM collections k
				WHERE k.name = $1 AND (k.chunk_count, k.token_total) =
				      (SELECT count(*), sum(token_count) FROM chunks WHERE collection = $1)`, name); n != 1 {
				t.Errorf("collection %s: passage count and total length are not those of its passages", name)
			}
		}
	})
	t.Run("a changed title embeds every passage again", func(t *testing.T) {
		site.edit("/story", func(p *sitePage) { p.title = "Harbour works: the full update" })
		embedded := emb.texts.Load()
		if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusUpdated || r.Embedded != 4 || emb.texts.Load()-embedded != 4 {
			t.Errorf("Recrawl = %+v, %d texts embedded; want updated, all 4 embedded", r, emb.texts.Load()-embedded)
		}
	})
}

func TestARecrawlThatFindsNothingNewOnlyMovesTheSchedule(t *testing.T) {
	tests := []struct {
		name         string
		etag         string
		wantNotModif bool
	}{
		{name: "a page with an ETag answers 304 to the conditional request", etag: `"v1"`, wantNotModif: true},
		{name: "a page without validators sends the same text again", etag: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site := newRecrawlSite(t)
			site.set("/story", harbourPage("zeppelin mooring mast", tt.etag))
			e, coll, emb := recrawlEngine(t)
			u := addPage(t, e, coll, site, "/story")
			ids := passageIDs(t, coll, u)
			embedded := emb.texts.Load()

			r := recrawlOne(t, e, coll, u)
			if r.Status != retrieval.StatusUnchanged || r.NotModified != tt.wantNotModif || r.Err != nil {
				t.Fatalf("Recrawl = %+v; want unchanged, not modified %v", r, tt.wantNotModif)
			}
			if hits, cond := site.count("/story"); hits != 2 || (cond == 1) != tt.wantNotModif {
				t.Errorf("requests: %d, of them conditional %d; want 2, conditional only with an ETag", hits, cond)
			}
			if n := emb.texts.Load() - embedded; n != 0 {
				t.Errorf("%d texts embedded, want none", n)
			}
			if got := passageIDs(t, coll, u); fmt.Sprint(got) != fmt.Sprint(ids) {
				t.Errorf("passages %v became %v; want them untouched", ids, got)
			}
			arts, _, err := e.ListArticles(context.Background(), coll, "", 0, 10)
			if err != nil || len(arts) != 1 || !arts[0].Updated.IsZero() {
				t.Errorf("ListArticles = %+v, %v; want the article, never updated", arts, err)
			}
			if d := untilNextRecrawl(t, coll, u); !near(d, retrieval.DefaultRecrawlSecond) {
				t.Errorf("next recrawl in %s, want the second step, %s", d, retrieval.DefaultRecrawlSecond)
			}
		})
	}
}

func TestTheRecrawlScheduleSlowsWithAge(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", `"v1"`))
	e, coll, _ := recrawlEngine(t)
	u := addPage(t, e, coll, site, "/story")
	if d := untilNextRecrawl(t, coll, u); !near(d, time.Hour) {
		t.Fatalf("first recrawl in %s after the add, want 1h", d)
	}
	for i, want := range []time.Duration{24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 30 * 24 * time.Hour} {
		r := recrawlOne(t, e, coll, u)
		if d := untilNextRecrawl(t, coll, u); r.Status != retrieval.StatusUnchanged || !near(d, want) || !near(time.Until(r.Next), want) {
			t.Errorf("after recrawl %d (%s): next in %s (reported %s), want %s", i+1, r.Status, d, time.Until(r.Next), want)
		}
	}
}

func TestAFailingRecrawlBacksOffAndKeepsTheArticle(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll, _ := recrawlEngine(t)
	u := addPage(t, e, coll, site, "/story")
	site.edit("/story", func(p *sitePage) { p.status = http.StatusServiceUnavailable })
	for i, want := range []time.Duration{2 * time.Hour, 4 * time.Hour, 8 * time.Hour} {
		r := recrawlOne(t, e, coll, u)
		if r.Status != retrieval.StatusFailed || !errors.Is(r.Err, retrieval.ErrFetch) {
			t.Fatalf("recrawl %d = %+v; want failed with the 503", i+1, r)
		}
		if d := untilNextRecrawl(t, coll, u); !near(d, want) {
			t.Errorf("after failure %d: next recrawl in %s, want %s", i+1, d, want)
		}
	}
	if arts, _, _ := e.ListArticles(context.Background(), coll, "", 0, 10); len(arts) != 1 || !arts[0].Gone.IsZero() {
		t.Errorf("articles = %+v; want the story kept, not gone", arts)
	}
	site.edit("/story", func(p *sitePage) { p.status = 0 })
	if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusUnchanged {
		t.Errorf("recrawl once the site is back = %+v, want unchanged", r)
	}
	if d := untilNextRecrawl(t, coll, u); !near(d, retrieval.DefaultRecrawlSecond) {
		t.Errorf("next recrawl in %s once the site answered, want the second step", d)
	}
}

// A recrawl is a crawl: once the site's robots.txt closes the page to crawlers, the
// recrawl fails (backing off) without fetching it, and the article is kept as it was.
func TestARecrawlKeepsToTheSitesRobotsTxt(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll, _ := recrawlEngine(t)
	u := addPage(t, e, coll, site, "/story")
	site.mu.Lock()
	site.robots = "User-agent: footnote\nDisallow: /story\n"
	site.mu.Unlock()
	before, _ := site.count("/story")
	r := recrawlOne(t, e, coll, u)
	if r.Status != retrieval.StatusFailed || !errors.Is(r.Err, retrieval.ErrFetch) || !strings.Contains(r.Err.Error(), "robots.txt") {
		t.Fatalf("recrawl of a page robots.txt closes = %+v; want failed, naming robots.txt", r)
	}
	if after, _ := site.count("/story"); after != before {
		t.Errorf("the closed page was fetched %d more times", after-before)
	}
	if d := untilNextRecrawl(t, coll, u); !near(d, 2*time.Hour) {
		t.Errorf("next recrawl in %s, want the first back-off (2h)", d)
	}
	if arts, _, _ := e.ListArticles(context.Background(), coll, "", 0, 10); len(arts) != 1 || !arts[0].Gone.IsZero() {
		t.Errorf("articles = %+v; want the story kept, not gone", arts)
	}
}

func TestAPageThatIsGoneIsMarkedOrRemovedAsTheServerSays(t *testing.T) {
	t.Run("404 marks the article no longer online, and it is still cited", func(t *testing.T) {
		site := newRecrawlSite(t)
		site.set("/story", harbourPage("zeppelin mooring mast", ""))
		e, coll, _ := recrawlEngine(t)
		ctx := context.Background()
		u := addPage(t, e, coll, site, "/story")
		site.edit("/story", func(p *sitePage) { p.status = http.StatusNotFound })

		if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusGone || r.Next.IsZero() {
			t.Fatalf("Recrawl = %+v; want gone, recrawled again later", r)
		}
		a, err := e.Ask(ctx, coll, "What does section 3 cover about the zeppelin mooring mast?", retrieval.AskOptions{})
		if err != nil || !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != u || a.Citations[0].Gone.IsZero() {
			t.Fatalf("Ask = %+v, %v; want the story cited, marked gone", a, err)
		}
		site.edit("/story", func(p *sitePage) { p.status = 0 })
		if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusUnchanged {
			t.Errorf("Recrawl once the page is back = %+v, want unchanged", r)
		}
		if arts, _, _ := e.ListArticles(ctx, coll, "", 0, 10); len(arts) != 1 || !arts[0].Gone.IsZero() {
			t.Errorf("articles = %+v; want the story online again", arts)
		}
	})
	t.Run("410 removes the article when the server's setting says remove", func(t *testing.T) {
		site, e, coll, u := removingGonePages(t)
		ctx := context.Background()
		site.edit("/story", func(p *sitePage) { p.status = http.StatusGone })
		if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusRemoved {
			t.Fatalf("Recrawl = %+v; want removed", r)
		}
		if arts, n, err := e.ListArticles(ctx, coll, "", 0, 10); err != nil || n != 0 {
			t.Errorf("articles = %+v, %v; want none", arts, err)
		}
		if n := count(t, conn(t), `SELECT count(*) FROM chunks WHERE collection = $1`, coll); n != 0 {
			t.Errorf("%d passages left, want none", n)
		}
	})
	t.Run("a 404 removes the article only once the page has stayed gone for a day", func(t *testing.T) {
		site, e, coll, u := removingGonePages(t)
		ctx := context.Background()
		site.edit("/story", func(p *sitePage) { p.status = http.StatusNotFound })
		r := recrawlOne(t, e, coll, u)
		if r.Status != retrieval.StatusGone || r.Next.IsZero() || time.Until(r.Next) > 24*time.Hour {
			t.Fatalf("first 404: Recrawl = %+v; want gone, looked at again within a day", r)
		}
		if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusGone {
			t.Fatalf("a second 404 the same day: Recrawl = %+v; want still gone, not removed", r)
		}
		a, err := e.Ask(ctx, coll, "What does section 3 cover about the zeppelin mooring mast?", retrieval.AskOptions{})
		if err != nil || !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != u || a.Citations[0].Gone.IsZero() {
			t.Fatalf("Ask = %+v, %v; want the story still cited, marked gone", a, err)
		}
		// A day later (the date it was first found gone moved back), still 404: removed.
		if _, err := conn(t).Exec(ctx, `UPDATE articles SET gone_at = gone_at - interval '25 hours' WHERE collection = $1`, coll); err != nil {
			t.Fatal(err)
		}
		if r := recrawlOne(t, e, coll, u); r.Status != retrieval.StatusRemoved {
			t.Fatalf("a 404 a day after the first: Recrawl = %+v; want removed", r)
		}
		if arts, n, err := e.ListArticles(ctx, coll, "", 0, 10); err != nil || n != 0 {
			t.Errorf("articles = %+v, %v; want none", arts, err)
		}
	})
	t.Run("an unknown gone-page setting is refused", func(t *testing.T) {
		e, coll, _ := recrawlEngine(t)
		bad := retrieval.GonePages("archive")
		if _, err := e.UpdateGuildSettings(context.Background(), coll, retrieval.SettingsUpdate{GonePages: &bad}); !errors.Is(err, retrieval.ErrInvalidInput) {
			t.Errorf("UpdateGuildSettings(gone pages archive): %v, want ErrInvalidInput", err)
		}
	})
}

func TestOnlyArticlesAddedFromALinkAreRecrawled(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll, _ := recrawlEngine(t)
	ctx := context.Background()
	u := addPage(t, e, coll, site, "/story")
	file, err := e.AddFile(ctx, coll, "notes.txt", []byte("Harbour notes\n\nThe harbour wall was repaired in spring.\n"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	importDocs(t, e, coll, doc{URL: site.URL + "/imported", Title: "Imported", Text: "An imported line about the marina and its moorings."})

	for _, link := range []string{file.Article.URL, site.URL + "/imported"} {
		if _, err := e.Recrawl(ctx, coll, link); !errors.Is(err, retrieval.ErrInvalidInput) {
			t.Errorf("Recrawl(%s): %v, want ErrInvalidInput (not added from a link)", link, err)
		}
	}
	if _, err := e.Recrawl(ctx, coll, site.URL+"/never-added"); !errors.Is(err, retrieval.ErrNotFound) {
		t.Errorf("Recrawl of an unknown link: %v, want ErrNotFound", err)
	}
	res, err := e.RecrawlCollection(ctx, coll, true)
	if err != nil || len(res) != 1 || res[0].URL != u {
		t.Errorf("RecrawlCollection(all) = %+v, %v; want the linked story alone", res, err)
	}
	if hits, _ := site.count("/imported"); hits != 0 {
		t.Errorf("the imported line's URL was fetched %d times, want never", hits)
	}
	if res, err := e.RecrawlCollection(ctx, coll, false); err != nil || len(res) != 0 {
		t.Errorf("RecrawlCollection(due) right after = %+v, %v; want nothing due", res, err)
	}
	t.Run("an imported line whose link is then added is recrawled from then on", func(t *testing.T) {
		site.set("/imported", harbourPage("marina moorings", ""))
		if added, err := e.AddURL(ctx, coll, site.URL+"/imported", "alice"); err != nil || added.Status != retrieval.StatusUpdated {
			t.Fatalf("AddURL of the imported link = %+v, %v; want it updated from the page", added, err)
		}
		if d := untilNextRecrawl(t, coll, site.URL+"/imported"); !near(d, time.Hour) {
			t.Errorf("next recrawl in %s, want the first step", d)
		}
		if r, err := e.Recrawl(ctx, coll, site.URL+"/imported"); err != nil || r.Status != retrieval.StatusUnchanged {
			t.Errorf("Recrawl = %+v, %v; want unchanged", r, err)
		}
	})
}

func TestTwoWorkersNeverRecrawlTheSameArticle(t *testing.T) {
	const n = 12
	site := newRecrawlSite(t)
	e, coll, _ := recrawlEngine(t)
	ctx := context.Background()
	for i := range n {
		path := fmt.Sprintf("/story/%d", i)
		site.set(path, harbourPage(fmt.Sprintf("berth %d", i), ""))
		addPage(t, e, coll, site, path)
	}
	if _, err := conn(t).Exec(ctx, `UPDATE articles SET recrawl_at = now() - interval '1 minute' WHERE collection = $1`, coll); err != nil {
		t.Fatal(err)
	}

	site.pairUp()
	var wg sync.WaitGroup
	results := make([][]retrieval.Recrawl, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for w := range results {
		wg.Go(func() {
			<-start
			results[w], errs[w] = e.RecrawlDue(ctx, 0)
		})
	}
	close(start)
	wg.Wait()

	seen := map[string]int{}
	for w, rs := range results {
		if errs[w] != nil {
			t.Fatalf("worker %d: %v", w, errs[w])
		}
		mine := 0
		for _, r := range rs {
			if r.Collection == coll { // the test database may hold due articles of other tests
				seen[r.URL]++
				mine++
			}
		}
		if mine == 0 {
			t.Errorf("worker %d recrawled nothing: the workers did not run at the same time", w)
		}
	}
	if len(seen) != n {
		t.Errorf("%d articles recrawled, want all %d", len(seen), n)
	}
	for i := range n {
		path := fmt.Sprintf("/story/%d", i)
		if hits, _ := site.count(path); hits != 2 || seen[site.URL+path] != 1 {
			t.Errorf("%s: fetched %d times in all and recrawled %d times; want one add and one recrawl", path, hits, seen[site.URL+path])
		}
	}
}

func TestAStoppedRecrawlHandsTheArticleBack(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll, _ := recrawlEngine(t)
	u := addPage(t, e, coll, site, "/story")
	c := conn(t)
	if _, err := c.Exec(context.Background(), `UPDATE articles SET recrawl_at = now() - interval '1 minute' WHERE collection = $1`, coll); err != nil {
		t.Fatal(err)
	}
	// The worker is stopped while the site has not answered yet.
	ctx, stop := context.WithCancel(context.Background())
	site.mu.Lock()
	site.hook = func(r *http.Request) {
		stop()
		<-r.Context().Done()
	}
	site.mu.Unlock()
	res, err := e.RecrawlCollection(ctx, coll, false)
	if !errors.Is(err, context.Canceled) && err != nil {
		t.Fatalf("RecrawlCollection: %v", err)
	}
	if len(res) != 1 || res[0].Status != retrieval.StatusFailed || res[0].URL != u {
		t.Fatalf("RecrawlCollection = %+v; want the story, stopped", res)
	}
	if n := count(t, c, `SELECT count(*) FROM articles WHERE collection = $1 AND recrawl_at <= now()
		AND recrawl_lease IS NULL AND recrawl_failures = 0`, coll); n != 1 {
		t.Errorf("the stopped article is not handed back due, unclaimed, without a failure")
	}
}

func TestAddingAChangedTextAgainMarksItUpdatedAndKeepsItsAddedDate(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()
	importDocs(t, e, coll, doc{URL: "https://news.example/pier", Title: "Pier", Text: "The pier reopens in May."})
	arts, _, err := e.ListArticles(ctx, coll, "", 0, 10)
	if err != nil || len(arts) != 1 || !arts[0].Updated.IsZero() {
		t.Fatalf("ListArticles = %+v, %v", arts, err)
	}
	added := arts[0].FetchedAt
	importDocs(t, e, coll, doc{URL: "https://news.example/pier", Title: "Pier", Text: "The pier reopens in June, a month late."})
	arts, _, err = e.ListArticles(ctx, coll, "", 0, 10)
	if err != nil || len(arts) != 1 || arts[0].Updated.IsZero() || !arts[0].FetchedAt.Equal(added) {
		t.Errorf("after a new text: %+v, %v; want updated set and the added date %v kept", arts, err, added)
	}
}

// A recrawl is background work: it takes its turn at the site (fetch.Unattended), after a
// member's /add of a page from it; the /add itself did not wait.
func TestARecrawlTakesItsTurnAtTheSite(t *testing.T) {
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll := retrievaltest.Engine(t, retrievaltest.WithFetcher(fetch.New(fetch.Config{AllowPrivate: true, HostDelay: time.Hour})))
	u := addPage(t, e, coll, site, "/story") // attended: at once
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r, err := e.Recrawl(ctx, coll, u)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != retrieval.StatusFailed || !errors.Is(r.Err, context.DeadlineExceeded) || !strings.Contains(r.Err.Error(), "waiting for its turn at the site") {
		t.Errorf("Recrawl = %+v; want it still waiting for its turn (an hour after the add) when its context ended", r)
	}
}

// removingGonePages adds a page of a fresh site to a fresh collection whose server's setting
// removes gone pages (gone_pages:remove), and returns the site, the engine, the collection
// and the article's URL.
func removingGonePages(t *testing.T) (*recrawlSite, *retrieval.Engine, string, string) {
	t.Helper()
	site := newRecrawlSite(t)
	site.set("/story", harbourPage("zeppelin mooring mast", ""))
	e, coll, _ := recrawlEngine(t)
	u := addPage(t, e, coll, site, "/story")
	remove := retrieval.GoneRemove
	if _, err := e.UpdateGuildSettings(context.Background(), coll, retrieval.SettingsUpdate{GonePages: &remove}); err != nil {
		t.Fatal(err)
	}
	return site, e, coll, u
}
