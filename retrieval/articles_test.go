package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestRemoveArticleCascades(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll,
		doc{URL: "https://news.example/gone", Title: "Quarry", Text: longText("quarry")},
		doc{URL: "https://news.example/kept", Title: "Harbour", Text: longText("harbour")})
	c := conn(t)
	var id int64
	if err := c.QueryRow(ctx, `SELECT id FROM articles WHERE collection = $1 AND url = $2`, coll, "https://news.example/gone").Scan(&id); err != nil {
		t.Fatal(err)
	}
	rows := func(article int64) [3]int {
		return [3]int{
			count(t, c, `SELECT count(*) FROM chunks WHERE article_id = $1`, article),
			count(t, c, `SELECT count(*) FROM postings p JOIN chunks c ON c.id = p.chunk_id WHERE c.article_id = $1`, article),
			count(t, c, `SELECT count(*) FROM embeddings e JOIN chunks c ON c.id = e.chunk_id WHERE c.article_id = $1`, article),
		}
	}
	before := rows(id)
	if before[0] < 2 || before[1] == 0 || before[2] != before[0] {
		t.Fatalf("before removal: %d chunks, %d postings, %d embeddings; want several of each, one vector per chunk", before[0], before[1], before[2])
	}
	collRows := func() [3]int {
		return [3]int{
			count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll),
			count(t, c, `SELECT count(*) FROM postings WHERE collection = $1`, coll),
			count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1`, coll),
		}
	}
	total := collRows()

	a, err := e.RemoveArticle(ctx, coll, "HTTPS://News.Example/gone/", "", true)
	if err != nil || a.ID != id {
		t.Fatalf("RemoveArticle: %v, %+v", err, a)
	}
	t.Run("its passages, postings and vectors go with it", func(t *testing.T) {
		want := [3]int{total[0] - before[0], total[1] - before[1], total[2] - before[2]}
		if got := collRows(); got != want {
			t.Errorf("collection holds %v chunks/postings/embeddings, want %v", got, want)
		}
		if n := count(t, c, `SELECT count(*) FROM articles WHERE id = $1`, id); n != 0 {
			t.Errorf("article row still there")
		}
	})
	t.Run("the collection's BM25 statistics follow", func(t *testing.T) {
		stats := count(t, c, `SELECT chunk_count FROM collections WHERE name = $1`, coll)
		tokens := count(t, c, `SELECT token_total FROM collections WHERE name = $1`, coll)
		if stats != total[0]-before[0] || tokens != count(t, c, `SELECT coalesce(sum(token_count), 0) FROM chunks WHERE collection = $1`, coll) {
			t.Errorf("collection stats say %d chunks, %d tokens; the chunks table disagrees", stats, tokens)
		}
	})
	t.Run("the other article still answers", func(t *testing.T) {
		if got := urls(search(t, e, coll, "harbour quarry", 10, retrieval.Filter{})); len(got) == 0 || slices.Contains(got, "https://news.example/gone") {
			t.Errorf("search after removal = %q", got)
		}
	})
	t.Run("removing it again is not found", func(t *testing.T) {
		if _, err := e.RemoveArticle(ctx, coll, "https://news.example/gone", "", true); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("second RemoveArticle: %v, want ErrNotFound", err)
		}
	})
}

func TestRemoveArticlePermissions(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	add := func(name, by string) string {
		res, err := e.AddFile(ctx, coll, name, []byte("Notes on "+name+"\n\nThe "+name+" was discussed at length by the committee."), by)
		if err != nil {
			t.Fatal(err)
		}
		return res.Article.URL
	}
	tests := []struct {
		name      string
		addedBy   string
		requester string
		admin     bool
		want      error
	}{
		{"another member may not remove it", "alice", "bob", false, retrieval.ErrForbidden},
		{"the member who added it may", "alice", "alice", false, nil},
		{"an admin may remove anyone's", "alice", "carol", true, nil},
		{"a member may not remove one added from the command line", "", "bob", false, retrieval.ErrForbidden},
		{"an anonymous non-admin may not remove one added from the command line", "", "", false, retrieval.ErrForbidden},
		{"an admin may remove one added from the command line", "", "", true, nil},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := add(fmt.Sprintf("item%d.txt", i), tt.addedBy)
			_, err := e.RemoveArticle(ctx, coll, u, tt.requester, tt.admin)
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("RemoveArticle by %q (admin %v): %v, want %v", tt.requester, tt.admin, err, tt.want)
			}
			list, _, err := e.ListArticles(ctx, coll, u, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if kept := len(list) == 1; kept != (tt.want != nil) {
				t.Errorf("article kept = %v after RemoveArticle returned %v", kept, err)
			}
		})
	}
}

func TestListArticles(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll,
		doc{URL: "https://gazette.example/1", Title: "Tram depot opens", Published: "2024-01-05", Text: "The tram depot opened."},
		doc{URL: "https://gazette.example/2", Title: "Budget passed", Published: "2024-03-05", Text: "The council budget passed."},
		doc{URL: "https://metro.example/3", Title: "Ferry strike", Published: "2024-02-05", Text: "Ferry crews walked out over pay."},
		doc{URL: "https://metro.example/4", Title: "Undated note", Text: "A note with no date about lanterns."},
		doc{URL: "https://gazette.example/5", Title: "Library hours", Published: "2024-04-05", Text: "The library extends its opening hours."},
	)
	newestFirst := []string{"https://gazette.example/5", "https://gazette.example/2", "https://metro.example/3", "https://gazette.example/1", "https://metro.example/4"}
	tests := []struct {
		name          string
		query         string
		offset, limit int
		want          []string
		total         int
	}{
		{"the first page lists the newest articles", "", 0, 2, newestFirst[:2], 5},
		{"the second page goes on where the first stopped", "", 2, 2, newestFirst[2:4], 5},
		{"the last page ends with undated articles", "", 4, 2, newestFirst[4:], 5},
		{"a page past the end is empty but still counts", "", 10, 2, nil, 5},
		{"a title word filters", "budget", 0, 10, []string{"https://gazette.example/2"}, 1},
		{"a site filters", "metro.example", 0, 10, []string{"https://metro.example/3", "https://metro.example/4"}, 2},
		{"a word of the text filters, stemmed", "lantern", 0, 10, []string{"https://metro.example/4"}, 1},
		{"words of the text filter when one passage holds them all", "crews walking", 0, 10, []string{"https://metro.example/3"}, 1},
		{"words of the text in different articles match neither", "ferry library", 0, 10, nil, 0},
		{"a query nothing matches lists nothing", "zeppelin", 0, 10, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, total, err := e.ListArticles(ctx, coll, tt.query, tt.offset, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range list {
				got = append(got, a.URL)
				if a.Passages != 1 || a.Collection != coll {
					t.Errorf("%s: %d passages in %q, want 1 in %q", a.URL, a.Passages, a.Collection, coll)
				}
			}
			if !slices.Equal(got, tt.want) || total != tt.total {
				t.Errorf("ListArticles(%q, %d, %d) = %q, total %d; want %q, total %d", tt.query, tt.offset, tt.limit, got, total, tt.want, tt.total)
			}
		})
	}
}
