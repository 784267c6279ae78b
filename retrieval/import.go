package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/footnote-bot/footnote/retrieval/extract"
)

// importLine is one line of an import file.
type importLine struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"`
	Text      string `json:"text"`
	Byline    string `json:"byline"`
	Site      string `json:"site"`
}

// importBatch is how many articles an import prepares, embeds and writes at a time.
const importBatch = 64

// maxImportLine bounds one JSONL line (a longer one is reported and skipped).
const maxImportLine = 16 << 20

// Import streams JSONL articles ({"url","title","published","text"}) from r into coll in
// batches. A bad line is reported to onLine with its number and skipped; the rest still
// imports. onLine (may be nil) is called once per line, in order, with nil or the line's
// error. Import fails only on a read or database error, or when ctx is done.
func (e *Engine) Import(ctx context.Context, coll string, r io.Reader, onLine func(line int, err error)) (ImportStats, error) {
	start := time.Now()
	var st ImportStats
	if err := validCollection(coll); err != nil {
		return st, err
	}
	if onLine == nil {
		onLine = func(int, error) {}
	}
	// Two stages overlap: one goroutine reads, prepares and embeds batches while the
	// other writes the previous batch to Postgres and reports every line, in order.
	type unit struct {
		articles []prepared
		bad      []*LineError
	}
	units := make(chan unit, 1)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(units)
		br := bufio.NewReaderSize(r, 1<<20)
		var u unit
		send := func() error {
			if err := e.embedBatch(gctx, u.articles); err != nil {
				return err
			}
			select {
			case units <- u:
			case <-gctx.Done():
				return gctx.Err()
			}
			u = unit{}
			return nil
		}
		for line := 1; ; line++ {
			raw, err := readLine(br)
			if err == io.EOF {
				break
			}
			if errors.Is(err, ErrTooLarge) {
				u.bad = append(u.bad, &LineError{Line: line, Err: fmt.Errorf("%w: line is over %d bytes", ErrTooLarge, maxImportLine)})
				continue
			}
			if err != nil {
				return fmt.Errorf("read line %d: %w", line, err)
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				continue
			}
			p, perr := e.parseLine(raw)
			if perr != nil {
				u.bad = append(u.bad, &LineError{Line: line, Err: perr})
				continue
			}
			p.Line = line
			u.articles = append(u.articles, p)
			if len(u.articles) == importBatch {
				if err := send(); err != nil {
					return err
				}
			}
		}
		if len(u.articles) == 0 && len(u.bad) == 0 {
			return nil
		}
		return send()
	})
	g.Go(func() error {
		for u := range units {
			var res []AddedArticle
			if len(u.articles) > 0 {
				var err error
				res, err = e.store.storeBatch(gctx, coll, e.space, u.articles)
				if err != nil && gctx.Err() == nil {
					// One article the database refuses must not sink the batch: store them
					// one at a time, and report the ones that still fail on their lines.
					e.log.Warn("import batch failed; storing its articles one by one",
						"first_line", u.articles[0].Line, "err", err)
					res, u.bad, err = e.storeEach(gctx, coll, u.articles, u.bad)
				}
				if err != nil {
					return fmt.Errorf("store lines %d-%d: %w", u.articles[0].Line, u.articles[len(u.articles)-1].Line, err)
				}
			}
			type report struct {
				line int
				err  error
			}
			reports := make([]report, 0, len(res)+len(u.bad))
			for _, b := range u.bad {
				st.Failed++
				reports = append(reports, report{b.Line, b})
			}
			for i, r := range res {
				if r.Status == "" {
					continue // failed alone too: reported among u.bad
				}
				switch r.Status {
				case StatusAdded:
					st.Added++
					st.Passages += r.Passages
				case StatusUpdated:
					st.Updated++
					st.Passages += r.Passages
				case StatusUnchanged:
					st.Unchanged++
				case StatusDuplicate:
					st.Duplicates++
				}
				reports = append(reports, report{u.articles[i].Line, nil})
			}
			sort.Slice(reports, func(i, j int) bool { return reports[i].line < reports[j].line })
			for _, r := range reports {
				st.Lines++
				onLine(r.line, r.err)
			}
		}
		return nil
	})
	err := g.Wait()
	if err == nil && st.Added+st.Updated >= analyzeAfter {
		// Fresh planner statistics: without them the first searches after a bulk import
		// can pick poor plans (seen as p99 spikes of hundreds of milliseconds).
		err = e.store.analyze(ctx)
	}
	st.Took = time.Since(start)
	return st, err
}

// analyzeAfter is how many new articles make an import refresh planner statistics.
const analyzeAfter = 200

// storeEach stores articles one per transaction, after a batch of them failed. It returns
// the results in the articles' order (Status "" for one that failed) and bad with a
// LineError added for each failure; it fails only when ctx ends.
func (e *Engine) storeEach(ctx context.Context, coll string, articles []prepared, bad []*LineError) ([]AddedArticle, []*LineError, error) {
	res := make([]AddedArticle, len(articles))
	for i := range articles {
		r, err := e.store.storeBatch(ctx, coll, e.space, articles[i:i+1])
		if err != nil {
			if ctx.Err() != nil {
				return nil, bad, ctx.Err()
			}
			bad = append(bad, &LineError{Line: articles[i].Line, Err: fmt.Errorf("store: %w", err)})
			continue
		}
		res[i] = r[0]
	}
	return res, bad, nil
}

// readLine returns the next line without its line ending, or io.EOF at the end. An
// over-long line is consumed and reported as ErrTooLarge.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	tooLong := false
	for {
		part, err := br.ReadSlice('\n')
		if !tooLong && len(buf)+len(part) <= maxImportLine {
			buf = append(buf, part...)
		} else {
			tooLong, buf = true, nil
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF && len(buf) == 0 && !tooLong:
			return nil, io.EOF
		case err != nil && err != io.EOF:
			return nil, err
		case tooLong:
			return nil, ErrTooLarge
		}
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

// parseLine decodes and prepares one import line.
func (e *Engine) parseLine(raw []byte) (prepared, error) {
	var l importLine
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&l); err != nil {
		return prepared{}, fmt.Errorf("%w: not a JSON object: %v", ErrInvalidInput, err)
	}
	if strings.TrimSpace(l.URL) == "" {
		return prepared{}, fmt.Errorf("%w: missing \"url\"", ErrInvalidInput)
	}
	canon, err := extract.Canonical(strings.TrimSpace(l.URL))
	if err != nil {
		return prepared{}, err
	}
	a := Article{URL: canon, Title: l.Title, Byline: l.Byline, Site: l.Site, Text: l.Text}
	if l.Published != "" {
		t, err := ParseDate(l.Published)
		if err != nil {
			return prepared{}, fmt.Errorf("%w: \"published\" %q is not a date (want YYYY-MM-DD or RFC 3339)", ErrInvalidInput, l.Published)
		}
		a.Published = t
	}
	return e.prepare(a)
}
