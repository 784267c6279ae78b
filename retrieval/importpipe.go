package retrieval

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/footnote-bot/footnote/retrieval/jsonl"
)

// importWorkers is how many goroutines of an import parse, clean, cut, tokenise and embed
// batches at once, while one more writes the finished batches to Postgres in line order.
// More keeps the writer busy on more cores (and overlaps a remote embedder's round trips),
// at the cost of a batch's memory each. Not tuned: the development machine has 2 cores,
// shared with Postgres, which does most of an import's work.
const importWorkers = 3

// importUnit is one batch of an import on its way from reading to storing: the prepared
// and embedded articles, the lines that failed before reaching the database, and the
// bytes of its lines (what it counts against the import's limits).
type importUnit struct {
	articles []prepared
	bad      []*LineError
	bytes    int64 // its lines' bytes
	weight   int64 // what it holds of the import's flight budget (importLimits.flightBytes)
}

// rawLine is one line of an import as read: its number, its bytes, and the reader's error
// (nil, or one wrapping jsonl.ErrTooLong).
type rawLine struct {
	n   int
	raw []byte
	err error
}

// importJob is a batch of raw lines for a worker, and where its unit goes.
type importJob struct {
	lines         []rawLine
	bytes, weight int64
	done          chan importUnit // buffered: the worker never waits for the writer
}

// importLimits bound an import's memory. An article's line bytes are a fair measure of
// what it costs on its way to the database: its text, passages, term maps and vectors,
// and the writer's encoded statements are each roughly proportional to them (about 15
// bytes of heap per line byte for news articles, vectors included). Counting articles alone
// let a batch of long articles hold many times what a batch of short ones does.
type importLimits struct {
	batchLines int   // lines per prepared batch, at most
	batchBytes int64 // line bytes per prepared batch, at most (unless one line is more)
	txBatches  int   // batches per transaction, at most
	txBytes    int64 // line bytes per transaction, at most (unless one batch is more)
	// flightBytes bounds the line bytes read and not yet stored: the batches queued,
	// being prepared, prepared and waiting, and the writer's transaction. Reading waits
	// for room. It is at least txBytes + batchBytes, so that the writer, holding less
	// than a transaction, can always get the next batch read.
	flightBytes int64
}

// defaultImportLimits are the limits of `footnote import`. Under them an import of news
// articles (about 2.5 KB each) is cut by count (64 articles per batch, about 1,000 per
// transaction), and one of long articles by bytes; what the import holds stays near 6 MB
// of lines whatever their length (under 200 MB resident, with the Go heap's soft limit
// of cmd/footnote).
var defaultImportLimits = importLimits{
	batchLines: importBatch, batchBytes: 512 << 10,
	txBatches: maxWriteUnits, txBytes: 3 << 20,
	flightBytes: 6 << 20,
}

// importHeld is what an import held at most, for tests: the line bytes read and not yet
// stored, the line bytes of one transaction, and how many transactions it wrote.
type importHeld struct {
	FlightBytes, TxBytes int64
	Transactions         int
}

// importFlight is an import's flight budget (importLimits.flightBytes) and what it holds.
type importFlight struct {
	sem      *semaphore.Weighted
	perBatch int64 // the most one batch takes: the budget less a transaction
	mu       sync.Mutex
	bytes    int64 // line bytes held
	held     importHeld
}

func newImportFlight(lim importLimits) *importFlight {
	budget := max(lim.flightBytes, lim.txBytes+lim.batchBytes)
	return &importFlight{sem: semaphore.NewWeighted(budget), perBatch: budget - lim.txBytes}
}

// take waits for room for a batch of n line bytes and returns the weight it took: n, or
// less for a batch larger than any the budget can hold beside a transaction (one line
// over the limits still goes through, alone).
func (f *importFlight) take(ctx context.Context, n int64) (int64, error) {
	w := min(n, f.perBatch)
	if err := f.sem.Acquire(ctx, w); err != nil {
		return 0, err
	}
	f.mu.Lock()
	f.bytes += n
	f.held.FlightBytes = max(f.held.FlightBytes, f.bytes)
	f.mu.Unlock()
	return w, nil
}

