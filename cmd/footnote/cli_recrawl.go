package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/footnote-bot/footnote/retrieval"
)

// recrawlJSON is recrawl's --json line for one article.
type recrawlJSON struct {
	URL      string `json:"url"`
	Title    string `json:"title"`
	Status   string `json:"status"`             // unchanged, updated, gone, removed or failed
	Passages int    `json:"passages,omitempty"` // passages of the new text, when updated
	Embedded int    `json:"embedded,omitempty"` // of them, those embedded anew
	Next     string `json:"next,omitempty"`     // the next recrawl, RFC 3339; "" when removed
	Error    string `json:"error,omitempty"`
}

func (m *Main) cmdRecrawl(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("recrawl", true)
	fs.Bool("due", true, "recrawl the articles whose time has come")
	all := fs.Bool("all", false, "recrawl every article added from a link, due or not (still with conditional requests)")
	asJSON := fs.Bool("json", false, "print one JSON line per article")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	dueSet := false
	fs.Visit(func(f *flag.Flag) { dueSet = dueSet || f.Name == "due" })
	if len(pos) > 1 || (len(pos) == 1 || dueSet) && *all {
		return m.usageError("recrawl")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	var res []retrieval.Recrawl
	if len(pos) == 1 {
		var r *retrieval.Recrawl
		if r, err = m.Engine.Recrawl(ctx, *coll, pos[0]); err != nil {
			return err
		}
		res = []retrieval.Recrawl{*r}
	} else if res, err = m.Engine.RecrawlCollection(ctx, *coll, *all); err != nil {
		printRecrawls(m.Stdout, m.Stderr, res, *asJSON) // what was done before the error
		return err
	}
	failed := printRecrawls(m.Stdout, m.Stderr, res, *asJSON)
	if failed > 0 && failed == len(res) {
		return fmt.Errorf("recrawl: every article failed (%d)", failed)
	}
	return nil
}

// printRecrawls prints one line per recrawl (or one JSON line), failures' reasons on
// stderr too, then, without --json, a summary; it returns how many failed.
func printRecrawls(w, stderr io.Writer, res []retrieval.Recrawl, asJSON bool) int {
	counts := map[string]int{}
	for _, r := range res {
		counts[r.Status]++
		if r.Err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", r.URL, oneLineErr(r.Err))
		}
		if asJSON {
			j := recrawlJSON{URL: r.URL, Title: r.Title, Status: r.Status, Passages: r.Passages, Embedded: r.Embedded, Next: stamp(r.Next)}
			if r.Err != nil {
				j.Error = oneLineErr(r.Err)
			}
			writeJSONLine(w, j)
			continue
		}
		line := fmt.Sprintf("%s: %s", r.Status, r.URL)
		switch {
		case r.Status == retrieval.StatusUpdated:
			line += fmt.Sprintf(" (%d of %s embedded anew)", r.Embedded, counted(r.Passages, "passage"))
		case r.NotModified:
			line += " (not modified)"
		}
		if !r.Next.IsZero() {
			line += ", next " + stamp(r.Next)
		}
		fmt.Fprintln(w, line)
	}
	if !asJSON {
		if len(res) == 0 {
			fmt.Fprintln(w, "no article is due")
		}
		fmt.Fprintf(w, "%d unchanged, %d updated, %d gone, %d removed, %d failed\n",
			counts[retrieval.StatusUnchanged], counts[retrieval.StatusUpdated], counts[retrieval.StatusGone],
			counts[retrieval.StatusRemoved], counts[retrieval.StatusFailed])
	}
	return counts[retrieval.StatusFailed]
}
