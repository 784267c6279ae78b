package retrieval

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestStoreEachIsolatesTheArticleTheDatabaseRefuses(t *testing.T) {
	e, coll := lexicalEngine(t) // bm25_test.go: the test database, a fresh collection
	ctx := context.Background()
	var articles []prepared
	for i, u := range []string{"https://a.example/1", "https://a.example/2", "https://a.example/3"} {
		p, err := e.prepare(Article{URL: u, Title: "Article", Text: strings.Repeat("Words about topic "+u+". ", 10)})
		if err != nil {
			t.Fatal(err)
		}
		p.Line = i + 1
		articles = append(articles, p)
	}
	if err := e.embedBatch(ctx, articles); err != nil {
		t.Fatal(err)
	}
	articles[1].Article.FeedID = 987654321 // no such feed: the foreign key refuses it

	if _, err := e.store.storeBatch(ctx, coll, e.space, articles); err == nil {
		t.Fatal("the batch with a bad article was stored; the test needs it refused")
	}
	res, bad, err := e.storeEach(ctx, coll, articles, nil)
	if err != nil {
		t.Fatalf("storeEach: %v", err)
	}
	t.Run("the refused article is reported on its line", func(t *testing.T) {
		if len(bad) != 1 || bad[0].Line != 2 {
			t.Fatalf("bad = %v, want line 2 alone", bad)
		}
		var le *LineError
		if !errors.As(error(bad[0]), &le) || !strings.Contains(le.Error(), "line 2") {
			t.Errorf("error %v does not name its line", bad[0])
		}
	})
	t.Run("the others are stored", func(t *testing.T) {
		if res[0].Status != StatusAdded || res[2].Status != StatusAdded || res[1].Status != "" {
			t.Fatalf("statuses %q, %q, %q", res[0].Status, res[1].Status, res[2].Status)
		}
		list, total, err := e.ListArticles(ctx, coll, "", 0, 10)
		if err != nil || total != 2 || len(list) != 2 {
			t.Fatalf("listed %d of %d (err %v), want the 2 good articles", len(list), total, err)
		}
	})
}

func TestImportSurvivesControlCharactersAndHugeWords(t *testing.T) {
	e, coll := lexicalEngine(t)
	lines := strings.Join([]string{
		`{"url":"https://a.example/nul","title":"Nul\u0000title","text":"Text with a NUL \u0000 byte and a bell \u0007, then plenty more words to read."}`,
		`{"url":"https://a.example/huge","text":"` + strings.Repeat("x", 5000) + ` and then ordinary words follow here."}`,
		`{"url":"https://a.example/` + strings.Repeat("u", 3000) + `","text":"An address far too long for any index."}`,
	}, "\n")
	var errs []int
	st, err := e.Import(context.Background(), coll, strings.NewReader(lines), func(line int, err error) {
		if err != nil {
			errs = append(errs, line)
		}
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if st.Added != 2 || len(errs) != 1 || errs[0] != 3 {
		t.Fatalf("added %d with errors on lines %v; want 2 added and line 3 (the long URL) refused", st.Added, errs)
	}
	res, err := e.Search(context.Background(), coll, "ordinary words", 5, Filter{})
	if err != nil || len(res) == 0 || res[0].URL != "https://a.example/huge" {
		t.Fatalf("search after import: %v %v", res, err)
	}
}
