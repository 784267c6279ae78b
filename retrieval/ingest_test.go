package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestAddFile(t *testing.T) {
	page, err := os.ReadFile("testdata/tram.html")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		file      string
		data      string
		wantErr   error
		wantTitle string
		query     string
	}{
		{name: "a text file takes its first line as title", file: "depot.txt",
			data:      "Tram depot opens\n\nThe new tram depot in Westfield opened on Monday with room for forty trams.\n",
			wantTitle: "Tram depot opens", query: "depot forty trams"},
		{name: "a markdown file takes its heading as title and loses its syntax", file: "notes/minutes.md",
			data:      "# Council minutes\n\nThe council **approved** the [library budget](https://x.example) on Tuesday.\n",
			wantTitle: "Council minutes", query: "council library budget"},
		{name: "an html file keeps the article and its title", file: "tram.html", data: string(page),
			wantTitle: "Westfield tram extension to open in 2027", query: "passengers March 2027"},
		{name: "an image is unsupported", file: "photo.png", data: "\x89PNG\r\n\x1a\n", wantErr: retrieval.ErrUnsupported},
		{name: "a shell script is unsupported", file: "run.sh", data: "echo hello\n", wantErr: retrieval.ErrUnsupported},
		{name: "a text file of only white space is an empty article", file: "blank.txt", data: " \n\t\n  \n", wantErr: retrieval.ErrEmptyArticle},
	}
	e, coll := retrievaltest.Engine(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := e.AddFile(context.Background(), coll, tt.file, []byte(tt.data), "alice")
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("AddFile(%s): %v, want %v", tt.file, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("AddFile(%s): %v", tt.file, err)
			}
			base := tt.file[strings.LastIndex(tt.file, "/")+1:]
			a := res.Article
			if res.Status != retrieval.StatusAdded || a.URL != retrieval.FileURL(base, []byte(tt.data)) || !strings.HasSuffix(a.URL, "/"+base) || a.Title != tt.wantTitle || a.AddedBy != "alice" || res.Passages == 0 {
				t.Errorf("AddFile(%s) = %s %q %q by %q, %d passages; want added file:///%s %q by alice",
					tt.file, res.Status, a.URL, a.Title, a.AddedBy, res.Passages, base, tt.wantTitle)
			}
			if strings.ContainsAny(a.Text, "*[]<>") {
				t.Errorf("stored text keeps markup: %q", a.Text)
			}
			if got := urls(search(t, e, coll, tt.query, 3, retrieval.Filter{})); len(got) == 0 || got[0] != a.URL {
				t.Errorf("Search(%q) = %q, want %s first", tt.query, got, a.URL)
			}
		})
	}
	first := retrieval.FileURL("depot.txt", []byte(tests[0].data))
	t.Run("the same file added again, from another folder, is unchanged", func(t *testing.T) {
		res, err := e.AddFile(context.Background(), coll, "other/depot.txt", []byte(tests[0].data), "alice")
		if err != nil || res.Status != retrieval.StatusUnchanged || res.Article.URL != first || len(res.SameName) != 0 {
			t.Fatalf("AddFile again: %v, %+v; want unchanged %s", err, res, first)
		}
	})
	postponed := []byte("Tram depot opens\n\nThe depot opening was postponed to June.\n")
	t.Run("a different file of the same name is a new article that names the first", func(t *testing.T) {
		res, err := e.AddFile(context.Background(), coll, "elsewhere/depot.txt", postponed, "alice")
		if err != nil || res.Status != retrieval.StatusAdded || res.Article.URL == first || len(res.SameName) != 1 || res.SameName[0] != first {
			t.Fatalf("AddFile of another depot.txt: %v, %+v; want added beside %s", err, res, first)
		}
		if _, n, _ := e.ListArticles(context.Background(), coll, "depot", 0, 10); n != 2 {
			t.Errorf("%d depot articles, want both files", n)
		}
	})
	t.Run("the first file added again, beside its namesake, is unchanged and names no namesake", func(t *testing.T) {
		res, err := e.AddFile(context.Background(), coll, "depot.txt", []byte(tests[0].data), "alice")
		if err != nil || res.Status != retrieval.StatusUnchanged || len(res.SameName) != 0 {
			t.Fatalf("AddFile of depot.txt again: %v, %+v; want unchanged without namesakes", err, res)
		}
	})
	t.Run("the same text under another file name is a duplicate", func(t *testing.T) {
		res, err := e.AddFile(context.Background(), coll, "copy.txt", postponed, "bob")
		if want := retrieval.FileURL("depot.txt", postponed); !errors.Is(err, retrieval.ErrDuplicate) || res == nil || res.DuplicateOf != want {
			t.Errorf("AddFile of a copy: %v, %+v; want ErrDuplicate of %s", err, res, want)
		}
	})
	t.Run("a file's address as a person types it, with a space, removes it", func(t *testing.T) {
		data := []byte("Harbour notes\n\nThe harbour wall was repaired in spring.\n")
		res, err := e.AddFile(context.Background(), coll, "my notes.md", data, "alice")
		if err != nil || !strings.HasSuffix(res.Article.URL, "/my%20notes.md") {
			t.Fatalf("AddFile(my notes.md): %v, %+v", err, res)
		}
		typed := strings.Replace(res.Article.URL, "%20", " ", 1)
		a, err := e.RemoveArticle(context.Background(), coll, typed, "alice", false)
		if err != nil || a.URL != res.Article.URL {
			t.Fatalf("RemoveArticle(%q): %v, %+v; want %s removed", typed, err, a, res.Article.URL)
		}
	})
	t.Run("a file's address, as listed, removes it", func(t *testing.T) {
		a, err := e.RemoveArticle(context.Background(), coll, first, "alice", false)
		if err != nil || a.URL != first {
			t.Fatalf("RemoveArticle(%s): %v, %+v", first, err, a)
		}
	})
}

