package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestPrintAdded(t *testing.T) {
	published := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    retrieval.Article
		n    int
		want string
	}{
		{"site and date share a line", retrieval.Article{Title: "Tram opens", Site: "Gazette", Published: published, URL: tramURL}, 3,
			"added: Tram opens\n  Gazette, 2024-05-02\n  " + tramURL + "\n  3 passages\n"},
		{"a date without a site stands alone", retrieval.Article{Title: "Tram opens", Published: published, URL: tramURL}, 1,
			"added: Tram opens\n  2024-05-02\n  " + tramURL + "\n  1 passage\n"},
		{"neither leaves no empty line", retrieval.Article{Title: "Tram opens", URL: tramURL}, 1,
			"added: Tram opens\n  " + tramURL + "\n  1 passage\n"},
		{"an article without a title is named by its link", retrieval.Article{URL: tramURL}, 0,
			"added: " + tramURL + "\n  " + tramURL + "\n  0 passages\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printAdded(&b, retrieval.DefaultCollection, &retrieval.AddedArticle{Article: tt.a, Passages: tt.n, Status: retrieval.StatusAdded})
			if b.String() != tt.want {
				t.Errorf("printed\n%q\nwant\n%q", b.String(), tt.want)
			}
		})
	}
}

func TestPrintAddedReplacedAndNamesakes(t *testing.T) {
	t.Run("an update says it replaced the earlier version", func(t *testing.T) {
		var b bytes.Buffer
		printAdded(&b, retrieval.DefaultCollection, &retrieval.AddedArticle{Article: retrieval.Article{Title: "Tram opens", URL: tramURL}, Passages: 2, Status: retrieval.StatusUpdated})
		if want := "updated: replaced the earlier version of Tram opens\n"; !bytes.HasPrefix(b.Bytes(), []byte(want)) {
			t.Errorf("printed %q, want it to start with %q", b.String(), want)
		}
	})
	t.Run("a file names the other files of the same name it did not replace, with the command that removes each", func(t *testing.T) {
		var b bytes.Buffer
		printAdded(&b, retrieval.DefaultCollection, &retrieval.AddedArticle{Article: retrieval.Article{Title: "Library", URL: "file:///bbbbbbbbbbbb/library.md"}, Passages: 1,
			Status: retrieval.StatusAdded, SameName: []string{"file:///aaaaaaaaaaaa/library.md"}})
		if want := "  another file of the same name is still tracked: file:///aaaaaaaaaaaa/library.md (run `footnote remove file:///aaaaaaaaaaaa/library.md` if this one replaces it)\n"; !bytes.HasSuffix(b.Bytes(), []byte(want)) {
			t.Errorf("printed %q, want it to end with %q", b.String(), want)
		}
	})
}

func TestPrintAddedSaysWhatWasCut(t *testing.T) {
	var b bytes.Buffer
	printAdded(&b, retrieval.DefaultCollection, &retrieval.AddedArticle{Article: retrieval.Article{Title: "Tram opens…", URL: tramURL},
		Passages: 1, Status: retrieval.StatusAdded, Notes: []string{"title cut to 300 characters (it had 7999)"}})
	if want := "  1 passage\n  note: title cut to 300 characters (it had 7999)\n"; !bytes.HasSuffix(b.Bytes(), []byte(want)) {
		t.Errorf("printed %q, want it to end with %q", b.String(), want)
	}
}

