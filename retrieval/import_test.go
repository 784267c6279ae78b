package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// lineReport is one onLine call of an import.
type lineReport struct {
	line int
	err  error
}

func importFile(t *testing.T, e *retrieval.Engine, coll, file string) (retrieval.ImportStats, []lineReport) {
	t.Helper()
	var reports []lineReport
	st, err := e.Import(context.Background(), coll, strings.NewReader(file), func(r retrieval.LineReport) {
		reports = append(reports, lineReport{r.Line, r.Err})
	})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return st, reports
}

func TestImportIsIdempotent(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	var docs []doc
	for i := range 70 { // more than one batch
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/%d", i), Title: fmt.Sprintf("Report %d", i),
			Published: "2024-01-02", Text: fmt.Sprintf("Report number %d covers the harbour works.\n\n%s", i, strings.Repeat("The quay was busy. ", i%7+1))})
	}
	file := jsonl(t, docs...)
	passages := func() map[string]int {
		list, total, err := e.ListArticles(context.Background(), coll, "", 0, 100)
		if err != nil || total != len(docs) {
			t.Fatalf("ListArticles: %d articles, %v; want %d", total, err, len(docs))
		}
		m := map[string]int{}
		for _, a := range list {
			m[a.URL] = a.Passages
		}
		return m
	}

	first, _ := importFile(t, e, coll, file)
	if first.Added != len(docs) || first.Lines != len(docs) || first.Passages == 0 {
		t.Fatalf("first import: %+v, want %d added", first, len(docs))
	}
	before := passages()
	second, reports := importFile(t, e, coll, file)
	want := retrieval.ImportStats{Lines: len(docs), Unchanged: len(docs), Took: second.Took}
	if second != want {
		t.Errorf("second import: %+v, want %+v", second, want)
	}
	for _, r := range reports {
		if r.err != nil {
			t.Errorf("second import line %d: %v", r.line, r.err)
		}
	}
	if after := passages(); !mapsEqual(before, after) {
		t.Errorf("passages per article changed on a second import:\n%v\n%v", before, after)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestImportReportsBadLinesAndGoesOn(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	good := func(i int) string {
		return jsonl(t, doc{URL: fmt.Sprintf("https://news.example/good/%d", i), Text: fmt.Sprintf("Good article %d about the ferry.", i)})
	}
	type bad struct {
		line string
		want error
	}
	bads := map[int]bad{
		2:   {`{"url": "https://news.example/broken", "text": "no closing brace"` + "\n", retrieval.ErrInvalidInput},
		3:   {`{"title": "No URL", "text": "An article without a url."}` + "\n", retrieval.ErrInvalidInput},
		65:  {`{"url": "https://news.example/date", "published": "last Tuesday", "text": "Bad date."}` + "\n", retrieval.ErrInvalidInput},
		66:  {`{"url": "https://news.example/empty", "text": " \n\t  "}` + "\n", retrieval.ErrEmptyArticle},
		67:  {`{"url": "ftp://news.example/file", "text": "Not a web URL."}` + "\n", retrieval.ErrInvalidURL},
		130: {`{"url": "https://news.example/huge", "text": "` + strings.Repeat("a", 16<<20) + `"}` + "\n", retrieval.ErrTooLarge},
		140: {`[1, 2, 3]` + "\n", retrieval.ErrInvalidInput},
	}
	var b strings.Builder
	var wantLines []int
	goodLines := 0
	for i := 1; i <= 140; i++ {
		switch {
		case i == 50:
			b.WriteString("   \n") // blank lines are skipped, not reported
			continue
		case bads[i].line != "":
			b.WriteString(bads[i].line)
		default:
			b.WriteString(good(i))
			goodLines++
		}
		wantLines = append(wantLines, i)
	}

	st, reports := importFile(t, e, coll, b.String())

	t.Run("every line but the blank one is reported once, in order", func(t *testing.T) {
		var got []int
		for _, r := range reports {
			got = append(got, r.line)
		}
		if !slices.Equal(got, wantLines) {
			t.Errorf("onLine lines = %v,\nwant %v", got, wantLines)
		}
	})
	t.Run("bad lines carry their line number and cause", func(t *testing.T) {
		for _, r := range reports {
			want, isBad := bads[r.line]
			switch {
			case !isBad && r.err != nil:
				t.Errorf("line %d: unexpected error %v", r.line, r.err)
			case isBad && !errors.Is(r.err, want.want):
				t.Errorf("line %d: error %v, want %v", r.line, r.err, want.want)
			case isBad:
				var le *retrieval.LineError
				if !errors.As(r.err, &le) || le.Line != r.line || !strings.HasPrefix(r.err.Error(), fmt.Sprintf("line %d: ", r.line)) {
					t.Errorf("line %d: error %q does not name its line", r.line, r.err)
				}
			}
		}
	})
	t.Run("the good lines are imported", func(t *testing.T) {
		if st.Added != goodLines || st.Failed != len(bads) || st.Lines != len(wantLines) {
			t.Errorf("stats %+v, want %d added, %d failed, %d lines", st, goodLines, len(bads), len(wantLines))
		}
		if _, total, _ := e.ListArticles(context.Background(), coll, "", 0, 1); total != goodLines {
			t.Errorf("collection holds %d articles, want %d", total, goodLines)
		}
	})
}

func TestImportChangesAndDuplicates(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		steps [][]doc // one import each
		want  retrieval.ImportStats
		find  map[string]string // query -> URL that must be found ("" = nothing)
		total int
	}{
		{
			name: "a changed article replaces its passages",
			steps: [][]doc{
				{{URL: "https://news.example/a", Text: "The bridge reopens in spring after repairs to its zeppelin mooring."}},
				{{URL: "https://news.example/a", Text: "The bridge reopens in summer after repairs to its lighthouse."}},
			},
			want:  retrieval.ImportStats{Lines: 1, Updated: 1},
			find:  map[string]string{"zeppelin mooring": "", "lighthouse": "https://news.example/a"},
			total: 1,
		},
		{
			name: "the same text under another URL in a later import is a duplicate",
			steps: [][]doc{
				{{URL: "https://news.example/a", Text: "Lifeboat crews rescued four sailors off the cape."}},
				{{URL: "https://mirror.example/a", Text: "Lifeboat crews rescued four sailors off the cape."}},
			},
			want:  retrieval.ImportStats{Lines: 1, Duplicates: 1},
			find:  map[string]string{"lifeboat sailors": "https://news.example/a"},
			total: 1,
		},
		{
			name: "the same text under another URL in the same import is a duplicate",
			steps: [][]doc{{
				{URL: "https://news.example/a", Text: "Lifeboat crews rescued four sailors off the cape."},
				{URL: "https://mirror.example/a", Text: "Lifeboat crews rescued four sailors off the cape."},
			}},
			want:  retrieval.ImportStats{Lines: 2, Added: 1, Duplicates: 1},
			find:  map[string]string{"lifeboat sailors": "https://news.example/a"},
			total: 1,
		},
		{
			name: "a URL given twice in one import ends with the later text",
			steps: [][]doc{{
				{URL: "https://news.example/a", Text: "The market moves to the zeppelin hangar on Friday."},
				{URL: "https://news.example/a", Text: "The market moves to the lighthouse square on Friday."},
			}},
			want:  retrieval.ImportStats{Lines: 2, Added: 1, Updated: 1},
			find:  map[string]string{"zeppelin hangar": "", "lighthouse square": "https://news.example/a"},
			total: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, coll := retrievaltest.Engine(t)
			var last retrieval.ImportStats
			for _, docs := range tt.steps {
				last = importDocs(t, e, coll, docs...)
			}
			last.Passages, last.Took = 0, 0
			if last != tt.want {
				t.Errorf("last import: %+v, want %+v", last, tt.want)
			}
			for q, want := range tt.find {
				got := urls(search(t, e, coll, q, 10, retrieval.Filter{}))
				var top string
				if len(got) > 0 {
					top = got[0]
				}
				// A query whose words are gone may still meet the dense arm; the passage
				// holding them must not come back.
				if want == "" {
					for _, r := range search(t, e, coll, q, 10, retrieval.Filter{}) {
						if strings.Contains(r.Text, strings.Fields(q)[0]) {
							t.Errorf("Search(%q) still finds the old text %q", q, r.Text)
						}
					}
				} else if top != want {
					t.Errorf("Search(%q) = %q, want %s first", q, got, want)
				}
			}
			if _, total, err := e.ListArticles(ctx, coll, "", 0, 10); err != nil || total != tt.total {
				t.Errorf("collection holds %d articles (%v), want %d", total, err, tt.total)
			}
		})
	}
}

