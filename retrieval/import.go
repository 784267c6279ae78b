package retrieval

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"
)

// importBatch is how many lines (articles, bad lines aside) an import's workers prepare and
// embed at a time; the writer stores several such batches in one transaction
// (maxWriteUnits). Bigger holds more articles in memory (importWorkers + 2 batches) on
// their way to the writer. Not tuned; 64 was the first value.
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

// LinesError is a batch of an import's lines, First to Last, that could not be stored
// (the database went away: Err wraps ErrUnavailable). When Err also wraps
// ErrCommitUncertain, the batch may be stored all the same.
type LinesError struct {
	First, Last int
	Err         error
}

// Error says which lines and why.
func (e *LinesError) Error() string {
	return "store lines " + strconv.Itoa(e.First) + "-" + strconv.Itoa(e.Last) + ": " + e.Err.Error()
}

// Unwrap returns the batch's error.
func (e *LinesError) Unwrap() error { return e.Err }

// LineReport is what became of one line of an import file.
type LineReport struct {
	Line int
	// Err is nil when the line's article was stored (added, updated, unchanged or a
	// duplicate), else a *LineError saying why the line was not.
	Err error
	// Warnings say what footnote changed in or left out of a line it stored: a field cut
	// to its cap (capFields), a field it does not read.
	Warnings []string
}

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
// batches. Lines end at LF, CRLF or a lone CR; a byte-order mark at the start is skipped. A
// bad line (not exactly one JSON object, not UTF-8, not an article) is reported to onLine
// with its number and skipped; the rest still imports. onLine (may be nil) is called once
// per line, blank lines aside, in order.
//
// A database out of reach is no line's fault: Import tries the batch again with backoff
// for up to Config.OutageWait, then fails with an error wrapping ErrUnavailable. The lines
// reported by then are stored, and running the same import again resumes: what is stored
// comes back unchanged. Import also fails on a read error or when ctx is done.
func (e *Engine) Import(ctx context.Context, coll string, r io.Reader, onLine func(LineReport)) (ImportStats, error) {
	start := time.Now()
	var st ImportStats
	if err := validCollection(coll); err != nil {
		return st, err
	}
	if onLine == nil {
		onLine = func(LineReport) {}
	}
	bulk := &bulkLoad{e: e, space: e.Space()}
	err := e.runImport(ctx, coll, r, &st, onLine, bulk)
	if berr := bulk.end(ctx); err == nil {
		err = berr
	}
	if err == nil && st.Added+st.Updated >= analyzeAfter {
		// Fresh planner statistics: without them the first searches after a bulk import
		// can pick poor plans (seen as p99 spikes of hundreds of milliseconds).
		err = e.store.analyze(ctx)
	}
	st.Took = time.Since(start)
	return st, err
}

// storeUnit stores u's articles and reports each of its lines to onLine, in order,
// counting them in st. It fails only on a database error that is no line's fault (the
// database out of reach past Config.OutageWait), or when ctx is done; then none of u's
// lines is reported.
func (e *Engine) storeUnit(ctx context.Context, coll string, u importUnit, st *ImportStats, onLine func(LineReport)) error {
	var res []AddedArticle
	if len(u.articles) > 0 {
		var err error
		res, u.bad, err = e.storeArticles(ctx, coll, u.articles, u.bad)
		if err != nil {
			return err
		}
	}
	reports := make([]LineReport, 0, len(res)+len(u.bad))
	for _, b := range u.bad {
		st.Failed++
		reports = append(reports, LineReport{Line: b.Line, Err: b})
	}
	for i, r := range res {
		if r.Status == "" {
			continue // failed alone too: reported among u.bad
		}
		st.count(r)
		reports = append(reports, LineReport{Line: u.articles[i].Line, Warnings: r.Notes})
	}
	sort.Slice(reports, func(i, j int) bool { return reports[i].Line < reports[j].Line })
	for _, r := range reports {
		st.Lines++
		onLine(r)
	}
	return nil
}

// storeArticles stores a batch of articles in one transaction. One article the database
// refuses must not sink the batch: when the batch fails for a reason other than an
// outage, it stores them one at a time and adds a LineError to bad for each that still
// fails. An outage is waited out (storeBatchWaiting), never blamed on a line.
func (e *Engine) storeArticles(ctx context.Context, coll string, articles []prepared, bad []*LineError) ([]AddedArticle, []*LineError, error) {
	res, err := e.storeBatchWaiting(ctx, coll, articles)
	if err != nil && ctx.Err() == nil && !IsUnavailable(err) {
		e.log.Warn("import batch failed; storing its articles one by one",
			"first_line", articles[0].Line, "err", err)
		res, bad, err = e.storeEach(ctx, coll, articles, bad)
	}
	if err != nil {
		return nil, bad, &LinesError{First: articles[0].Line, Last: articles[len(articles)-1].Line, Err: err}
	}
	return res, bad, nil
}

// analyzeAfter is how many new articles make an import refresh planner statistics.
const analyzeAfter = 200

// storeEach stores articles one per transaction, after a batch of them failed. It returns
// the results in the articles' order (Status "" for one that failed) and bad with a
// LineError added for each failure; it fails only when ctx ends or the database stays out
// of reach.
func (e *Engine) storeEach(ctx context.Context, coll string, articles []prepared, bad []*LineError) ([]AddedArticle, []*LineError, error) {
	res := make([]AddedArticle, len(articles))
	for i := range articles {
		r, err := e.storeBatchWaiting(ctx, coll, articles[i:i+1])
		switch {
		case err != nil && ctx.Err() != nil:
			return nil, bad, ctx.Err()
		case IsUnavailable(err):
			return nil, bad, err
		case err != nil:
			bad = append(bad, &LineError{Line: articles[i].Line, Err: fmt.Errorf("store: %w", err)})
			continue
		}
		res[i] = r[0]
	}
	return res, bad, nil
}
