package bot

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/footnote-bot/footnote/retrieval"
)

// consoleHelp is what /help prints.
const consoleHelp = `Type a question, or a command (options as name:value; the first option's name may be left out):
  <question>                 a line that doesn't start with / is asked as /ask <question>
  /ask <question> [since:YYYY-MM-DD] [source:<site>]
                             each question follows up the one before, as in a Discord thread
  /new                       forget the previous question: the next one starts a new topic
  /passage <n>               passage [n] of the last answer, in full
  /add <url>                 fetch an article and track it
  /add file:<path>           track a .txt, .md or .html file from this machine
  /articles [<query>] [page:<n>]
  /remove <url>
  /reindex
  /help, /quit`

// errQuit ends the console.
var errQuit = errors.New("quit")

// console is one terminal session on a collection: where replies go, and the previous
// question, which the next one follows up.
type console struct {
	b          *Bot
	collection string
	w          *consoleReplier
	previous   string
}

// RunConsole reads what is typed one line at a time from in and runs it on collection (""
// means retrieval.DefaultCollection) with the same handlers as Discord, as an admin, writing
// the replies to out as text. A line is a slash command (/help lists them) or else a
// question. Like a Discord thread, each question is asked as a follow-up of the one before
// (until /new), and /passage n shows passage [n] of the last answer. It returns nil at the
// end of input, on /quit or when ctx is done, and an error when reading in or writing out
// fails. A read blocked on in when ctx ends is left to finish with the input.
func (b *Bot) RunConsole(ctx context.Context, collection string, in io.Reader, out io.Writer) error {
	if collection == "" {
		collection = retrieval.DefaultCollection
	}
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(in)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	c := &console{b: b, collection: collection, w: &consoleReplier{w: out}}
	c.w.println("footnote console on collection " + collection + ". Type a question; /help lists the commands.")
	for c.w.failed() == nil {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					return fmt.Errorf("read console: %w", err)
				}
				return c.w.failed()
			}
			if err := c.line(ctx, line); errors.Is(err, errQuit) {
				return c.w.failed()
			}
		}
	}
	return c.w.failed()
}

// line runs one typed line; it returns errQuit on /quit.
func (c *console) line(ctx context.Context, line string) error {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	if !strings.HasPrefix(line, "/") {
		line = "/ask " + line
	}
	name, rest, _ := strings.Cut(line, " ")
	b := c.b
	r := &request{kind: strings.TrimPrefix(name, "/"), guildID: c.collection, console: true, reply: c.w,
		ack: ackEphemeral, start: b.now()}
	var p plan
	switch name {
	case "/quit", "/exit":
		return errQuit
	case "/help":
		c.w.println(consoleHelp)
		return nil
	case "/new":
		c.previous = ""
		c.w.println("The next question starts a new topic.")
		return nil
	case "/passage":
		chunk, ok := c.w.passage(strings.TrimSpace(rest))
		if !ok {
			c.w.println(c.w.noPassage(strings.TrimSpace(rest)))
			return nil
		}
		r.opts = map[string]string{"chunk": chunk, "n": strings.TrimSpace(rest)}
		p = plan{prepare: preparePassage, run: b.runPassage}
	default:
		cmd, ok := b.commands[r.kind]
		if !ok {
			c.w.println("Unknown command. /help lists them.")
			return nil
		}
		r.opts = consoleOptions(rest, b.optionNames(cmd.name))
		p = plan{prepare: cmd.prepare, admin: cmd.admin, run: cmd.run}
		switch _, file := r.opts["file"]; {
		case cmd.name == "ask":
			p.run = c.runAsk
		case cmd.name == "add" && file:
			p.prepare, p.run = c.prepareAddFile, c.runAddFile
		}
	}
	err := b.check(ctx, r, p)
	if err == nil {
		err = p.run(ctx, r)
	}
	b.finish(ctx, r, err)
	return nil
}

// runAsk asks the question as a follow-up of the previous one, and makes it the previous.
func (c *console) runAsk(ctx context.Context, r *request) error {
	q := strings.TrimSpace(r.opts["question"])
	opts := askOptions(r)
	opts.Previous, c.previous = c.previous, q
	c.w.forgetPassages()
	return c.b.answer(ctx, r, q, opts)
}

// prepareAddFile checks /add file:<path> before the file is read: one path, of a type
// /add reads.
func (c *console) prepareAddFile(r *request) error {
	name := strings.TrimSpace(r.opts["file"])
	if name == "" || strings.TrimSpace(r.opts["url"]) != "" {
		return errAddArgs
	}
	if !readableFile(name) {
		return retrieval.ErrUnsupported
	}
	return nil
}

// runAddFile reads a local file, at most Config.MaxFileBytes, and adds it through the
// engine's AddFile, as `footnote add FILE` does.
func (c *console) runAddFile(ctx context.Context, r *request) error {
	name := strings.TrimSpace(r.opts["file"])
	if rest, ok := strings.CutPrefix(name, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			name = filepath.Join(home, rest)
		}
	}
	data, err := readLocalFile(name, c.b.cfg.MaxFileBytes)
	if err != nil {
		return err
	}
	added, err := c.b.eng.AddFile(ctx, r.guildID, name, data, r.userID)
	return c.b.replyAdded(ctx, r, added, err)
}

// readLocalFile reads the file at name, refusing one over max bytes. What the operator can
// fix (a wrong path, no permission) comes back as a *localFileError.
func readLocalFile(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, &localFileError{err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, &localFileError{err: err}
	}
	if int64(len(data)) > max {
		return nil, &fileTooLargeError{max: max}
	}
	return data, nil
}

// localFileError is a console file that cannot be read.
type localFileError struct{ err error }

func (e *localFileError) Error() string { return "read local file: " + e.err.Error() }
func (e *localFileError) Unwrap() error { return e.err }

// optionNames lists a command's options in their declared order.
func (b *Bot) optionNames(name string) []string {
	for _, c := range b.applicationCommands() {
		if c.Name != name {
			continue
		}
		names := make([]string, 0, len(c.Options))
		for _, o := range c.Options {
			names = append(names, o.Name)
		}
		return names
	}
	return nil
}

// consoleOptions parses "text name:value more text": words go to the last named option,
// or to the first option before any name.
func consoleOptions(s string, names []string) map[string]string {
	words := make(map[string][]string)
	cur := ""
	if len(names) > 0 {
		cur = names[0]
	}
	for _, f := range strings.Fields(s) {
		if k, v, ok := strings.Cut(f, ":"); ok && slices.Contains(names, k) {
			cur = k
			if v == "" {
				continue
			}
			f = v
		}
		words[cur] = append(words[cur], f)
	}
	opts := make(map[string]string, len(words))
	for k, ws := range words {
		if k != "" {
			opts[k] = strings.Join(ws, " ")
		}
	}
	return opts
}

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

var markdownUnescaper = strings.NewReplacer(
	`\\`, `\`, `\*`, `*`, `\_`, `_`, `\~`, `~`, "\\`", "`", `\|`, `|`,
	`\[`, `[`, `\]`, `]`, `\>`, `>`, `\#`, `#`,
)

func (c *consoleReplier) print(m message) error {
	var sb strings.Builder
	if m.content != "" {
		sb.WriteString(markdownUnescaper.Replace(m.content) + "\n")
	}
	for _, e := range m.embeds {
		sb.WriteString(markdownUnescaper.Replace(e.Title))
		if e.Footer != nil {
			sb.WriteString(" — " + e.Footer.Text)
		}
		sb.WriteString("\n")
		for _, l := range strings.Split(markdownUnescaper.Replace(e.Description), "\n") {
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
