package extract

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenPages are the URLs testdata HTML pages are extracted as if fetched from.
var goldenPages = map[string]string{
	"article.html": "https://www.harbourherald.example/news/2026/03/04/sea-wall-approved?utm_source=twitter",
	"scripts.html": "https://railwire.example/stories/night-trains-return?ref=homepage",
}

// defaultPage is the URL of testdata pages that goldenPages does not name.
const defaultPage = "https://news.example/page"

// render writes a Document, or an error, in the form the golden files hold.
func render(doc *Document, err error) string {
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	published := ""
	if !doc.Published.IsZero() {
		published = doc.Published.Format(time.RFC3339)
	}
	return fmt.Sprintf("url: %s\ntitle: %s\nbyline: %s\nsite: %s\npublished: %s\n\n%s\n",
		doc.URL, doc.Title, doc.Byline, doc.Site, published, doc.Text)
}

func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range inputs {
		if strings.HasSuffix(in, ".golden") || in == filepath.Join("testdata", "fuzz") { // fuzz: the fuzz targets' corpus
			continue
		}
		name := filepath.Base(in)
		t.Run(name+" extracts as its golden file says", func(t *testing.T) {
			body, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if ext := filepath.Ext(name); ext == ".html" {
				raw, ok := goldenPages[name]
				if !ok {
					raw = defaultPage
				}
				page, err := url.Parse(raw)
				if err != nil {
					t.Fatal(err)
				}
				got = render(HTML(body, page))
			} else {
				got = render(File(name, body))
			}
			golden := in + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("extraction of %s differs from %s (run go test -update after checking):\n--- got\n%s\n--- want\n%s",
					name, golden, got, want)
			}
		})
	}
}
