package extract

import (
	"errors"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		md        string
		wantTitle string
		wantText  string
	}{
		{"a leading heading is the title and leaves the text",
			"notes.md", "# Budget vote\n\nThe budget passed.\n", "Budget vote", "The budget passed."},
		{"closing hashes are dropped from a heading",
			"notes.md", "# Budget vote ##\n\nText.\n## Next steps ##\nMore.", "Budget vote", "Text.\n\nNext steps\n\nMore."},
		{"a short first line is the title without a heading",
			"notes.md", "Budget vote\n\nThe budget passed.", "Budget vote", "The budget passed."},
		{"the file name is the title when the text starts with a long paragraph",
			"dir/council-notes.markdown", "The budget passed after a long debate\nthat ran past midnight.",
			"Council notes", "The budget passed after a long debate that ran past midnight."},
		{"emphasis marks are removed",
			"a.md", "x\n\nSome **bold**, __strong__, *em*, _em_ and ~~old~~ words.",
			"x", "Some bold, strong, em, em and old words."},
		{"underscores inside words are kept",
			"a.md", "x\n\nset max_line_length and __init__ here", "x", "set max_line_length and init here"},
		{"links and images keep their text",
			"a.md", "x\n\nSee [the report](https://e.example/r \"R\") and ![a chart](c.png) or [ref][1].\n\n[1]: https://e.example",
			"x", "See the report and a chart or ref."},
		{"inline code keeps its text untouched",
			"a.md", "x\n\nRun `go test *_test.go` now.", "x", "Run go test *_test.go now."},
		{"escaped characters lose their backslash",
			"a.md", "x\n\n\\*not emphasis\\* and \\_this\\_", "x", "*not emphasis* and _this_"},
		{"private-use characters of the text stay as they are beside escapes",
			"a.md", "x\n\nIcon \ue02a and \ue05b\ue000 then \\*this\\*", "x", "Icon \ue02a and \ue05b\ue000 then *this*"},
		{"fenced code is kept verbatim",
			"a.md", "x\n\n```go\nfunc  main() {\n\n}\n```\nafter", "x", "func  main() {\n\n}\n\nafter"},
		{"block quote marks are removed",
			"a.md", "x\n\n> quoted\n> lines", "x", "quoted lines"},
		{"list items are paragraphs of their own",
			"a.md", "x\n\n- one\n- two\n3. three", "x", "- one\n\n- two\n\n3. three"},
		{"a setext heading becomes a paragraph",
			"a.md", "Title\n=====\n\nBody text.", "Title", "Body text."},
		{"front matter gives the title when there is no heading",
			"a.md", "---\ntitle: \"From front matter\"\nauthor: Ada\n---\nBody text that is long enough to not be a title? No, short.\n\nSecond.",
			"From front matter", "Body text that is long enough to not be a title? No, short.\n\nSecond."},
		{"windows line endings and a byte-order mark are handled",
			"a.md", "\ufeff# Title\r\n\r\nLine one\r\nline two\r\n", "Title", "Line one line two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Markdown(tt.file, []byte(tt.md))
			if err != nil {
				t.Fatalf("Markdown: %v", err)
			}
			if doc.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", doc.Title, tt.wantTitle)
			}
			if doc.Text != tt.wantText {
				t.Errorf("Text = %q, want %q", doc.Text, tt.wantText)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		text      string
		wantTitle string
		wantText  string
	}{
		{"a short first line standing alone is the title",
			"letter.txt", "A letter\n\nDear editor,\nplease print this.", "A letter", "Dear editor, please print this."},
		{"a wrapped first paragraph is not a title",
			"letter.txt", "Dear editor,\nplease print this.\n\nThanks.", "Letter", "Dear editor, please print this.\n\nThanks."},
		{"a long first line is not a title",
			"memo.txt", strings.Repeat("word ", 40) + "\n\nNext.", "Memo", strings.TrimSpace(strings.Repeat("word ", 40)) + "\n\nNext."},
		{"a single line is text, not only a title",
			"one.txt", "Just one line", "One", "Just one line"},
		{"runs of blank lines and spaces are collapsed",
			"a.txt", "T\n\n\n\n  a   b  \n\n\n c\t\td ", "T", "a b\n\nc d"},
		{"markdown syntax is left alone in plain text",
			"a.txt", "T\n\n# not a heading *and* [not](a link)", "T", "# not a heading *and* [not](a link)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := PlainText(tt.file, []byte(tt.text))
			if err != nil {
				t.Fatalf("PlainText: %v", err)
			}
			if doc.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", doc.Title, tt.wantTitle)
			}
			if doc.Text != tt.wantText {
				t.Errorf("Text = %q, want %q", doc.Text, tt.wantText)
			}
		})
	}
}

func TestFile(t *testing.T) {
	article := string(page(""))
	tests := []struct {
		name      string
		file      string
		body      string
		want      error // nil: success
		wantTitle string
	}{
		{"a .txt file is read as plain text", "notes.txt", "Title\n\nBody.", nil, "Title"},
		{"a .md file is read as markdown", "notes.md", "# Heading\n\nBody.", nil, "Heading"},
		{"an upper-case .MARKDOWN extension is read as markdown", "NOTES.MARKDOWN", "# Heading\n\nBody.", nil, "Heading"},
		{"an .html file is read as a web page", "saved.html", article, nil, "Library opens on Sundays"},
		{"an .htm file without a title is named after the file", "saved page.htm",
			strings.Replace(article, "<title>Library opens on Sundays</title>", "", 1), nil, "Saved page"},
		{"a .pdf file is unsupported", "report.pdf", "%PDF-1.7", ErrUnsupported, ""},
		{"a file without an extension is unsupported", "README", "text", ErrUnsupported, ""},
		{"text that is not UTF-8 is unsupported", "latin1.txt", "caf\xe9 au lait", ErrUnsupported, ""},
		{"a binary file named .txt is unsupported", "image.txt", "\x89PNG\x00\x00", ErrUnsupported, ""},
		{"an empty text file is empty", "empty.txt", "", ErrEmptyArticle, ""},
		{"a blank markdown file is empty", "blank.md", " \n\n\t\n", ErrEmptyArticle, ""},
		{"a markdown file with only a heading is empty", "h.md", "# Only a heading\n", ErrEmptyArticle, ""},
		{"an html file without an article is empty", "e.html", "<html><body><nav>Home</nav></body></html>", ErrEmptyArticle, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := File(tt.file, []byte(tt.body))
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("File = %+v, %v; want %v", doc, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("File: %v", err)
			}
			if doc.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", doc.Title, tt.wantTitle)
			}
			if doc.URL != "" {
				t.Errorf("URL = %q, want none for an uploaded file", doc.URL)
			}
		})
	}
	t.Run("the error for text that is not UTF-8 says what to do", func(t *testing.T) {
		_, err := File("latin1.txt", []byte("caf\xe9"))
		if err == nil || !strings.Contains(err.Error(), "save it as UTF-8") {
			t.Errorf("error = %v, want one that says to save the file as UTF-8", err)
		}
	})
}
