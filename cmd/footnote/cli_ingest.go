package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
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
	var r io.Reader = m.Stdin
	var size int64
	if pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		r = f
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	counter := &countingReader{r: r}
	bar := newProgress(m.Stderr, "lines", size)
	st, err := m.Engine.Import(ctx, *coll, counter, func(line int, lerr error) {
		if lerr != nil {
			bar.println(fmt.Sprintf("%s: %v", pos[0], lerr))
		}
		bar.set(counter.n.Load(), int64(line))
	})
	bar.done()
	fmt.Fprintf(m.Stdout, "imported %s in %s: %d added, %d updated, %d unchanged, %d duplicates, %d failed; %s\n",
		counted(st.Lines, "line"), st.Took.Round(time.Millisecond), st.Added, st.Updated, st.Unchanged, st.Duplicates, st.Failed,
		counted(st.Passages, "passage"))
	if err == nil && st.Lines > 0 && st.Failed == st.Lines {
		return fmt.Errorf("import %s: every line failed (the errors above say why; `footnote import --help` shows the line format)", pos[0])
	}
	return err
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
	if err := m.Open(ctx); err != nil {
		return err
	}
	var res *retrieval.AddedArticle
	if strings.Contains(pos[0], "://") { // a URL; AddURL refuses schemes other than http(s)
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
	printAdded(m.Stdout, res)
	return nil
}

// printAdded describes an added article: status and title, then site and date (when
// known), link and passage count, one to a line.
func printAdded(w io.Writer, res *retrieval.AddedArticle) {
	a := res.Article
	fmt.Fprintf(w, "%s: %s\n", res.Status, or(a.Title, a.URL))
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

func (m *Main) cmdReindex(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("reindex", true)
	if _, err := m.parseFlags(fs, args); err != nil {
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	var bar *progress
	st, err := m.Engine.Reindex(ctx, *coll, func(done, total int) {
		if bar == nil {
			bar = newProgress(m.Stderr, "articles", int64(total))
		}
		bar.set(int64(done), int64(done))
	})
	if bar != nil {
		bar.done()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "reindexed %s into %s: %s, %s, %d embedded, %d re-tokenised, in %s\n",
		*coll, st.Space, counted(st.Articles, "article"), counted(st.Passages, "passage"), st.Embedded, st.Relexed, st.Took.Round(time.Millisecond))
	return nil
}

func dateSuffix(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return ", " + t.Format("2006-01-02")
}
