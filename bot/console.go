package bot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/footnote-bot/footnote/retrieval"
)

const consoleHelp = `Commands (options as name:value; the first option's name may be left out):
  /ask <question> [since:YYYY-MM-DD] [source:<site>]
  /add <url>
  /articles [<query>] [page:<n>]
  /remove <url>
  /reindex
  /passage <chunk id>      the full passage behind a citation
  /help, /quit`

// errQuit ends the console.
var errQuit = errors.New("quit")

// RunConsole reads slash commands typed one per line from in (/ask, /add, /articles,
// /remove, /reindex, and /passage, /help, /quit), runs them on collection ("" means
// retrieval.DefaultCollection) with the same handlers as Discord, as an admin, and writes
// the replies to out as text. It returns nil at the end of input, on /quit or when ctx is
// done, and an error when reading in or writing out fails. A read blocked on in when ctx
// ends is left to finish with the input.
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
	w := &consoleReplier{w: out}
	w.println("footnote console on collection " + collection + ". /help lists the commands.")
	for w.failed() == nil {
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				if err := <-readErr; err != nil {
					return fmt.Errorf("read console: %w", err)
				}
				return w.failed()
			}
			if err := b.consoleLine(ctx, collection, line, w); errors.Is(err, errQuit) {
				return w.failed()
			}
		}
	}
	return w.failed()
}

// consoleLine runs one typed command; it returns errQuit on /quit.
func (b *Bot) consoleLine(ctx context.Context, collection, line string, w *consoleReplier) error {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	name, rest, _ := strings.Cut(line, " ")
	r := &request{kind: strings.TrimPrefix(name, "/"), guildID: collection, console: true, reply: w, ack: ackEphemeral, start: b.now()}
	var p plan
	switch name {
	case "/quit", "/exit":
		return errQuit
	case "/help":
		w.println(consoleHelp)
		return nil
	case "/passage":
		r.kind, r.opts = "passage", map[string]string{"chunk": strings.TrimSpace(rest), "n": "1"}
		p = plan{prepare: preparePassage, run: b.runPassage}
	default:
		cmd, ok := b.commands[r.kind]
		if !ok || !strings.HasPrefix(name, "/") {
			w.println("Unknown command. /help lists them.")
			return nil
		}
		r.opts = consoleOptions(rest, b.optionNames(cmd.name))
		if _, ok := r.opts["file"]; ok {
			w.println("The console adds links only; add a file with `footnote add FILE`.")
			return nil
		}
		p = plan{prepare: cmd.prepare, admin: cmd.admin, run: cmd.run}
	}
	err := b.check(ctx, r, p)
	if err == nil {
		err = p.run(ctx, r)
	}
	b.finish(ctx, r, err)
	return nil
}

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

// consoleReplier writes replies as plain text. Acknowledgements print nothing.
type consoleReplier struct {
	mu  sync.Mutex
	w   io.Writer
	err error
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
			passages = append(passages, fmt.Sprintf("/passage %s (%s)", parts[1], parts[2]))
		}
	}
	if len(passages) > 0 {
		sb.WriteString("  full passages: " + strings.Join(passages, ", ") + "\n")
	}
	c.println(strings.TrimRight(sb.String(), "\n"))
	return c.failed()
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