// stored gives back what the units of one transaction held: bytes of lines, weight taken.
func (f *importFlight) stored(bytes, weight int64) {
	f.mu.Lock()
	f.bytes -= bytes
	f.held.TxBytes = max(f.held.TxBytes, bytes)
	f.held.Transactions++
	f.mu.Unlock()
	f.sem.Release(weight)
}

// runImport runs Import's pipeline: one goroutine reads lines and cuts them into batches,
// importWorkers prepare and embed batches, and one stores them and reports their lines, in
// the order read. What they hold at once is bounded by e.importLimits. It fails on a read
// or embedding error, a database error that is no line's fault, or when ctx is done.
func (e *Engine) runImport(ctx context.Context, coll string, r io.Reader, st *ImportStats, onLine func(LineReport), bulk *bulkLoad) error {
	lim := e.importLimits
	flight := newImportFlight(lim)
	g, gctx := errgroup.WithContext(ctx)
	jobs := make(chan importJob)
	// order holds the batches in reading order; its capacity bounds how far reading and
	// preparing run ahead of the database (as the flight budget does in bytes).
	order := make(chan chan importUnit, importWorkers)
	g.Go(func() error {
		defer close(jobs)
		defer close(order)
		return readImport(gctx, r, lim, flight, jobs, order)
	})
	for range importWorkers {
		g.Go(func() error {
			for j := range jobs {
				u, err := e.prepareUnit(gctx, coll, j.lines)
				if err != nil {
					return err
				}
				u.bytes, u.weight = j.bytes, j.weight
				j.done <- u
			}
			return nil
		})
	}
	g.Go(func() error {
		notes := newFieldNotes()
		w := unitWriter{max: 1, lim: lim, flight: flight}
		for done := range order {
			var u importUnit
			select {
			case u = <-done:
			case <-gctx.Done():
				return gctx.Err()
			}
			for i := range u.articles {
				u.articles[i].notes = append(u.articles[i].notes, notes.unread(u.articles[i].unknown)...)
			}
			if w.n > 0 && w.u.bytes+u.bytes > lim.txBytes {
				// u would take the transaction past its bytes: the batches before it go first.
				if err := e.writeUnits(gctx, coll, &w, st, onLine, bulk); err != nil {
					return err
				}
				e.partitionIfLarge(gctx, coll)
			}
			if !w.add(u) {
				continue
			}
			if err := e.writeUnits(gctx, coll, &w, st, onLine, bulk); err != nil {
				return err
			}
			e.partitionIfLarge(gctx, coll)
		}
		if err := e.writeUnits(gctx, coll, &w, st, onLine, bulk); err != nil {
			return err
		}
		e.partitionIfLarge(gctx, coll) // the last transaction may have taken it past the threshold
		return nil
	})
	err := g.Wait()
	if e.importDone != nil {
		e.importDone(flight.held)
	}
	return err
}

// maxWriteUnits is how many prepared batches (importBatch lines each) the writer of an
// import stores in one transaction, at most. The first transaction takes one batch and
// each next one twice as many, up to this: a small import commits (and reports) its first
// lines at once, and a large one writes about 1,000 articles per transaction. Postgres does
// most of an import's work per distinct term of a transaction (a term's statistics row and
// the last block of its postings are rewritten once per transaction whatever the number of
// its new postings), so bigger transactions share that work among more articles: 16
// batches took 25% less database time than 4, and 4 than 1 (10k articles). They also hold
// more articles in memory (importLimits.txBytes bounds that), keep their row locks longer,
// and when a batch fails its articles are stored again one at a time, so a bad line costs
// more.
const maxWriteUnits = 16

// unitWriter gathers the import's prepared batches, in line order, into one transaction.
type unitWriter struct {
	u           importUnit // the batches gathered; u.bytes and u.weight are their sums
	n, max      int        // batches gathered, and how many the transaction takes
	batches     int        // batches stored
	bulkStarted bool
	lim         importLimits
	flight      *importFlight
}