func TestAddURL(t *testing.T) {
	page, err := os.ReadFile("testdata/tram.html")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/news/tram-extension", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.7"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e, coll := retrievaltest.Engine(t)
	ctx := context.Background()

	res, err := e.AddURL(ctx, coll, srv.URL+"/news/tram-extension?utm_source=feed#top", "alice")
	if err != nil {
		t.Fatalf("AddURL: %v", err)
	}
	t.Run("the article is stored under its canonical URL with its title, site and date", func(t *testing.T) {
		a := res.Article
		want := retrieval.Article{URL: srv.URL + "/news/tram-extension", Title: "Westfield tram extension to open in 2027",
			Site: "Westfield Gazette", Byline: "Lena Ortiz", Published: time.Date(2024, 5, 2, 9, 0, 0, 0, time.UTC)}
		if res.Status != retrieval.StatusAdded || a.URL != want.URL || a.Title != want.Title || a.Site != want.Site ||
			a.Byline != want.Byline || !a.Published.Equal(want.Published) || res.Passages == 0 {
			t.Errorf("AddURL = %s %d passages %+v,\nwant added %+v", res.Status, res.Passages, a, want)
		}
		if strings.Contains(a.Text, "Subscribe") || !strings.Contains(a.Text, "eleven thousand passengers") {
			t.Errorf("stored text is not the article alone: %q", a.Text)
		}
		if got := urls(search(t, e, coll, "tram extension passengers", 3, retrieval.Filter{})); len(got) == 0 || got[0] != want.URL {
			t.Errorf("search = %q, want %s first", got, want.URL)
		}
	})
	t.Run("the same page again is unchanged", func(t *testing.T) {
		again, err := e.AddURL(ctx, coll, srv.URL+"/news/tram-extension/", "bob")
		if err != nil || again.Status != retrieval.StatusUnchanged {
			t.Errorf("AddURL again: %v, %+v; want unchanged", err, again)
		}
	})
	for _, tt := range []struct {
		name, path string
		want       error
	}{
		{"a missing page is a fetch error", "/gone", retrieval.ErrFetch},
		{"a PDF is unsupported", "/report.pdf", retrieval.ErrUnsupported},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.AddURL(ctx, coll, srv.URL+tt.path, "alice"); !errors.Is(err, tt.want) {
				t.Errorf("AddURL(%s): %v, want %v", tt.path, err, tt.want)
			}
		})
	}
}

func TestAddURLRefusesPrivateAddresses(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body><p>"+strings.Repeat("Secret internal page. ", 20)+"</p></body></html>")
	}))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	e, coll := retrievaltest.Engine(t, retrievaltest.WithFetcher(fetch.New(fetch.Config{})))
	for _, u := range []string{
		"http://127.0.0.1:" + port + "/admin",
		"http://localhost:" + port + "/admin",
		"http://[::1]:" + port + "/admin",
		"http://10.0.0.1/",
		"http://192.168.1.1/router",
		"http://169.254.169.254/latest/meta-data",
	} {
		t.Run("the production fetcher refuses "+u, func(t *testing.T) {
			if _, err := e.AddURL(context.Background(), coll, u, "mallory"); !errors.Is(err, retrieval.ErrBlockedAddr) {
				t.Errorf("AddURL(%s): %v, want ErrBlockedAddr", u, err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
	if _, total, _ := e.ListArticles(context.Background(), coll, "", 0, 1); total != 0 {
		t.Errorf("refused pages stored %d articles", total)
	}
}
