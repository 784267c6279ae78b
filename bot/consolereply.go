package bot

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
)

// consoleReplier writes replies as plain text. Acknowledgements print nothing. It keeps the
// passages of the last answer it printed, so that /passage n names the one the answer
// calls [n].
type consoleReplier struct {
	mu       sync.Mutex
	w        io.Writer
	err      error
	passages map[string]string // "n" of the answer's Passage n button → its chunk id
}

func (c *consoleReplier) deferReply(context.Context, bool) error { return nil }
func (c *consoleReplier) deferUpdate(context.Context) error      { return nil }
func (c *consoleReplier) remove(context.Context) error           { return nil }
func (c *consoleReplier) respond(_ context.Context, m message) error {
	return c.print(m)
}
func (c *consoleReplier) edit(_ context.Context, m message) error     { return c.print(m) }
func (c *consoleReplier) followup(_ context.Context, m message) error { return c.print(m) }

// terminalText renders the Discord Markdown footnote writes for a terminal: ** (bold) is
// dropped, a link [text](url) becomes "text <url>", and escaped characters (\*, \[, \://
// as escapeMarkdown writes them) lose their backslash; Discord date markup becomes the date.
func terminalText(s string) string {
	s = plainDates(s)
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && strings.IndexByte(markdownUnescapable, s[i+1]) >= 0:
			i++
			sb.WriteByte(s[i])
		case strings.HasPrefix(s[i:], "**"):
			i++
		case s[i] == '[':
			text, url, n := markdownLink(s[i:])
			if n == 0 {
				sb.WriteByte('[')
				continue
			}
			sb.WriteString(terminalText(text) + " <" + url + ">")
			i += n - 1
		default:
			sb.WriteByte(s[i])
		}
	}
	return sb.String()
}

// markdownLink reads the link [text](url) at the start of s, text possibly holding escaped
// brackets; n is the length read, 0 when s does not start with a link.
func markdownLink(s string) (text, url string, n int) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ']':
			rest, ok := strings.CutPrefix(s[i+1:], "(")
			end := strings.IndexAny(rest, ") \n")
			if !ok || end <= 0 || rest[end] != ')' {
				return "", "", 0
			}
			return s[1:i], rest[:end], i + 2 + end + 1
		}
	}
	return "", "", 0
}

func (c *consoleReplier) print(m message) error {
	var sb strings.Builder
	if m.content != "" {
		sb.WriteString(terminalText(m.content) + "\n")
	}
	for _, e := range m.embeds {
		sb.WriteString(terminalText(e.Title))
		if e.Footer != nil { // footnote's answers carry none; kept for any embed that does
			sb.WriteString(" — " + e.Footer.Text)
		}
		sb.WriteString("\n")
		for _, l := range strings.Split(terminalText(e.Description), "\n") {
			if l != "" {
				sb.WriteString("    " + l + "\n")
			}
		}
		if e.URL != "" {
			sb.WriteString("    " + e.URL + "\n")
		}
	}
	var passages []string
	for _, id := range customIDs(m.components) {
		if parts := strings.Split(id, ":"); len(parts) == 3 && parts[0] == "psg" {
			c.keepPassage(parts[2], parts[1])
			passages = append(passages, "/passage "+parts[2])
		}
	}
	if len(passages) > 0 {
		sb.WriteString("  full passages: " + strings.Join(passages, ", ") + "\n")
	}
	c.println(strings.TrimRight(sb.String(), "\n"))
	return c.failed()
}

// forgetPassages drops the last answer's passages, before a new answer.
func (c *consoleReplier) forgetPassages() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.passages = nil
}

func (c *consoleReplier) keepPassage(n, chunk string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.passages == nil {
		c.passages = make(map[string]string)
	}
	c.passages[n] = chunk
}

// passage returns the chunk id of passage n of the last answer.
func (c *consoleReplier) passage(n string) (chunk string, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	chunk, ok = c.passages[n]
	return chunk, ok
}

// noPassage says why /passage n has nothing to show, and which numbers would.
func (c *consoleReplier) noPassage(n string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.passages) == 0 {
		return "There is no answer with passages yet: ask a question, then /passage 1 shows its source [1] in full."
	}
	ns := slices.SortedFunc(maps.Keys(c.passages), func(a, b string) int {
		return cmp.Or(cmp.Compare(len(a), len(b)), cmp.Compare(a, b))
	})
	return fmt.Sprintf("The last answer has no passage %q: give one of %s.", n, strings.Join(ns, ", "))
}

func (c *consoleReplier) println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		_, c.err = fmt.Fprintln(c.w, s)
	}
}

func (c *consoleReplier) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return fmt.Errorf("write console: %w", c.err)
	}
	return nil
}