// add gathers u and reports whether the transaction has all its batches or bytes.
func (w *unitWriter) add(u importUnit) bool {
	w.u.articles = append(w.u.articles, u.articles...)
	w.u.bad = append(w.u.bad, u.bad...)
	w.u.bytes += u.bytes
	w.u.weight += u.weight
	w.n++
	return w.n >= w.max || w.u.bytes >= w.lim.txBytes
}

// writeUnits stores the batches w gathered, if any, in one transaction, gives back what
// they held of the flight budget, and doubles the next transaction's batches, up to
// lim.txBatches. Past bulkLoadAfter batches it lets bulk drop the space's index first.
func (e *Engine) writeUnits(ctx context.Context, coll string, w *unitWriter, st *ImportStats, onLine func(LineReport), bulk *bulkLoad) error {
	if w.n == 0 {
		return nil
	}
	if w.batches+w.n > bulkLoadAfter && !w.bulkStarted {
		w.bulkStarted = true
		bulk.begin(ctx)
	}
	if err := e.storeUnit(ctx, coll, w.u, st, onLine); err != nil {
		return err
	}
	w.flight.stored(w.u.bytes, w.u.weight)
	w.batches += w.n
	w.u, w.n, w.max = importUnit{}, 0, min(2*w.max, w.lim.txBatches)
	return nil
}

