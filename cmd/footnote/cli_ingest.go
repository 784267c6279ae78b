package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/jsonl"
)

func (m *Main) cmdMigrate(ctx context.Context, args []string) error {
	fs, _ := m.newFlags("migrate", false)
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "migrations applied")
	return nil
}

func (m *Main) cmdImport(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("import", true)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return m.usageError("import")
	}
	name := pos[0]
	r, total, closeInput, err := openImport(name, m.Stdin)
	if err != nil {
		return err
	}
	defer closeInput()
	if err := m.Open(ctx); err != nil {
		return err
	}
	lines := &lineProgress{name: name, bar: newProgress(m.Stderr, "line", total)}
	var st retrieval.ImportStats
	err = withMemoryLimit(importMemoryLimit, func() (err error) {
		st, err = m.Engine.Import(ctx, *coll, r, lines.line)
		return err
	})
	lines.bar.done()
	shown := name
	if name == "-" {
		shown = "standard input"
	}
	if err == nil && st.Lines == 0 {
		return fmt.Errorf("no articles in %s (it is empty, or holds only blank lines)", shown)
	}
	fmt.Fprintln(m.Stdout, importSummary(st))
	if retrieval.IsUnavailable(err) {
		return importStopped(shown, lines.last, err)
	}
	if err == nil && st.Lines > 0 && st.Failed == st.Lines {
		return fmt.Errorf("import %s: every line failed (the errors above say why; `footnote import --help` shows the line format)", name)
	}
	return err
}

// stoppedError is a command a database outage stopped midway, whose message already says
// what is done and how to resume (report adds nothing to it).
type stoppedError struct{ err error }

func (e *stoppedError) Error() string { return e.err.Error() }
func (e *stoppedError) Unwrap() error { return e.err }

// importStopped is the error of an import the database outage stopped after line last: the
// database went away, what is done, and that running the same command again resumes.
func importStopped(name string, last int, err error) error {
	done := "no line was stored"
	if last > 0 {
		done = fmt.Sprintf("lines 1-%d are done", last)
	}
	// The database went away as a batch was committed: it may be stored, or not.
	if le := (*retrieval.LinesError)(nil); errors.Is(err, retrieval.ErrCommitUncertain) && errors.As(err, &le) {
		maybe := fmt.Sprintf("lines %d-%d may be stored (the database went away as they were committed)", le.First, le.Last)
		if last > 0 {
			done += ", and " + maybe
		} else {
			done = maybe
		}
	}
	return &stoppedError{fmt.Errorf("import %s stopped: the database went away (%w); %s. Run the same command again to resume: "+
		"articles already stored come back unchanged", name, err, done)}
}

// importSummary is import's last line: what became of the lines, and the passages stored.
func importSummary(st retrieval.ImportStats) string {
	return fmt.Sprintf("imported %s in %s: %d added, %d updated, %d unchanged, %s, %d failed; %s",
		counted(st.Lines, "line"), st.Took.Round(time.Millisecond), st.Added, st.Updated, st.Unchanged,
		counted(st.Duplicates, "duplicate"), st.Failed, counted(st.Passages, "passage"))
}

