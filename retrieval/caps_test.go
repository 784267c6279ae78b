package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// cutTo is s as a field capped at max characters shows it: its first max-1 characters and
// an ellipsis.
func cutTo(s string, max int) string { return string([]rune(s)[:max-1]) + "…" }

func TestImportCapsLongFieldsAndSaysSo(t *testing.T) {
	mb := strings.Repeat("a", 1<<20)
	emoji := strings.Repeat("🚋", retrieval.MaxTitleChars+50)
	exact := strings.Repeat("é", retrieval.MaxTitleChars)
	longURL := "https://news.example/" + strings.Repeat("u", retrieval.MaxURLBytes)
	type want struct {
		title, site, byline string
		warnings            []string
	}
	tests := []struct {
		name string
		line map[string]string
		want want
		err  error // the line is refused with it
	}{
		{
			name: "a 1 MB title is cut to the cap and the cut is reported",
			line: map[string]string{"title": mb},
			want: want{title: cutTo(mb, retrieval.MaxTitleChars), site: "news.example",
				warnings: []string{"title cut to 300 characters (it had 1048576)"}},
		},
		{
			name: "a title is cut between characters, never inside one",
			line: map[string]string{"title": emoji},
			want: want{title: cutTo(emoji, retrieval.MaxTitleChars), site: "news.example",
				warnings: []string{"title cut to 300 characters (it had 350)"}},
		},
		{
			name: "a title of exactly the cap is kept whole",
			line: map[string]string{"title": exact},
			want: want{title: exact, site: "news.example"},
		},
		{
			name: "a long site and byline are cut, each reported",
			line: map[string]string{"title": "Ferry", "site": strings.Repeat("s", 1000), "byline": strings.Repeat("b", 1000)},
			want: want{title: "Ferry", site: cutTo(strings.Repeat("s", 1000), retrieval.MaxSiteChars),
				byline:   cutTo(strings.Repeat("b", 1000), retrieval.MaxBylineChars),
				warnings: []string{"site cut to 255 characters (it had 1000)", "byline cut to 200 characters (it had 1000)"}},
		},
		{
			name: "an over-long URL is refused, not cut, with a short message",
			line: map[string]string{"url": longURL},
			err:  retrieval.ErrURLTooLong,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, coll := retrievaltest.Engine(t)
			line := map[string]string{"url": "https://news.example/ferry", "text": "The harbour ferry runs again from Monday."}
			for k, v := range tt.line {
				line[k] = v
			}
			var reports []retrieval.LineReport
			_, err := e.Import(context.Background(), coll, strings.NewReader(jsonObject(t, line)), func(r retrieval.LineReport) {
				reports = append(reports, r)
			})
			if err != nil || len(reports) != 1 {
				t.Fatalf("Import: %v, %d reports", err, len(reports))
			}
			r := reports[0]
			if tt.err != nil {
				if !errors.Is(r.Err, tt.err) || !errors.Is(r.Err, retrieval.ErrInvalidURL) || len(r.Err.Error()) > 300 {
					t.Errorf("line error %.400q, want a short one wrapping %v", r.Err, tt.err)
				}
				return
			}
			if r.Err != nil || !slices.Equal(r.Warnings, tt.want.warnings) {
				t.Errorf("report %v, warnings %q; want warnings %q", r.Err, r.Warnings, tt.want.warnings)
			}
			list, _, err := e.ListArticles(context.Background(), coll, "", 0, 1)
			if err != nil || len(list) != 1 {
				t.Fatalf("ListArticles: %v, %d", err, len(list))
			}
			a := list[0]
			if a.Title != tt.want.title || a.Site != tt.want.site || a.Byline != tt.want.byline || !utf8.ValidString(a.Title) {
				t.Errorf("stored title %d chars %.40q…, site %.40q, byline %.40q; want %d chars, %.40q, %.40q",
					utf8.RuneCountInString(a.Title), a.Title, a.Site, a.Byline, utf8.RuneCountInString(tt.want.title), tt.want.site, tt.want.byline)
			}
		})
	}
}

// jsonObject renders m as one JSON line.
func jsonObject(t *testing.T, m map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("{")
	first := true
	for k, v := range m {
		if !first {
			b.WriteString(",")
		}
		first = false
		fmt.Fprintf(&b, "%q:%q", k, v)
	}
	b.WriteString("}\n")
	return b.String()
}

