package extract

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/text"
)

// datelineBlocks is how many paragraphs at the top of a text file may hold its date: a
// title, a byline, a dateline and an "Updated" line fit; a date further down is about
// something in the story, not the story's own.
const datelineBlocks = 5

// maxBareDateLine is the longest paragraph that counts as a dateline without a "Published"
// or "Updated" label: long enough for "By Jane Doe, Harbour Herald | Tuesday 3 March 2026,
// 10:04", short enough that a sentence mentioning a date is not taken for one.
const maxBareDateLine = 80

var (
	weekdays = `(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)`
	months   = `(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`
	// rxDateInText finds a date written out in a line: ISO (with an optional time), day
	// month year or month day year.
	rxDateInText = regexp.MustCompile(`(?i)\b(?:` +
		`\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?` +
		`|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + months + `\.?,?\s+\d{4}` +
		`|` + months + `\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b`)
	// rxDateLabel is a line that says what its date is.
	rxDateLabel = regexp.MustCompile(`(?i)^(?:(published|posted|first published|date|dated|written)|(updated|last updated|modified|last modified))\b`)
	rxOrdinal   = regexp.MustCompile(`(?i)(\d)(?:st|nd|rd|th)\b`)
	// rxCJKDate is a date as Chinese, Japanese and Korean write it: 2024年10月1日, 2024년
	// 10월 1일 (full-width digits are read as digits first: text.HalfWidth).
	rxCJKDate = regexp.MustCompile(`(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]`)
	// rxCJKDateLabel is rxDateLabel in those languages: 公開, 配信, 掲載, 発行, 投稿 (Japanese),
	// 发布, 發布, 发表 (Chinese), 게시, 등록 (Korean) say when it was published; 更新, 修改,
	// 수정 when it was updated.
	rxCJKDateLabel = regexp.MustCompile(`^(?:(公開|配信|掲載|発行|投稿|发布|發布|发表|게시|등록)|(更新|修改|수정))`)
)

// findDate is the byte range of the first date rxDateInText or rxCJKDate finds in s, nil
// for none.
func findDate(s string) []int {
	if loc := rxDateInText.FindStringIndex(s); loc != nil {
		return loc
	}
	return rxCJKDate.FindStringIndex(s)
}

// dateLabel is rxDateLabel's (or rxCJKDateLabel's) match of p, nil for none.
func dateLabel(p string) []string {
	if m := rxDateLabel.FindStringSubmatch(p); m != nil {
		return m
	}
	return rxCJKDateLabel.FindStringSubmatch(p)
}

// textDate finds the publication date near the top of a text file: a paragraph labelled
// "Published …", "Posted …" or "Date: …" first, else one labelled "Updated …", else a
// short paragraph that holds a date and is not a sentence (a dateline such as "Tuesday 3
// March 2026" or "By Jane Doe | 3 March 2026"). It returns the zero time when there is
// none, and the index of the paragraph the date came from (-1 for none).
func textDate(paras []string) (time.Time, int) {
	var updated, bare time.Time
	updatedAt, bareAt := -1, -1
	for i, p := range paras[:min(len(paras), datelineBlocks)] {
		p = text.HalfWidth(p)
		t, ok := dateIn(p)
		if !ok {
			continue
		}
		switch m := dateLabel(p); {
		case m != nil && m[1] != "":
			return t, i
		case m != nil:
			if updatedAt < 0 {
				updated, updatedAt = t, i
			}
		case bareAt < 0 && isDateline(p):
			bare, bareAt = t, i
		}
	}
	if updatedAt >= 0 {
		return updated, updatedAt
	}
	return bare, bareAt
}

// maxDatelineRest is how many words a dateline may hold besides its date, once its byline,
// weekday, time and zone are taken out: one, for a place ("LONDON, 3 March 2026") or a
// word such as "Issued"; a sentence that mentions a date ("The meeting was on 3 March
// 2026") has more.
const maxDatelineRest = 1

var (
	// rxDatelineSep splits a dateline into its parts: "By Jane Doe | 3 March 2026".
	rxDatelineSep = regexp.MustCompile(`\s[|·•—–]\s|\s-\s`)
	// rxDatelineNoise is what a dateline holds around its date besides words: a weekday, a
	// time, a zone, "at".
	rxDatelineNoise = regexp.MustCompile(`(?i)\b(?:` + weekdays + `|at|on|\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?m\.?)?|[ap]\.?m\.?|utc|gmt|(?-i:[A-Z]{1,4}T))\b\.?|[\d:+]+`)
	rxWord          = regexp.MustCompile(`[\pL\pN]+`)
)

// isDateline reports whether a paragraph is a dateline: short, not a sentence, and its date
// most of it. Its parts (split at " | ", " · ", " — " and the like) that start with "By"
// are its byline and set aside, as is "By Jane Doe," before the date; what remains beside
// the date, less a weekday, a time and a zone, is at most maxDatelineRest words.
func isDateline(p string) bool {
	if utf8.RuneCountInString(p) > maxBareDateLine || strings.HasSuffix(p, ".") || strings.HasSuffix(p, "。") {
		return false
	}
	rest := 0
	for _, part := range rxDatelineSep.Split(strings.Trim(p, "*_ "), -1) {
		part = strings.TrimSpace(part)
		loc := findDate(part)
		isByline := rxByline.MatchString(part)
		switch {
		case loc == nil && isByline:
			continue
		case loc == nil:
			rest += len(rxWord.FindAllString(rxDatelineNoise.ReplaceAllString(part, " "), -1))
			continue
		}
		before := strings.TrimSpace(part[:loc[0]])
		if isByline && strings.HasSuffix(before, ",") {
			before = ""
		}
		for _, s := range []string{before, part[loc[1]:]} {
			rest += len(rxWord.FindAllString(rxDatelineNoise.ReplaceAllString(s, " "), -1))
		}
	}
	return rest <= maxDatelineRest
}

// rxByline is a dateline part that names the author.
var rxByline = regexp.MustCompile(`(?i)^by\s`)

// dateIn reads the first date written in s with foundDate, after turning a written-out
// date into one of ParseDate's forms ("3rd of March, 2026" becomes "3 March 2026").
func dateIn(s string) (time.Time, bool) {
	m := rxDateInText.FindString(s)
	if m == "" {
		c := rxCJKDate.FindStringSubmatch(s)
		if c == nil {
			return time.Time{}, false
		}
		m = c[1] + "-" + fmt.Sprintf("%02s", c[2]) + "-" + fmt.Sprintf("%02s", c[3])
	}
	if !unicode.IsDigit(rune(m[0])) || !strings.Contains(m, "-") {
		m = rxOrdinal.ReplaceAllString(m, "$1")
		m = strings.NewReplacer(".", "", ",", "", " of ", " ").Replace(m)
		m = strings.Join(strings.Fields(m), " ")
		m = fixSept(m)
	}
	t, err := foundDate(m)
	return t, err == nil
}

// fixSept shortens "Sept" to "Sep", the abbreviation ParseDate knows.
func fixSept(s string) string {
	for _, w := range []string{"Sept ", "sept ", "SEPT "} {
		s = strings.Replace(s, w, w[:3]+" ", 1)
	}
	return s
}
