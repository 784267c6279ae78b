package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/footnote-bot/footnote/retrieval"
)

// consoleHelp is what /help prints.
const consoleHelp = `Type a question, or a command:
  <question>                 a line that doesn't start with / is asked as /ask <question>,
                             word for word
  /ask <question> [since:YYYY-MM-DD] [source:<site>]
                             each question follows up the one before, as in a Discord thread
  /new                       forget the previous question: the next one starts a new topic
  /passage <n>               passage [n] of the last answer, in full
  /add <url>                 fetch an article and track it
  /add file:<path>           track a .txt, .md or .html file from this machine; a file is
                             tracked by its content: the same file again is unchanged, and
                             another file with the same name is added beside it
  /articles [<query>] [page:<n>]
  /remove <url>
  /track <feed url> [every:<30m>]
                             follow a feed and add its new articles; /feeds lists the feeds
  /feeds, /untrack <feed url>
  /reindex
  /settings [name:value …]   show or change the settings: admin_role, answers,
                             mention_channels, members_add, gone_pages
  /help, /quit
In a command, an option is name:value, its value one word or "in quotes"; file: takes the
rest of the line as typed. The command's other words are its question, link or query.`

// errQuit ends the console.
var errQuit = errors.New("quit")

// console is one terminal session on a collection: where replies go, and the previous
// question, which the next one follows up.
type console struct {
	b          *Bot
	collection string
	w          *consoleReplier
	previous   string
	// previousAnswer is footnote's answer to previous, its text and quotes
	previousAnswer string
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
	bare := !strings.HasPrefix(line, "/")
	if bare {
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
		c.previous, c.previousAnswer = "", ""
		c.w.println("The next question starts a new topic.")
		return nil
	case "/passage":
		n := strings.TrimSpace(rest)
		if n == "" {
			c.w.println("Give the number of a passage: /passage 1")
			return nil
		}
		chunk, ok := c.w.passage(n)
		if !ok {
			c.w.println(c.w.noPassage(n))
			return nil
		}
		r.opts = map[string]string{"chunk": chunk, "n": n}
		p = plan{prepare: preparePassage, run: b.runPassage}
	default:
		cmd, ok := b.commands[r.kind]
		if !ok {
			c.w.println("Unknown command. /help lists them.")
			return nil
		}
		if bare {
			r.opts = map[string]string{"question": rest} // word for word: no options
		} else {
			r.opts = consoleOptions(rest, b.optionNames(cmd.name))
		}
		p = plan{prepare: cmd.prepare, admin: cmd.admin, run: cmd.run}
		switch file, ok := r.opts["file"]; {
		case cmd.name == "ask":
			p.run = c.runAsk
		case cmd.name == "add" && ok && file == "" && strings.TrimSpace(r.opts["url"]) == "":
			c.w.println("Give a path: /add file:PATH")
			return nil
		case cmd.name == "add" && ok:
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
	opts.Previous, opts.PreviousAnswer = c.previous, c.previousAnswer
	c.previous, c.previousAnswer = q, ""
	c.w.forgetPassages()
	ans, err := c.b.answer(ctx, r, q, opts)
	if ans != nil {
		c.previousAnswer = previousAnswer(ans)
	}
	return err
}

// prepareAddFile checks /add file:<path> before the file is read: one path, of a type
// /add reads.
func (c *console) prepareAddFile(r *request) error {
	name := r.opts["file"]
	if name == "" || strings.TrimSpace(r.opts["url"]) != "" {
		return errAddArgs
	}
	if !readableFile(name) {
		return retrieval.ErrUnsupported
	}
	return nil
}

// runAddFile reads a local file, at most Config.MaxFileBytes, and adds it through the
// engine's AddFile, as `footnote add FILE` does. The engine tracks a file by its content,
// so the reply (renderAdded) names other tracked files of the same name, which it did not
// replace.
func (c *console) runAddFile(ctx context.Context, r *request) error {
	name := r.opts["file"]
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
	if err := c.b.replyAdded(ctx, r, added, err); err != nil {
		return err
	}
	return nil
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

// consoleOptions parses the rest of a command line into the command's options (names, in
// their declared order). name:value sets an option to one word, or to the text between
// quotes when the value starts with "; "name: value" works too. file: takes the rest of
// the line as typed, since a path may hold spaces. Every other word belongs to the first
// option (the question, link or query), joined by single spaces; so does a value given
// as first-option-name:value.
func consoleOptions(s string, names []string) map[string]string {
	isOption := func(word string) (string, bool) {
		k, _, ok := strings.Cut(word, ":")
		return k, ok && slices.Contains(names, k)
	}
	opts := make(map[string]string)
	var free []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		word, rest := cutWord(s)
		k, ok := isOption(word)
		if !ok {
			free, s = append(free, word), rest
			continue
		}
		var v string
		s = s[len(k)+1:]
		if t := strings.TrimSpace(s); t != s { // "name: value", or a name with no value
			next, _ := cutWord(t)
			if _, opt := isOption(next); opt {
				next = ""
			}
			if s = t; next == "" {
				opts[k] = ""
				continue
			}
		}
		switch end := strings.IndexByte(s[min(1, len(s)):], '"'); {
		case strings.HasPrefix(s, `"`) && end >= 0:
			v, s = s[1:1+end], s[2+end:]
		case strings.HasPrefix(s, `"`):
			v, s = s[1:], ""
		case k == "file":
			v, s = s, ""
		default:
			v, s = cutWord(s)
		}
		if k != names[0] {
			opts[k] = v
		} else if v != "" {
			free = append(free, v)
		}
	}
	if len(free) > 0 && len(names) > 0 {
		opts[names[0]] = strings.Join(free, " ")
	}
	return opts
}

// cutWord splits s, which starts with a word, after that word (up to a space or tab).
func cutWord(s string) (word, rest string) {
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i:]
	}
	return s, ""
}
