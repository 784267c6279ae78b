package retrieval

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// Caps on an article's one-line fields. Every article passes prepare, whether it comes
// from an import line, /add, a file or a feed item, and prepare cuts a longer field at a
// character boundary, ends it with "…" and notes the cut for the output; a longer URL is
// refused (MaxURLBytes), since a cut address would lead nowhere.
const (
	// MaxTitleChars bounds a title. Headlines run 50 to 120 characters; 300 keeps the long
	// title of a report or paper whole, while a title that swallowed its article, which
	// would weigh in every passage's keyword index and fill every citation, is cut.
	MaxTitleChars = 300
	// MaxSiteChars bounds a site: a publication's name, or a host name, which DNS keeps to
	// 253 characters. Every host name fits, so a filter by host still matches; a page
	// whose site name is a paragraph is cut.
	MaxSiteChars = 255
	// MaxBylineChars bounds a byline: 200 characters hold half a dozen names with their
	// roles; a longer byline is a list no citation shows in full anyway.
	MaxBylineChars = 200
)

// MaxURLBytes bounds an article's URL, in bytes, as the fetcher counts it (browsers and
// servers rarely take more than 2 KiB); a longer one is refused with ErrInvalidURL.
const MaxURLBytes = fetch.MaxURLBytes

// FieldCut is a one-line field that was cut to its cap on the way in: which ("title",
// "site" or "byline"), its cap and how long it was, in characters. The bot words it in the
// member's language; String is its note in English.
type FieldCut struct {
	Field    string
	Max, Had int
}

// String is the cut as a note: "title cut to 300 characters (it had 1048576)".
func (c FieldCut) String() string {
	return fmt.Sprintf("%s cut to %d characters (it had %d)", c.Field, c.Max, c.Had)
}

// capFields cuts a's title, site and byline to their caps and returns each cut it made.
func capFields(a *Article) []FieldCut {
	var cuts []FieldCut
	for _, f := range []struct {
		name string
		s    *string
		max  int
	}{
		{"title", &a.Title, MaxTitleChars},
		{"site", &a.Site, MaxSiteChars},
		{"byline", &a.Byline, MaxBylineChars},
	} {
		if n, cut := clipChars(*f.s, f.max); cut {
			cuts = append(cuts, FieldCut{Field: f.name, Max: f.max, Had: utf8.RuneCountInString(*f.s)})
			*f.s = n
		}
	}
	return cuts
}

// clipChars returns s when it has at most max characters, else its first max-1 characters
// (white space at the cut dropped) followed by "…", and true.
func clipChars(s string, max int) (string, bool) {
	if utf8.RuneCountInString(s) <= max {
		return s, false
	}
	i, n := 0, 0
	for i < len(s) && n < max-1 {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	return strings.TrimRight(s[:i], " \t") + "…", true
}
