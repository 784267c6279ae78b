package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// longText is an article long enough for several passages; word makes it findable.
func longText(word string) string {
	var paras []string
	for i := range 4 {
		paras = append(paras, fmt.Sprintf("Paragraph %d on the %s. ", i, word)+strings.Repeat("The works continue through the winter months. ", 15))
	}
	return strings.Join(paras, "\n\n")
}

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

func TestRemoveCollection(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	other, otherColl := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/a", Text: longText("ferry")}, doc{URL: "https://news.example/b", Text: "The pier closes for repairs."})
	importDocs(t, other, otherColl, doc{URL: "https://news.example/a", Text: longText("ferry")})
	ans, err := e.Ask(ctx, coll, "When does the ferry run?", retrieval.AskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.RecordFeedback(ctx, retrieval.Feedback{Collection: coll, QuestionID: ans.QuestionID, User: "u", Helpful: true}); err != nil {
		t.Fatal(err)
	}
	c := conn(t)
	tables := []string{"articles", "chunks", "postings", "embeddings", "questions", "feedback"}
	counts := func(name string) map[string]int {
		m := map[string]int{"collections": count(t, c, `SELECT count(*) FROM collections WHERE name = $1`, name)}
		for _, tb := range tables {
			m[tb] = count(t, c, `SELECT count(*) FROM `+tb+` WHERE collection = $1`, name)
		}
		return m
	}
	otherBefore := counts(otherColl)

	n, err := e.RemoveCollection(ctx, coll)
	if err != nil || n != 2 {
		t.Fatalf("RemoveCollection = %d, %v; want 2 articles", n, err)
	}
	t.Run("nothing of the collection is left", func(t *testing.T) {
		for tb, n := range counts(coll) {
			if n != 0 {
				t.Errorf("%s still holds %d rows of %s", tb, n, coll)
			}
		}
	})
	t.Run("other collections are untouched", func(t *testing.T) {
		if after := counts(otherColl); !mapsEqual(after, otherBefore) {
			t.Errorf("other collection went from %v to %v", otherBefore, after)
		}
	})
	// Asking it is TestAskOnACollectionWithNoArticles.
	t.Run("the emptied collection searches as empty", func(t *testing.T) {
		if res := search(t, e, coll, "ferry", 10, retrieval.Filter{}); len(res) != 0 {
			t.Errorf("search found %d passages", len(res))
		}
	})
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

func TestRecordFeedback(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/tram", Text: "The tram extension opens in March 2027."})
	ans, err := e.Ask(ctx, coll, "When does the tram extension open?", retrieval.AskOptions{AskedBy: "alice"})
	if err != nil || ans.QuestionID == 0 {
		t.Fatalf("Ask: %v, %+v", err, ans)
	}
	c := conn(t)
	type row struct {
		helpful bool
		reason  string
	}
	stored := func(user string) []row {
		rs, err := c.Query(ctx, `SELECT helpful, reason FROM feedback WHERE question_id = $1 AND user_id = $2 AND collection = $3`, ans.QuestionID, user, coll)
		if err != nil {
			t.Fatal(err)
		}
		defer rs.Close()
		var out []row
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.helpful, &r.reason); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	steps := []struct {
		name string
		fb   retrieval.Feedback
		want error
		user string
		rows []row
	}{
		{"a verdict is stored", retrieval.Feedback{User: "bob", Helpful: true}, nil, "bob", []row{{true, ""}}},
		{"a second verdict from the same member replaces the first", retrieval.Feedback{User: "bob", Helpful: false, Reason: "outdated"}, nil, "bob", []row{{false, "outdated"}}},
		{"another member's verdict is stored beside it", retrieval.Feedback{User: "carol", Helpful: true}, nil, "carol", []row{{true, ""}}},
		{"an unknown question is not found", retrieval.Feedback{QuestionID: -1, User: "dave", Helpful: true}, retrieval.ErrNotFound, "dave", nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.fb.Collection = coll
			if s.fb.QuestionID == 0 {
				s.fb.QuestionID = ans.QuestionID
			}
			err := e.RecordFeedback(ctx, s.fb)
			if s.want == nil && err != nil || s.want != nil && !errors.Is(err, s.want) {
				t.Fatalf("RecordFeedback: %v, want %v", err, s.want)
			}
			if got := stored(s.user); !slices.Equal(got, s.rows) {
				t.Errorf("feedback rows of %s = %+v, want %+v", s.user, got, s.rows)
			}
		})
	}
}

// countingEmbedder counts Embed calls: a search calls it only when its dense arm runs.
type countingEmbedder struct {
	embed.Embedder
	calls atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	return c.Embedder.Embed(ctx, texts)
}

func TestReindexSwitchesSpaces(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t)
	var docs []doc
	for i := range 300 { // more passages than one reindex batch
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/%d", i), Title: fmt.Sprintf("Bulletin %d", i),
			Text: fmt.Sprintf("Bulletin %d: the ferry to the island leaves at %d o'clock.", i, i%12+1)})
	}
	docs = append(docs, doc{URL: "https://news.example/zeppelin", Title: "Sky sighting", Text: "A zeppelin was seen above the old mill on Sunday."})
	importDocs(t, oldEng, coll, docs...)
	emb := &countingEmbedder{Embedder: embed.NewHash(64)}
	newEng, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{Embedder: emb, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	c := conn(t)
	active := func() int {
		return count(t, c, `SELECT coalesce(active_space, 0) FROM collections WHERE name = $1`, coll)
	}
	// answers checks that both engines find and answer, and whether the new one's dense arm ran.
	answers := func(t *testing.T, wantDense bool) {
		t.Helper()
		for name, eng := range map[string]*retrieval.Engine{"old model": oldEng, "new model": newEng} {
			before := emb.calls.Load()
			if got := urls(search(t, eng, coll, "zeppelin mill", 3, retrieval.Filter{})); len(got) == 0 || got[0] != "https://news.example/zeppelin" {
				t.Errorf("%s engine: search = %q, want the zeppelin article first", name, got)
			}
			a, err := eng.Ask(ctx, coll, "Where was the zeppelin seen?", retrieval.AskOptions{})
			if err != nil || !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != "https://news.example/zeppelin" {
				t.Errorf("%s engine: Ask = %+v, %v; want an answer citing the zeppelin article", name, a, err)
			}
			if name == "new model" {
				if ran := emb.calls.Load() > before; ran != wantDense {
					t.Errorf("new model engine: dense arm ran = %v, want %v", ran, wantDense)
				}
			}
		}
	}
	if active() != oldEng.Space().ID {
		t.Fatalf("active space %d, want the importing engine's %d", active(), oldEng.Space().ID)
	}
	t.Run("before a reindex the new model answers with the lexical arm alone", func(t *testing.T) { answers(t, false) })

	var progress [][2]int
	st, err := newEng.Reindex(ctx, coll, func(done, total int) {
		progress = append(progress, [2]int{done, total})
		if done > 0 && done < total {
			t.Run("halfway through a reindex the old space still serves", func(t *testing.T) {
				if got := active(); got != oldEng.Space().ID {
					t.Errorf("active space %d mid-reindex, want %d", got, oldEng.Space().ID)
				}
				answers(t, false)
			})
		}
	})
	if err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	passages := count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll)
	t.Run("every passage is embedded in the new space", func(t *testing.T) {
		want := retrieval.ReindexStats{Articles: len(docs), Passages: passages, Embedded: passages, Space: newEng.Space().Name(), Took: st.Took}
		if st != want {
			t.Errorf("Reindex = %+v, want %+v", st, want)
		}
		if n := count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, newEng.Space().ID); n != passages {
			t.Errorf("%d vectors in the new space, want %d", n, passages)
		}
		if len(progress) < 3 || progress[0] != [2]int{0, passages} || progress[len(progress)-1] != [2]int{passages, passages} {
			t.Errorf("progress = %v, want from 0 to %d in several steps", progress, passages)
		}
	})
	t.Run("the collection switches to the new space", func(t *testing.T) {
		if got := active(); got != newEng.Space().ID {
			t.Errorf("active space %d, want %d", got, newEng.Space().ID)
		}
	})
	t.Run("after the switch the new model searches both arms and the old still answers", func(t *testing.T) { answers(t, true) })
	t.Run("a second reindex has nothing to embed", func(t *testing.T) {
		again, err := newEng.Reindex(ctx, coll, nil)
		if err != nil || again.Embedded != 0 || again.Passages != passages {
			t.Errorf("second Reindex = %+v, %v; want nothing embedded", again, err)
		}
	})
}