// poisonEmbedder gives every text holding "poison" a vector the database refuses (pgvector
// stores no NaN), the way a faulty embedding server might.
type poisonEmbedder struct{ embed.Embedder }

func (p poisonEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := p.Embedder.Embed(ctx, texts)
	for i, t := range texts {
		if err == nil && strings.Contains(t, "poison") {
			vecs[i] = slices.Clone(vecs[i])
			vecs[i][0] = float32(math.NaN())
		}
	}
	return vecs, err
}

func TestImportIsolatesTheArticleTheDatabaseRefuses(t *testing.T) {
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(poisonEmbedder{embed.NewHash(0)}))
	st, reports := importFile(t, e, coll, jsonl(t,
		doc{URL: "https://a.example/1", Title: "Article", Text: strings.Repeat("Words about the ferry. ", 10)},
		doc{URL: "https://a.example/2", Title: "Article", Text: strings.Repeat("Words about the poison. ", 10)},
		doc{URL: "https://a.example/3", Title: "Article", Text: strings.Repeat("Words about the tram. ", 10)},
	))
	t.Run("the refused article is reported on its line", func(t *testing.T) {
		var bad []int
		for _, r := range reports {
			if r.err != nil {
				bad = append(bad, r.line)
				if !strings.Contains(r.err.Error(), "line 2") {
					t.Errorf("error %q does not name its line", r.err)
				}
			}
		}
		if !slices.Equal(bad, []int{2}) || st.Failed != 1 {
			t.Fatalf("failed lines %v (Failed %d), want line 2 alone", bad, st.Failed)
		}
	})
	t.Run("the others are stored", func(t *testing.T) {
		list, total, err := e.ListArticles(context.Background(), coll, "", 0, 10)
		if err != nil || total != 2 || len(list) != 2 || st.Added != 2 {
			t.Fatalf("listed %d of %d (err %v), added %d; want the 2 good articles", len(list), total, err, st.Added)
		}
	})
}