func TestImportNamesAFieldItDoesNotReadOnce(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	file := `{"url":"https://news.example/1","text":"One.","category":"sport","Title":"One"}` + "\n" +
		`{"url":"https://news.example/2","text":"Two.","category":"news","id":2}` + "\n"
	var warnings []string
	_, err := e.Import(context.Background(), coll, strings.NewReader(file), func(r retrieval.LineReport) {
		for _, w := range r.Warnings {
			warnings = append(warnings, fmt.Sprintf("line %d: %s", r.Line, w))
		}
	})
	const read = "(footnote reads url, title, published, text, site, byline)"
	want := []string{
		`line 1: field "category" is not read, here or on later lines ` + read,
		`line 2: field "id" is not read, here or on later lines ` + read,
	}
	if err != nil || !slices.Equal(warnings, want) {
		t.Errorf("Import: %v, warnings\n%q\nwant\n%q", err, warnings, want)
	}
}

func TestAddAndFeedsCapTitlesAlike(t *testing.T) {
	long := strings.Repeat("Harbour ", 1000) // 8,000 characters
	page := `<html><head><title>` + long + `</title></head><body><article><h1>` + long + `</h1>` +
		strings.Repeat("<p>The harbour council met to discuss the ferry timetable with residents who asked about noise.</p>", 3) +
		`</article></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed.xml":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<rss version="2.0"><channel><title>%s</title><item><title>%s</title><link>/story</link></item></channel></rss>`, long, long)
		default:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, page)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	wantNote := []string{fmt.Sprintf("title cut to %d characters (it had %d)", retrieval.MaxTitleChars, utf8.RuneCountInString(strings.TrimSpace(long)))}

	t.Run("an added page's title is cut and the result says so", func(t *testing.T) {
		e, coll := retrievaltest.Engine(t)
		added, err := e.AddURL(ctx, coll, srv.URL+"/page", "alice")
		if err != nil {
			t.Fatalf("AddURL: %v", err)
		}
		if n := utf8.RuneCountInString(added.Article.Title); n != retrieval.MaxTitleChars || !slices.Equal(added.Notes, wantNote) {
			t.Errorf("title of %d characters, notes %q; want %d and %q", n, added.Notes, retrieval.MaxTitleChars, wantNote)
		}
		wantCut := retrieval.FieldCut{Field: "title", Max: retrieval.MaxTitleChars, Had: utf8.RuneCountInString(strings.TrimSpace(long))}
		if len(added.Cuts) != 1 || added.Cuts[0] != wantCut {
			t.Errorf("cuts %+v, want %+v (for the bot to word in the member's language)", added.Cuts, wantCut)
		}
	})
	t.Run("a feed's title, its item's title and the stored article's are cut", func(t *testing.T) {
		e, coll := retrievaltest.Engine(t)
		p, err := e.Track(ctx, coll, srv.URL+"/feed.xml", 0, "alice", "")
		if err != nil || len(p.Items) != 1 {
			t.Fatalf("Track = %+v, %v; want one item", p, err)
		}
		it := p.Items[0]
		if utf8.RuneCountInString(p.Feed.Title) != retrieval.MaxTitleChars || utf8.RuneCountInString(it.Title) != retrieval.MaxTitleChars ||
			!slices.Equal(it.Notes, wantNote) {
			t.Errorf("feed title %d characters, item title %d, notes %q; want %d, %d, %q",
				utf8.RuneCountInString(p.Feed.Title), utf8.RuneCountInString(it.Title), it.Notes, retrieval.MaxTitleChars, retrieval.MaxTitleChars, wantNote)
		}
		feeds, err := e.Feeds(ctx, coll)
		if err != nil || len(feeds) != 1 || utf8.RuneCountInString(feeds[0].Title) != retrieval.MaxTitleChars {
			t.Errorf("Feeds = %v; want the feed's stored title cut", err)
		}
	})
	t.Run("an over-long link is refused before anything is fetched", func(t *testing.T) {
		e, coll := retrievaltest.Engine(t)
		_, err := e.AddURL(ctx, coll, srv.URL+"/"+strings.Repeat("x", retrieval.MaxURLBytes), "alice")
		if !errors.Is(err, retrieval.ErrURLTooLong) || len(err.Error()) > 300 {
			t.Errorf("AddURL = %.400v, want a short ErrURLTooLong", err)
		}
	})
}