// openImport opens the import input name ("-" is stdin) and returns its number of lines
// when it is a regular file, counted first so that progress can show the share done; for
// standard input or a pipe the total is 0 (unknown). closeFile releases the file.
func openImport(name string, stdin io.Reader) (r io.Reader, total int64, closeFile func() error, err error) {
	if name == "-" {
		return stdin, 0, func() error { return nil }, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("import: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		total, err = jsonl.CountLines(f)
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err != nil {
			f.Close()
			return nil, 0, nil, fmt.Errorf("import: %w", err)
		}
	}
	return f, total, f.Close, nil
}

func (m *Main) cmdAdd(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("add", true)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return m.usageError("add")
	}
	link := strings.Contains(pos[0], "://") // else a file
	if link {
		if _, err := fetch.ParseWebURL(pos[0]); err != nil {
			return notWebAddress(pos[0], err)
		}
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	var res *retrieval.AddedArticle
	if link {
		res, err = m.Engine.AddURL(ctx, *coll, pos[0], "")
	} else {
		data, rerr := readFileCapped(pos[0], 20<<20)
		if rerr != nil {
			return rerr
		}
		res, err = m.Engine.AddFile(ctx, *coll, pos[0], data, "")
	}
	if err != nil {
		return err
	}
	printAdded(m.Stdout, *coll, res)
	return nil
}

// notWebAddress is the line for a link `add` cannot fetch: a scheme other than http(s), or
// no host. err is fetch.ParseWebURL's.
func notWebAddress(link string, err error) error {
	reason := strings.TrimPrefix(err.Error(), fetch.ErrInvalidURL.Error()+": ")
	if strings.HasPrefix(reason, "only http and https") {
		reason = "only http and https links can be added"
	}
	return fmt.Errorf("%s is not a web address: %s", link, reason)
}

// printAdded describes an added article: status and title (and that it replaced the
// earlier version, when it did), then site and publication date (when known), link and
// passage count, one to a line, and for a file the other files of the same name, each with
// the command that removes it from coll.
func printAdded(w io.Writer, coll string, res *retrieval.AddedArticle) {
	a := res.Article
	if res.Status == retrieval.StatusUpdated {
		fmt.Fprintf(w, "%s: replaced the earlier version of %s\n", res.Status, or(a.Title, a.URL))
	} else {
		fmt.Fprintf(w, "%s: %s\n", res.Status, or(a.Title, a.URL))
	}
	var meta []string
	if a.Site != "" {
		meta = append(meta, a.Site)
	}
	if d := day(a.Published); d != "" {
		meta = append(meta, d)
	}
	if len(meta) > 0 {
		fmt.Fprintf(w, "  %s\n", strings.Join(meta, ", "))
	}
	fmt.Fprintf(w, "  %s\n  %s\n", a.URL, counted(res.Passages, "passage"))
	for _, n := range res.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, u := range res.SameName {
		fmt.Fprintf(w, "  another file of the same name is still tracked: %s (run `%s` if this one replaces it)\n", u, removeCommand(coll, u))
	}
}

// removeCommand is the command line that removes the article at u from coll, quoted for a
// POSIX shell where it needs to be.
func removeCommand(coll, u string) string {
	cmd := "footnote remove "
	if coll != retrieval.DefaultCollection {
		cmd += "--collection " + shellQuote(coll) + " "
	}
	return cmd + shellQuote(u)
}

// rxShellSafe is a word a POSIX shell reads as itself.
var rxShellSafe = regexp.MustCompile(`^[A-Za-z0-9/:._~%@+=,-]+$`)

// shellQuote is s as one shell word: itself when that is safe, else in single quotes.
func shellQuote(s string) string {
	if rxShellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// counted is "1 passage", "2 passages": n and the noun, plural when n is not 1.
func counted(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// readFileCapped reads a file, refusing one over max bytes before reading it.
func readFileCapped(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("add: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("add: %w", err)
	}
	if st.Size() > max {
		return nil, fmt.Errorf("add %s: %w: %d bytes; the limit is %d", name, retrieval.ErrTooLarge, st.Size(), max)
	}
	return io.ReadAll(io.LimitReader(f, max+1))
}

func (m *Main) cmdRemove(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("remove", true)
	all := fs.Bool("all", false, "remove every article of the collection")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *all == (len(pos) == 1) || len(pos) > 1 {
		return m.usageError("remove")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	if *all {
		n, err := m.Engine.RemoveCollection(ctx, *coll)
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "removed %s from %s\n", counted(n, "article"), *coll)
		return nil
	}
	// The command line is the operator: it acts as an admin.
	a, err := m.Engine.RemoveArticle(ctx, *coll, pos[0], "", true)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "removed %s (%s)\n", a.Title, a.URL)
	return nil
}

// dateSuffix is ", 2024-05-02" for an article's publication date, ", added 2024-05-02"
// when only the day footnote added it is known, and "" when neither is.
func dateSuffix(published, added time.Time) string {
	switch {
	case !published.IsZero():
		return ", " + day(published)
	case !added.IsZero():
		return ", added " + day(added)
	}
	return ""
}