func TestRemoveCommand(t *testing.T) {
	for _, tc := range []struct{ name, coll, url, want string }{
		{"a plain address in the default collection is given as is", retrieval.DefaultCollection, "file:///aaaaaaaaaaaa/notes.md",
			"footnote remove file:///aaaaaaaaaaaa/notes.md"},
		{"another collection is named", "A", "file:///aaaaaaaaaaaa/notes.md", "footnote remove --collection A file:///aaaaaaaaaaaa/notes.md"},
		{"an address with a character the shell reads is quoted", retrieval.DefaultCollection, "file:///aaaaaaaaaaaa/a&b;'c.md",
			`footnote remove 'file:///aaaaaaaaaaaa/a&b;'\''c.md'`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := removeCommand(tc.coll, tc.url); got != tc.want {
				t.Errorf("removeCommand = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDateSuffix(t *testing.T) {
	pub, added := time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name           string
		published, add time.Time
		want           string
	}{
		{"a publication date is shown as is", pub, added, ", 2024-05-02"},
		{"without one the added day is shown as added", time.Time{}, added, ", added 2026-11-30"},
		{"without either nothing is shown", time.Time{}, time.Time{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := dateSuffix(tc.published, tc.add); got != tc.want {
				t.Errorf("dateSuffix = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAddRefusesLinksItCannotFetch(t *testing.T) {
	for _, tt := range []struct{ name, link, want string }{
		{"another scheme is refused in a plain line", "ftp://x/y", "ftp://x/y is not a web address: only http and https links can be added"},
		{"a link without a host is refused", "https:///story", "https:///story is not a web address: no host"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runNoDB("add", tt.link)
			if err == nil || err.Error() != tt.want || exitCode(err) != 1 {
				t.Errorf("add %s = %v, want %q, exit 1", tt.link, err, tt.want)
			}
		})
	}
}

func TestImportSummaryCountsInWords(t *testing.T) {
	for _, tt := range []struct {
		name string
		st   retrieval.ImportStats
		want string
	}{
		{"one of each is singular", retrieval.ImportStats{Lines: 1, Duplicates: 1, Passages: 1, Took: 1500 * time.Microsecond},
			"imported 1 line in 2ms: 0 added, 0 updated, 0 unchanged, 1 duplicate, 0 failed; 1 passage"},
		{"more than one is plural", retrieval.ImportStats{Lines: 6, Added: 3, Unchanged: 1, Duplicates: 2, Passages: 7, Took: time.Second},
			"imported 6 lines in 1s: 3 added, 0 updated, 1 unchanged, 2 duplicates, 0 failed; 7 passages"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := importSummary(tt.st); got != tt.want {
				t.Errorf("importSummary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCLIIngest(t *testing.T) {
	c, coll, dir, file := newCLI(t)
	importLine := regexp.MustCompile(`^imported 6 lines in \S+: (\d+) added, 0 updated, (\d+) unchanged, 0 duplicates, 1 failed; (\d+) passages?\n$`)

	t.Run("import reports its counts and the bad line by number", func(t *testing.T) {
		out, stderr := c.must(t, "", "import", "--collection", coll, file)
		m := importLine.FindStringSubmatch(out)
		if m == nil || m[1] != "5" || m[2] != "0" || m[3] != "5" {
			t.Errorf("stdout = %q, want 5 added, 1 failed, 5 passages", out)
		}
		if want := file + `: line 3: invalid input: missing "url"`; !strings.Contains(stderr, want) {
			t.Errorf("stderr = %q, want it to contain %q", stderr, want)
		}
	})
	if t.Failed() {
		return
	}
	t.Run("importing again changes nothing", func(t *testing.T) {
		out, _ := c.must(t, "", "import", "--collection", coll, file)
		if m := importLine.FindStringSubmatch(out); m == nil || m[1] != "0" || m[2] != "5" || m[3] != "0" {
			t.Errorf("stdout = %q, want 5 unchanged", out)
		}
	})
	t.Run("add prints one passage in the singular and no empty lines", func(t *testing.T) {
		note := filepath.Join(dir, "harbour.txt")
		if err := os.WriteFile(note, []byte("Harbour ferry resumes\n\nThe harbour ferry resumes its winter timetable on Monday."), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _ := c.must(t, "", "add", "--collection", coll, note)
		if !regexp.MustCompile(`^added: .+\n  \S+\n  1 passage\n$`).MatchString(out) {
			t.Errorf("stdout = %q, want status and title, link, \"1 passage\"", out)
		}
	})
	t.Run("an import in which every line fails exits 1 and says so", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.jsonl")
		if err := os.WriteFile(bad, []byte("{\"title\":\"no url\"}\nnot json\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, stderr, err := c.run(t, "", "import", "--collection", coll, bad)
		want := "import " + bad + ": every line failed (the errors above say why; `footnote import --help` shows the line format)"
		if err == nil || err.Error() != want || exitCode(err) != 1 {
			t.Errorf("import = %v, want %q, exit 1", err, want)
		}
		if !strings.Contains(out, "2 failed") || !strings.Contains(stderr, "line 2: ") {
			t.Errorf("stdout %q, stderr %q: want the counts and each line's error", out, stderr)
		}
	})
	t.Run("a missing page is reported as not found, not as a site that is down", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		private := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN(), "FOOTNOTE_ALLOW_PRIVATE": "true"}}
		_, _, err := private.run(t, "", "add", "--collection", coll, srv.URL+"/2024/gone")
		var b bytes.Buffer
		report(&b, err)
		if !strings.Contains(b.String(), "404 Not Found (the page was not found: check the address)") || strings.Contains(b.String(), "may be down") {
			t.Errorf("reported %q, want the 404 and the fix", b.String())
		}
	})
	t.Run("remove deletes one article by URL", func(t *testing.T) {
		out, _ := c.must(t, "", "remove", "--collection", coll, driversURL)
		if want := "removed Tram drivers vote on pay deal (" + driversURL + ")\n"; out != want {
			t.Errorf("stdout = %q, want %q", out, want)
		}
		out, _ = c.must(t, "", "search", "--collection", coll, "--json", "drivers pay strike")
		if strings.Contains(out, driversURL) {
			t.Errorf("search still finds the removed article: %s", out)
		}
		if _, _, err := c.run(t, "", "remove", "--collection", coll, driversURL); !errors.Is(err, retrieval.ErrNotFound) {
			t.Errorf("removing it again: %v, want ErrNotFound", err)
		}
	})
}
