package extract

import (
	"strings"
	"testing"
	"time"
)

func TestTextDate(t *testing.T) {
	tests := []struct {
		name, file, body string
		want             string // YYYY-MM-DD, "" for none
		wantTitle        string
	}{
		{"front matter date gives the date of a Markdown file", "a.md",
			"---\ndate: 2026-03-02\n---\n# Sea wall\n\nText.", "2026-03-02", "Sea wall"},
		{"front matter published gives the date", "a.md",
			"---\npublished: \"2026-03-01T10:00:00Z\"\n---\nText here.\n\nMore.", "2026-03-01", "A"},
		{"front matter in a text file gives the date", "a.txt",
			"---\ntitle: Memo\ndate: 2026-02-28\n---\nText.", "2026-02-28", "Memo"},
		{"a Published line under the title gives the date", "report.txt",
			"Sea wall approved\n\nPublished 3 March 2026, 10:04 GMT\n\nThe council voted.", "2026-03-03", "Sea wall approved"},
		{"a Published line with the month first gives the date", "report.md",
			"# Sea wall approved\n\n*Published: March 4th, 2026*\n\nThe council voted.", "2026-03-04", "Sea wall approved"},
		{"an Updated line gives the date when nothing says published", "report.txt",
			"Sea wall approved\n\nLast updated Sept. 5, 2025\n\nThe council voted.", "2025-09-05", "Sea wall approved"},
		{"a Published line wins over an Updated line above it", "report.txt",
			"Sea wall\n\nUpdated 2026-03-06\n\nPublished 2026-03-05\n\nThe council voted.", "2026-03-05", "Sea wall"},
		{"a bare dateline gives the date", "report.txt",
			"Sea wall approved\n\nBy Mara Okafor | Tuesday 3 March 2026\n\nThe council voted.", "2026-03-03", "Sea wall approved"},
		{"a dateline at the top is not the title; the line after it is", "report.txt",
			"2026-03-07\n\nSea wall approved\n\nThe council voted.", "2026-03-07", "Sea wall approved"},
		{"a date inside a sentence is not a dateline", "report.txt",
			"Sea wall approved\n\nThe council will vote on 3 March 2026 on the wall.\n\nMore.", "", "Sea wall approved"},
		{"a short line that mentions a date is not a dateline", "report.txt",
			"Sea wall approved\n\nThe meeting was on 3 March 2026\n\nThe council voted.", "", "Sea wall approved"},
		{"a short line with a date after a phrase is not a dateline", "report.txt",
			"Sea wall approved\n\nVote expected by 3 March 2026\n\nThe council voted.", "", "Sea wall approved"},
		{"a Japanese 公開 line gives the date", "report.txt",
			"東京都の人口、過去最多に\n\n公開：2024年10月1日 10:00\n\n東京都の人口は約1400万人となった。", "2024-10-01", "東京都の人口、過去最多に"},
		{"a Japanese bare dateline in full-width digits gives the date", "report.txt",
			"富士山の山開き\n\n２０２４年７月１日\n\n富士山は標高3776メートルである。", "2024-07-01", "富士山の山開き"},
		{"a Chinese 发布 line gives the date", "report.txt",
			"北京新闻\n\n发布时间：2025年3月5日\n\n北京是中国的首都。", "2025-03-05", "北京新闻"},
		{"a Japanese 更新 line gives the date when nothing says published", "report.txt",
			"新幹線\n\n更新 2024年10月2日\n\n東海道新幹線は開業した。", "2024-10-02", "新幹線"},
		{"a Japanese sentence that mentions a date is not a dateline", "report.txt",
			"新幹線\n\n開業は1964年10月1日だった。\n\n東海道新幹線は開業した。", "", "新幹線"},
		{"a dateline with a byline, weekday, time and zone gives the date", "report.txt",
			"Sea wall approved\n\nBy Jane Doe, Harbour Herald | Tuesday 3 March 2026, 10:04 GMT\n\nThe council voted.", "2026-03-03", "Sea wall approved"},
		{"a byline with the date after a comma gives the date", "report.txt",
			"Sea wall approved\n\nBy Jane Doe, 3 March 2026\n\nThe council voted.", "2026-03-03", "Sea wall approved"},
		{"a dateline with a place gives the date", "report.txt",
			"Sea wall approved\n\nLONDON, March 3, 2026\n\nThe council voted.", "2026-03-03", "Sea wall approved"},
		{"a short labelled line gives the date though it has more words", "report.txt",
			"Sea wall approved\n\nDate of the council meeting: 3 March 2026\n\nThe council voted.", "2026-03-03", "Sea wall approved"},
		{"a date far down the text is not the file's date", "report.txt",
			"T\n\na.\n\nb.\n\nc.\n\nd.\n\nPublished 3 March 2026", "", "T"},
		{"a day/month date with slashes is not guessed", "report.txt",
			"T\n\nPublished 03/04/2026\n\nText.", "", "T"},
		{"front matter with the epoch falls back to the dateline", "a.md",
			"---\ndate: 1970-01-01\n---\n# Sea wall\n\nPublished 2026-03-02\n\nText.", "2026-03-02", "Sea wall"},
		{"a Published line with a placeholder year is no date", "report.txt",
			"T\n\nPublished 9999-12-31\n\nText.", "", "T"},
		{"a file without any date has none", "report.txt", "T\n\nText.", "", "T"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := File(tt.file, []byte(tt.body))
			if err != nil {
				t.Fatalf("File: %v", err)
			}
			if got := dateOf(doc, time.DateOnly); got != tt.want {
				t.Errorf("Published = %q, want %q", got, tt.want)
			}
			if doc.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", doc.Title, tt.wantTitle)
			}
		})
	}
}