func TestImportSurvivesControlCharactersAndHugeWords(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	lines := strings.Join([]string{
		`{"url":"https://a.example/nul","title":"Nul\u0000title","text":"Text with a NUL \u0000 byte and a bell \u0007, then plenty more words to read."}`,
		`{"url":"https://a.example/huge","text":"` + strings.Repeat("x", 5000) + ` and then ordinary words follow here."}`,
		`{"url":"https://a.example/` + strings.Repeat("u", 3000) + `","text":"An address far too long for any index."}`,
	}, "\n")
	st, reports := importFile(t, e, coll, lines)
	var errs []int
	for _, r := range reports {
		if r.err != nil {
			errs = append(errs, r.line)
		}
	}
	if st.Added != 2 || !slices.Equal(errs, []int{3}) {
		t.Fatalf("added %d with errors on lines %v; want 2 added and line 3 (the long URL) refused", st.Added, errs)
	}
	res := search(t, e, coll, "ordinary words", 5, retrieval.Filter{})
	if len(res) == 0 || res[0].URL != "https://a.example/huge" {
		t.Fatalf("search after import found %q, want the huge-word article first", urls(res))
	}
}

func TestAURLAddedWhileABatchIsWrittenIsUpdatedNotLost(t *testing.T) {
	ctx := context.Background()
	logs := newLogLines()
	e, coll := retrievaltest.Engine(t, retrievaltest.WithLog(slog.New(logs)))
	c := conn(t)
	docs := bulletins(5)
	var once sync.Once
	// Another process adds line 3's URL (with other text) between the batch's look-up of
	// what is stored and its insert of the new articles.
	retrieval.SetAfterLookup(t, func() {
		once.Do(func() {
			if _, err := c.Exec(ctx, `SELECT set_config('footnote.collection', $1, false)`, coll); err != nil {
				t.Errorf("scope the connection: %v", err)
			}
			if _, err := c.Exec(ctx, `INSERT INTO articles (collection, url, title, content_hash, body) VALUES ($1, $2, 'old', 'old', 'old text')`,
				coll, docs[2].URL); err != nil {
				t.Errorf("add the URL as another process: %v", err)
			}
		})
	})
	st, err := e.Import(ctx, coll, strings.NewReader(jsonl(t, docs...)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 4 || st.Updated != 1 || st.Failed != 0 {
		t.Errorf("Import = %+v, want 4 added and the URL added meanwhile updated", st)
	}
	if logs.has("import batch failed") {
		t.Errorf("the batch failed (log %q): it should be written again row by row, in one transaction", logs.msgs)
	}
	if n := count(t, c, `SELECT count(*) FROM articles WHERE collection = $1`, coll); n != 5 {
		t.Errorf("%d articles stored, want 5", n)
	}
	if n := count(t, c, `SELECT count(*) FROM chunks c JOIN articles a ON a.id = c.article_id
		WHERE a.collection = $1 AND a.url = $2 AND a.title = 'Bulletin 2'`, coll, docs[2].URL); n != 1 {
		t.Errorf("the URL added meanwhile has %d passages of the imported text, want 1", n)
	}
}
