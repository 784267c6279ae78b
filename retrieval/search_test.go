package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// Both the lexical arm alone and the full search must rank like BM25.
func TestSearchRanksLikeBM25(t *testing.T) {
	// Titles are indexed with every passage, so they avoid the query terms.
	fillers := []doc{
		{URL: "https://news.example/f1", Title: "Weather notes", Text: "Light rain fell over the valley on Sunday morning."},
		{URL: "https://news.example/f2", Title: "Market notes", Text: "Apple growers expect a good harvest this autumn."},
	}
	tests := []struct {
		name  string
		docs  []doc // imported in this order, so a tie would favour the first
		query string
		first string // URL that must rank first
		then  string // URL that must rank below it
	}{
		{
			name: "of two passages of equal length, the one with more of the rare term ranks first (IDF)",
			docs: append([]doc{
				{URL: "https://news.example/common", Title: "Meeting notes", Text: "Council, council and council discussed the zeppelin."},
				{URL: "https://news.example/rare", Title: "Meeting notes", Text: "Zeppelin, zeppelin and zeppelin discussed the council."},
				{URL: "https://news.example/c1", Title: "Parking", Text: "The council met on Monday about parking."},
				{URL: "https://news.example/c2", Title: "Bins", Text: "The council met on Tuesday about bins."},
				{URL: "https://news.example/c3", Title: "Trees", Text: "The council met on Wednesday about trees."},
			}, fillers...),
			query: "council zeppelin",
			first: "https://news.example/rare",
			then:  "https://news.example/common",
		},
		{
			name: "of two passages with the term once, the shorter ranks first (length normalisation)",
			docs: append([]doc{
				{URL: "https://news.example/long", Title: "Airship visit", Text: "The zeppelin landed. Residents gathered along the " +
					"river bank, children waved flags, vendors sold roasted chestnuts, and a brass band played marches " +
					"until the evening light faded over the distant hills beyond the quarry."},
				{URL: "https://news.example/short", Title: "Airship visit", Text: "The zeppelin landed near the mill."},
			}, fillers...),
			query: "zeppelin",
			first: "https://news.example/short",
			then:  "https://news.example/long",
		},
		{
			name: "a term repeated twenty times does not beat two distinct query terms (saturation)",
			docs: append([]doc{
				{URL: "https://news.example/spam", Title: "Airship chant", Text: strings.TrimSpace(strings.Repeat("zeppelin ", 20)) + "."},
				{URL: "https://news.example/both", Title: "Airship arrival", Text: "The zeppelin moored at the harbour."},
				{URL: "https://news.example/harbour", Title: "Boats", Text: "Fishing boats left the harbour before dawn on Friday."},
			}, fillers...),
			query: "zeppelin harbour",
			first: "https://news.example/both",
			then:  "https://news.example/spam",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, coll := retrievaltest.Engine(t)
			importDocs(t, e, coll, tt.docs...)
			// The lexical arm alone first: in a full search the reranker and the dense arm
			// could hide a broken BM25.
			lex, err := retrieval.LexicalURLs(context.Background(), e, coll, tt.query, 10)
			if err != nil {
				t.Fatalf("lexical arm: %v", err)
			}
			if i, j := slices.Index(lex, tt.first), slices.Index(lex, tt.then); i != 0 || j < 0 {
				t.Errorf("lexical arm for %q = %q, want %s first and %s after it", tt.query, lex, tt.first, tt.then)
			}
			got := urls(search(t, e, coll, tt.query, 10, retrieval.Filter{}))
			if len(got) == 0 || got[0] != tt.first {
				t.Fatalf("Search(%q) = %q, want %s first", tt.query, got, tt.first)
			}
			if !slices.Contains(got, tt.then) {
				t.Errorf("Search(%q) = %q, want %s among the results", tt.query, got, tt.then)
			}
		})
	}
}