func TestTextTitle(t *testing.T) {
	tests := []struct {
		name, file, body, want string
	}{
		{"a Markdown heading is the title", "council-report-0412.md", "# Council report, April\n\nText.", "Council report, April"},
		{"a short first line followed by a blank line is the title", "council-report-0412.txt",
			"Council report: April budget\n\nThe council met.", "Council report: April budget"},
		{"a first line that ends a sentence is text, and the file name is the title", "council-report-0412.txt",
			"The council met on Tuesday.\n\nIt voted.", "Council report 0412"},
		{"a first line followed by more lines is text", "council_report.txt",
			"The council met\non Tuesday\n\nIt voted.", "Council report"},
		{"a first line longer than the limit is text", "notes.txt",
			"A " + strings.Repeat("very ", 30) + "long line\n\nText.", "Notes"},
		{"a first line ending in an ellipsis may be a title", "n.txt", "And then...\n\nText.", "And then..."},
		{"a question can be a title", "n.txt", "Is the bus coming back?\n\nText.", "Is the bus coming back?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := File(tt.file, []byte(tt.body))
			if err != nil {
				t.Fatalf("File: %v", err)
			}
			if doc.Title != tt.want {
				t.Errorf("Title = %q, want %q", doc.Title, tt.want)
			}
		})
	}
}

func TestParseDateWrittenOut(t *testing.T) {
	for _, in := range []string{"2 May 2024", "2 Jan 2024", "May 2 2024", "May 2, 2024", "january 2, 2024"} {
		t.Run(in+" is read as a date", func(t *testing.T) {
			if _, err := ParseDate(in); err != nil {
				t.Errorf("ParseDate(%q): %v", in, err)
			}
		})
	}
	t.Run("the day comes from the number and the month from its name", func(t *testing.T) {
		a, _ := ParseDate("3 March 2026")
		b, _ := ParseDate("March 3, 2026")
		if want := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC); !a.Equal(want) || !b.Equal(want) {
			t.Errorf("got %v and %v, want %v", a, b, want)
		}
	})
}