// readImport reads the lines of r, cuts them into batches of lines that are not blank (at
// most lim.batchLines lines and lim.batchBytes bytes, or one longer line), takes room for
// each in flight, and hands it to a worker (jobs) and its place in line order to the
// writer (order). It fails on a read error, or when ctx is done.
func readImport(ctx context.Context, r io.Reader, lim importLimits, flight *importFlight, jobs chan<- importJob, order chan<- chan importUnit) error {
	lines := jsonl.NewReader(r, maxImportLine)
	var batch []rawLine
	var size int64
	send := func() error {
		w, err := flight.take(ctx, size)
		if err != nil {
			return err
		}
		j := importJob{lines: batch, bytes: size, weight: w, done: make(chan importUnit, 1)}
		batch, size = nil, 0
		// Its place in line order first: the writer waits for the batches in that order.
		if !trySend(ctx, order, j.done) || !trySend(ctx, jobs, j) {
			return ctx.Err()
		}
		return nil
	}
	last := 0
	for {
		n, raw, err := lines.Next()
		if err == io.EOF {
			break
		}
		if err != nil && !errors.Is(err, jsonl.ErrTooLong) {
			return fmt.Errorf("read line %d: %w", last+1, err)
		}
		last = n
		if err == nil && jsonl.Blank(raw) {
			continue
		}
		if len(batch) > 0 && size+int64(len(raw)) > lim.batchBytes {
			if err := send(); err != nil {
				return err
			}
		}
		// The reader reuses its buffer: the line is copied for the worker.
		batch = append(batch, rawLine{n, slices.Clone(raw), err})
		size += int64(len(raw))
		if len(batch) == lim.batchLines {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return send()
}

// trySend sends v on ch and reports true, or reports false when ctx ends first.
func trySend[T any](ctx context.Context, ch chan<- T, v T) bool {
	select {
	case ch <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// prepareUnit parses and prepares lines and embeds their passages (but those coll holds
// already: skipStored): a unit ready to store. It fails on an embedding error, a database
// error of that lookup, or when ctx is done.
func (e *Engine) prepareUnit(ctx context.Context, coll string, lines []rawLine) (importUnit, error) {
	var u importUnit
	for _, l := range lines {
		if l.err != nil {
			u.bad = append(u.bad, &LineError{Line: l.n, Err: fmt.Errorf("%w: line is over %d bytes", ErrTooLarge, maxImportLine)})
			continue
		}
		a, err := e.parseLine(l.raw)
		if err != nil {
			u.bad = append(u.bad, &LineError{Line: l.n, Err: err})
			continue
		}
		a.Line = l.n
		u.articles = append(u.articles, a)
	}
	if err := e.skipStored(ctx, coll, u.articles); err != nil {
		return importUnit{}, err
	}
	if err := e.embedBatch(ctx, u.articles); err != nil {
		return importUnit{}, err
	}
	return u, nil
}

// unknownFields returns the names of the fields of an import line that footnote does not
// read, sorted (nil for a line that is not a JSON object).
func unknownFields(raw []byte) []string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		if !slices.ContainsFunc(importFields, func(f string) bool { return strings.EqualFold(f, name) }) {
			out = append(out, name)
		}
	}
	return out
}

// fieldNotes remembers which unread fields an import has named, so that each is named
// once, on the first line that has it: it runs in line order, in the writer.
type fieldNotes struct{ named map[string]bool }

func newFieldNotes() *fieldNotes { return &fieldNotes{named: map[string]bool{}} }

// unread returns the notes for a line's unknown fields (unknownFields) not named before,
// up to maxUnreadNamed in all.
func (n *fieldNotes) unread(unknown []string) []string {
	var notes []string
	for _, name := range unknown {
		if n.named[name] || len(n.named) > maxUnreadNamed {
			continue
		}
		n.named[name] = true
		if len(n.named) > maxUnreadNamed {
			notes = append(notes, fmt.Sprintf("more fields are not read; after %d, they are not named", maxUnreadNamed))
			break
		}
		shown, _ := clipChars(name, 40)
		notes = append(notes, fmt.Sprintf("field %q is not read, here or on later lines (footnote reads %s)",
			shown, strings.Join(importFields, ", ")))
	}
	return notes
}

// bulkLoadAfter is how many batches an import stores (in one transaction or more) before
// it may drop its space's index to build it after the copy (bulkLoad). A small import (a few articles, a test's) never
// pays for the DDL: dropping the index takes a lock that holds up every query of
// embeddings for a moment, and both statements make every connection plan its queries of
// embeddings again. A large one pays once. Not tuned: 4 batches are 256 articles.
const bulkLoadAfter = 4

// bulkIndexTimeout bounds how long an import waits, after it ended, to build again the
// index it dropped (bulkLoad.end), including after a cancelled import. Building an HNSW
// index over bulkLoadBelow vectors takes seconds; an import that added many more takes
// longer, and a cut-short build is made again when an engine next starts (ensureSpace).
const bulkIndexTimeout = 10 * time.Minute

// bulkLoadBelow is how many vectors a space may hold for an import to drop its index
// (bulkLoad): filteredScanWork, 3,200, where a search that finds no index scans the
// space's vectors exactly in about 2 ms (0.7 µs a vector, exactRowCost) instead of
// walking them in about 0.5 ms, while the copy saves 3-5 ms per vector of index upkeep.
const bulkLoadBelow = filteredScanWork

// bulkLoad is a large import into a space whose HNSW index it dropped, to build it once
// after the copy instead of vector by vector: only when the space held fewer than
// bulkLoadBelow vectors, where a search without the index costs little more meanwhile.
type bulkLoad struct {
	e       *Engine
	space   Space
	dropped bool
}

// begin drops the space's index when it has one and the space is small (fewer than
// bulkLoadBelow vectors). It never fails an import: when the database cannot say, or
// refuses, the import goes on with the index as it is.
func (b *bulkLoad) begin(ctx context.Context) {
	if !b.space.indexed() {
		return
	}
	rows, err := b.e.store.spaceRows(ctx, b.space.ID)
	if err != nil || rows >= bulkLoadBelow {
		return
	}
	if err := b.e.store.setSpaceIndex(ctx, b.space, false); err != nil {
		b.e.log.Warn("import keeps the embedding space's index while it copies", "space", b.space.Name(), "err", err)
		return
	}
	b.dropped = true
}

// end builds again the index begin dropped, even when the import failed or was cancelled.
// It fails when the index cannot be built (the next engine start builds it).
func (b *bulkLoad) end(ctx context.Context) error {
	if !b.dropped {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bulkIndexTimeout)
	defer cancel()
	return b.e.store.setSpaceIndex(ctx, b.space, true)
}
