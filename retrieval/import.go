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
	"strconv"
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

// ImportStats counts what an import did.
type ImportStats struct {
	Lines, Added, Updated, Unchanged, Duplicates, Failed int
	Passages                                             int
	Took                                                 time.Duration
}

// LineError is a bad line of an import file; the import reports it and goes on.
type LineError struct {
	Line int
	Err  error
}

// Error says which line failed and why.
func (e *LineError) Error() string { return "line " + strconv.Itoa(e.Line) + ": " + e.Err.Error() }

// Unwrap returns the line's error, so errors.Is sees the sentinel behind it.
func (e *LineError) Unwrap() error { return e.Err }

// count adds one stored article to st.
func (st *ImportStats) count(r AddedArticle) {
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
}

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
	units := make(chan importUnit, 1)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(units)
		return e.readImport(gctx, r, units)
	})
	g.Go(func() error {
		for u := range units {
			if err := e.storeUnit(gctx, coll, u, &st, onLine); err != nil {
				return err
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

// importUnit is one batch of an import on its way from reading to storing: the prepared
// and embedded articles, and the lines that failed before reaching the database.
type importUnit struct {
	articles []prepared
	bad      []*LineError
}

// readImport reads, prepares and embeds the lines of r a batch at a time and sends each
// batch to units, in order. It fails on a read or embedding error, or when ctx is done.
func (e *Engine) readImport(ctx context.Context, r io.Reader, units chan<- importUnit) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var u importUnit
	for line := 1; ; line++ {
		raw, err := readLine(br)
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, ErrTooLarge) {
			return fmt.Errorf("read line %d: %w", line, err)
		}
		e.addLine(&u, line, raw, err)
		if len(u.articles) == importBatch {
			if err := e.sendUnit(ctx, units, u); err != nil {
				return err
			}
			u = importUnit{}
		}
	}
	if len(u.articles) == 0 && len(u.bad) == 0 {
		return nil
	}
	return e.sendUnit(ctx, units, u)
}

// addLine adds line number line to u: an article, a LineError, or nothing for a blank
// line. readErr is readLine's error (nil or ErrTooLarge).
func (e *Engine) addLine(u *importUnit, line int, raw []byte, readErr error) {
	if readErr != nil {
		u.bad = append(u.bad, &LineError{Line: line, Err: fmt.Errorf("%w: line is over %d bytes", ErrTooLarge, maxImportLine)})
		return
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return
	}
	p, err := e.parseLine(raw)
	if err != nil {
		u.bad = append(u.bad, &LineError{Line: line, Err: err})
		return
	}
	p.Line = line
	u.articles = append(u.articles, p)
}

// sendUnit embeds u's passages and hands u to the storing stage.
func (e *Engine) sendUnit(ctx context.Context, units chan<- importUnit, u importUnit) error {
	if err := e.embedBatch(ctx, u.articles); err != nil {
		return err
	}
	select {
	case units <- u:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// storeUnit stores u's articles and reports each of its lines to onLine, in order,
// counting them in st. It fails only on a database error or when ctx is done.
func (e *Engine) storeUnit(ctx context.Context, coll string, u importUnit, st *ImportStats, onLine func(int, error)) error {
	var res []AddedArticle
	if len(u.articles) > 0 {
		var err error
		res, u.bad, err = e.storeArticles(ctx, coll, u.articles, u.bad)
		if err != nil {
			return err
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
		st.count(r)
		reports = append(reports, report{u.articles[i].Line, nil})
	}
	sort.Slice(reports, func(i, j int) bool { return reports[i].line < reports[j].line })
	for _, r := range reports {
		st.Lines++
		onLine(r.line, r.err)
	}
	return nil
}

// storeArticles stores a batch of articles in one transaction. One article the database
// refuses must not sink the batch: when the batch fails, it stores them one at a time and
// adds a LineError to bad for each that still fails.
func (e *Engine) storeArticles(ctx context.Context, coll string, articles []prepared, bad []*LineError) ([]AddedArticle, []*LineError, error) {
	res, err := e.storeBatch(ctx, coll, articles)
	if err != nil && ctx.Err() == nil {
		e.log.Warn("import batch failed; storing its articles one by one",
			"first_line", articles[0].Line, "err", err)
		res, bad, err = e.storeEach(ctx, coll, articles, bad)
	}
	if err != nil {
		return nil, bad, fmt.Errorf("store lines %d-%d: %w", articles[0].Line, articles[len(articles)-1].Line, err)
	}
	return res, bad, nil
}

// analyzeAfter is how many new articles make an import refresh planner statistics.
const analyzeAfter = 200

// storeEach stores articles one per transaction, after a batch of them failed. It returns
// the results in the articles' order (Status "" for one that failed) and bad with a
// LineError added for each failure; it fails only when ctx ends.
func (e *Engine) storeEach(ctx context.Context, coll string, articles []prepared, bad []*LineError) ([]AddedArticle, []*LineError, error) {
	res := make([]AddedArticle, len(articles))
	for i := range articles {
		r, err := e.storeBatch(ctx, coll, articles[i:i+1])
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
	if l.Text == "" { // absent; a text of white space is an empty article (ErrEmptyArticle)
		return prepared{}, fmt.Errorf("%w: missing \"text\"", ErrInvalidInput)
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