func TestSearchResultsPointIntoTheArticle(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	// Several paragraphs (so several passages), multi-byte characters before the match (so
	// offsets must be bytes of the stored text), and CRLF line ends and leading space that the
	// engine normalises before it stores the text.
	paras := []string{
		"  The Westfield café on Quay Street — run by the same family since 1962 — closed its doors on Saturday after a “difficult” winter.",
		"Regulars said the naïve murals on its walls, painted by art students in the 1970s, should be saved. " + strings.Repeat("Customers queued for a last coffee and a slice of the famous plum cake. ", 6),
		"The owners, Ana and Jorge Ruiz, said rising rents and the closure of the nearby tram depot had cut their trade by half. " + strings.Repeat("Several neighbouring shops report the same pressure on their takings. ", 6),
		"The building’s landlord said a bakery would take over the premises in spring, keeping the murals where possible. " + strings.Repeat("Planning officers must still approve the change of use. ", 5),
	}
	art := doc{URL: "https://gazette.example/cafe-closes", Title: "Quay Street café closes after sixty years",
		Published: "2024-02-03", Site: "Westfield Gazette", Text: strings.Join(paras, "\r\n\r\n")}
	importDocs(t, e, coll, art, doc{URL: "https://gazette.example/other", Title: "Bus timetable", Text: "Bus 12 now runs every ten minutes."})
	stored := strings.TrimSpace(strings.ReplaceAll(art.Text, "\r\n", "\n"))
	published := time.Date(2024, 2, 3, 0, 0, 0, 0, time.UTC)

	for _, query := range []string{"landlord bakery premises", "murals students", "café closed Saturday"} {
		t.Run("a search for "+query+" returns spans of the stored text with their source", func(t *testing.T) {
			res := search(t, e, coll, query, 5, retrieval.Filter{})
			if len(res) == 0 {
				t.Fatalf("Search(%q) found nothing", query)
			}
			for i, r := range res {
				if r.Rank != i+1 {
					t.Errorf("result %d has Rank %d", i, r.Rank)
				}
				if r.URL != art.URL {
					continue
				}
				if r.Title != art.Title || r.Site != art.Site || !r.Published.Equal(published) {
					t.Errorf("result %d source = %q, %q, %v; want %q, %q, %v", i, r.Title, r.Site, r.Published, art.Title, art.Site, published)
				}
				pv, err := e.Passage(context.Background(), coll, r.ChunkID)
				if err != nil {
					t.Fatalf("Passage(%d): %v", r.ChunkID, err)
				}
				if pv.ArticleText != stored {
					t.Fatalf("stored article text differs from the normalised import:\n%q\nwant\n%q", pv.ArticleText, stored)
				}
				if r.Start < 0 || r.End > len(pv.ArticleText) || r.Start >= r.End || pv.ArticleText[r.Start:r.End] != r.Text {
					t.Errorf("result %d: Text is not ArticleText[%d:%d]:\n%q", i, r.Start, r.End, r.Text)
				}
				if pv.Text != r.Text || pv.Start != r.Start || pv.End != r.End || pv.ArticleID != r.ArticleID {
					t.Errorf("Passage(%d) = %+v, want the search result's span", r.ChunkID, pv.Result)
				}
			}
			if res[0].URL != art.URL {
				t.Errorf("Search(%q) ranks %s first, want the café article", query, res[0].URL)
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	const (
		jan     = "https://www.harbourherald.example/jan"
		feb     = "https://harbourherald.example/feb"
		mar     = "https://citytimes.example/mar"
		undated = "https://citytimes.example/undated"
	)
	importDocs(t, e, coll,
		doc{URL: jan, Title: "January sighting", Site: "The Harbour Herald", Published: "2024-01-10", Text: "A zeppelin crossed the bay in January."},
		doc{URL: feb, Title: "February sighting", Published: "2024-02-10", Text: "A zeppelin circled the lighthouse in February."},
		doc{URL: mar, Title: "March sighting", Site: "City Times", Published: "2024-03-10T18:30:00Z", Text: "A zeppelin hovered over the stadium in March."},
		doc{URL: undated, Title: "Undated sighting", Text: "A zeppelin was photographed by a reader."},
	)
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	tests := []struct {
		name string
		f    retrieval.Filter
		want []string
	}{
		{"no filter finds every article", retrieval.Filter{}, []string{jan, feb, mar, undated}},
		{"since keeps articles published on or after the day", retrieval.Filter{Since: day("2024-02-10")}, []string{feb, mar}},
		{"until keeps articles published before the day", retrieval.Filter{Until: day("2024-02-10")}, []string{jan}},
		{"since and until together keep the range between", retrieval.Filter{Since: day("2024-02-01"), Until: day("2024-03-01")}, []string{feb}},
		{"a host matches its articles with or without www", retrieval.Filter{Site: "harbourherald.example"}, []string{jan, feb}},
		{"a host given with www and capitals matches the same", retrieval.Filter{Site: "WWW.HarbourHerald.example"}, []string{jan, feb}},
		{"a site name matches case-insensitively", retrieval.Filter{Site: "city times"}, []string{mar}},
		{"a host matches articles whose site name differs", retrieval.Filter{Site: "citytimes.example"}, []string{mar, undated}},
		{"a domain suffix does not match a longer host", retrieval.Filter{Site: "herald.example"}, nil},
		{"site and date filters combine", retrieval.Filter{Site: "citytimes.example", Since: day("2024-01-01")}, []string{mar}},
		{"a site of LIKE wildcards is taken literally and matches nothing", retrieval.Filter{Site: "%"}, nil},
		{"an underscore in a site is not a wildcard", retrieval.Filter{Site: "harbourherald_example"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := distinctSorted(urls(search(t, e, coll, "zeppelin", 10, tt.f)))
			want := distinctSorted(tt.want)
			if !slices.Equal(got, want) {
				t.Errorf("Search with %+v = %q, want %q", tt.f, got, want)
			}
		})
	}
}

func TestCollectionsDoNotLeak(t *testing.T) {
	ctx := context.Background()
	e, mine := retrievaltest.Engine(t)
	other, theirs := retrievaltest.Engine(t)
	const shared = "https://gazette.example/shared"
	sharedText := "The ferry timetable changes on Monday, with boats every twenty minutes."
	importDocs(t, e, mine,
		doc{URL: "https://gazette.example/zeppelin", Title: "Sky sighting", Text: "A zeppelin was seen above the old mill on Sunday."},
		doc{URL: shared, Title: "Ferry times", Text: sharedText})
	// The same URL and text in another collection is a separate article, not a duplicate.
	st := importDocs(t, other, theirs,
		doc{URL: "https://other.example/trams", Title: "Tram fares", Text: "Tram fares rise by ten cents in April."},
		doc{URL: shared, Title: "Ferry times", Text: sharedText})
	if st.Added != 2 || st.Duplicates != 0 {
		t.Fatalf("importing the other collection: %+v, want 2 added and no duplicates", st)
	}

	mineRes := search(t, e, mine, "zeppelin mill", 10, retrieval.Filter{})
	if len(mineRes) == 0 {
		t.Fatal("the zeppelin article is not found in its own collection")
	}
	zeppelinChunk := mineRes[0].ChunkID
	ans, err := e.Ask(ctx, mine, "Where was the zeppelin seen?", retrieval.AskOptions{})
	if err != nil || ans.QuestionID == 0 {
		t.Fatalf("Ask in its own collection: %v, %+v", err, ans)
	}

	t.Run("a search finds nothing of another collection", func(t *testing.T) {
		for _, r := range search(t, other, theirs, "zeppelin mill ferry", 10, retrieval.Filter{}) {
			if r.URL != shared && r.URL != "https://other.example/trams" {
				t.Errorf("search in %s returned %s", theirs, r.URL)
			}
			if r.ChunkID == zeppelinChunk {
				t.Errorf("search in %s returned chunk %d of %s", theirs, r.ChunkID, mine)
			}
		}
	})
	t.Run("an answer cites and shows only its own collection", func(t *testing.T) {
		a, err := other.Ask(ctx, theirs, "Where was the zeppelin seen?", retrieval.AskOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if a.Covered {
			t.Errorf("answered from another collection: %+v", a)
		}
		for _, c := range a.Citations {
			t.Errorf("cites %s (chunk %d)", c.URL, c.ChunkID)
		}
		for _, r := range a.Closest {
			if r.ChunkID == zeppelinChunk || strings.Contains(r.URL, "zeppelin") {
				t.Errorf("closest sources include %s", r.URL)
			}
		}
	})
	t.Run("listing shows only its own articles", func(t *testing.T) {
		list, total, err := other.ListArticles(ctx, theirs, "", 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, a := range list {
			got = append(got, a.URL)
		}
		if want := []string{shared, "https://other.example/trams"}; total != 2 || !slices.Equal(distinctSorted(got), distinctSorted(want)) {
			t.Errorf("ListArticles = %q (total %d), want %q", got, total, want)
		}
	})
	t.Run("another collection's passage is not found", func(t *testing.T) {
		if _, err := other.Passage(ctx, theirs, zeppelinChunk); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("Passage of another collection's chunk: %v, want ErrNotFound", err)
		}
	})
	t.Run("feedback on another collection's question is not found", func(t *testing.T) {
		err := other.RecordFeedback(ctx, retrieval.Feedback{Collection: theirs, QuestionID: ans.QuestionID, User: "u1", Helpful: true})
		if !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("RecordFeedback across collections: %v, want ErrNotFound", err)
		}
	})
	t.Run("removing another collection's article is not found and leaves it", func(t *testing.T) {
		_, err := other.RemoveArticle(ctx, theirs, "https://gazette.example/zeppelin", "", true)
		if !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("RemoveArticle across collections: %v, want ErrNotFound", err)
		}
		if _, err := e.Passage(ctx, mine, zeppelinChunk); err != nil {
			t.Errorf("the article is gone from its own collection: %v", err)
		}
	})
	t.Run("removing a shared URL in one collection keeps the other's copy", func(t *testing.T) {
		if _, err := other.RemoveArticle(ctx, theirs, shared, "", true); err != nil {
			t.Fatal(err)
		}
		if got := urls(search(t, e, mine, "ferry timetable", 10, retrieval.Filter{})); !slices.Contains(got, shared) {
			t.Errorf("search in %s after removing the other copy = %q, want %s", mine, got, shared)
		}
	})
}

func TestSearchRefusesEmptyQueries(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/a", Text: "A zeppelin was seen above the old mill."})
	for _, q := range []string{"", "   ", "\n\t"} {
		t.Run(fmt.Sprintf("the query %q is refused, not answered with arbitrary passages", q), func(t *testing.T) {
			res, err := e.Search(context.Background(), coll, q, 10, retrieval.Filter{})
			if err == nil || len(res) != 0 {
				t.Errorf("Search(%q) = %d results, %v; want an error", q, len(res), err)
			}
		})
	}
}

// A story republished many times over (wire copies, each with a word changed) must not fill
// the results: one copy is shown, and the articles its copies outrank lexically, even past
// the lexical arm's first candidates, get their places.
func TestSearchLeavesOutCopies(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	var docs []doc
	days := []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	// 70 copies: more than the lexical arm's first 50 candidates.
	for i := range 70 {
		docs = append(docs, doc{
			URL:   fmt.Sprintf("https://wire.example/zeppelin-%d", i),
			Title: "Airship visit",
			Text: fmt.Sprintf("The zeppelin moored at the harbour on %s, and %d people lined the quay to watch "+
				"the zeppelin land beside the harbour wall.", days[i%7], 100+i),
		})
	}
	docs = append(docs,
		doc{URL: "https://news.example/museum", Title: "Museum plans", Text: "The town museum will show " +
			"photographs of the zeppelin next year, the curator said, alongside paintings of the old " +
			"harbour, ship models, fishing nets, a lifeboat and letters from sailors' families."},
		doc{URL: "https://news.example/weather", Title: "Weather", Text: "Light rain fell over the valley on Sunday morning."},
	)
	importDocs(t, e, coll, docs...)

	res := search(t, e, coll, "zeppelin harbour", 10, retrieval.Filter{})
	wire := 0
	for _, r := range res {
		if strings.HasPrefix(r.URL, "https://wire.example/") {
			wire++
		}
	}
	if wire != 1 {
		t.Errorf("Search = %q: %d copies of the wire story, want 1", urls(res), wire)
	}
	if !slices.Contains(urls(res), "https://news.example/museum") {
		t.Errorf("Search = %q, want the museum article, which 70 copies outrank lexically", urls(res))
	}
	// The lexical arm alone still ranks every copy above it: the copies are left out after
	// it, not by it.
	lex, err := retrieval.LexicalURLs(context.Background(), e, coll, "zeppelin harbour", 80)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(lex, "https://news.example/museum"); i < 70 {
		t.Errorf("lexical arm ranks the museum article at %d, want after the 70 copies (the test needs it below them)", i)
	}
}

// The copies left out are not lost to the reader: the passage kept names the other
// articles that ran it, in search results and in the citations of an answer, and a
// distinct article names none.
func TestAnswerNamesTheOtherArticlesThatRanTheStory(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	story := "The harbour ferry will run again from Monday after repairs to its hull, the port authority said, " +
		"ending a closure of three weeks that had stranded commuters on the island."
	importDocs(t, e, coll,
		doc{URL: "https://harbour.example/ferry", Title: "Ferry returns", Site: "Harbour Times", Published: "2026-03-02", Text: story},
		doc{URL: "https://coast.example/ferry-back", Title: "Ferry back on Monday", Site: "Coast Daily", Published: "2026-03-03",
			Text: strings.Replace(story, "three weeks", "nearly three weeks", 1)},
		doc{URL: "https://wire.example/f/1", Title: "Island ferry resumes", Text: strings.Replace(story, "commuters", "workers", 1)},
		doc{URL: "https://news.example/bridge", Title: "Bridge plans", Site: "News", Text: "The council approved plans for a bridge " +
			"to the island, which would replace the ferry within ten years, the mayor said."},
	)

	res := search(t, e, coll, "When will the harbour ferry run again?", 5, retrieval.Filter{})
	if len(res) == 0 || res[0].URL != "https://harbour.example/ferry" {
		t.Fatalf("Search = %q, want the first article that ran the story first", urls(res))
	}
	// In the order they ranked, which this test does not fix.
	also := map[string]retrieval.Source{}
	for _, s := range res[0].Also {
		also[s.URL] = s
	}
	coast, wire := also["https://coast.example/ferry-back"], also["https://wire.example/f/1"]
	if len(res[0].Also) != 2 || coast.Site != "Coast Daily" || coast.Title != "Ferry back on Monday" ||
		coast.Published.Format("2006-01-02") != "2026-03-03" || wire.Site != "wire.example" || !wire.Published.IsZero() || wire.Added.IsZero() {
		t.Errorf("the first result's Also = %+v, want the other two articles with their own site, title and dates", res[0].Also)
	}
	for _, r := range res[1:] {
		if strings.Contains(r.URL, "ferry") && r.URL != "https://news.example/bridge" || len(r.Also) != 0 {
			t.Errorf("result %s (Also %v): a copy listed, or a distinct article naming copies", r.URL, r.Also)
		}
	}

	a, err := ask(t, e, coll, "When will the harbour ferry run again?")
	if err != nil || !a.Covered || len(a.Citations) == 0 {
		t.Fatalf("Ask = %+v, %v; want an answer", a, err)
	}
	c := a.Citations[0]
	if c.URL != "https://harbour.example/ferry" || !slices.Equal(c.Also, res[0].Also) {
		t.Errorf("first citation %s names %+v, want the two other articles that ran it", c.URL, c.Also)
	}
}
