package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// preparedPassage is a passage ready to store: its span, its BM25 term counts and vector.
type preparedPassage struct {
	Start, End int
	Terms      map[string]int
	Length     int // number of terms, title included
	Vector     []float32
}

// prepared is an article with its passages, ready for one batch write.
type prepared struct {
	Article  Article
	Passages []preparedPassage
	Line     int        // import line, for reports; 0 otherwise
	web      *webSource // set when the article was fetched from the web (AddURL)
	// notes say what prepare (or the import line's reader) changed or left out, for
	// AddedArticle.Notes.
	notes   []string
	cuts    []FieldCut // the fields prepare cut (AddedArticle.Cuts)
	unknown []string   // the import line's fields footnote does not read (unknownFields)
	// unembedded is set when the article's passages were not embedded because the
	// collection held its text already when it was prepared (skipStored): stored unchanged,
	// or as another URL's text, it needs no vectors. If it must be written after all (it
	// changed in the meantime), the store says so (errUnembedded) and the engine embeds it.
	unembedded bool
}

// errUnembedded is a batch that must write passages of articles it did not embed
// (prepared.unembedded): the transaction is rolled back, and the engine embeds the
// articles named and stores the batch again.
type errUnembedded struct{ articles []int }

func (e *errUnembedded) Error() string {
	return fmt.Sprintf("%d articles to write were not embedded", len(e.articles))
}

// webSource is how an article added from the web is fetched again: the URL fetched, the
// validators of the answer, and when to recrawl it first.
type webSource struct {
	fetchURL           string
	etag, lastModified string
	next               time.Time
	feed               *feedEntry // the feed item it was added from; nil for a member's /add
}

// storeBatch writes articles in one transaction and reports what happened to each, in
// input order. Unchanged articles (same URL, same content) and duplicates (same content
// under another URL) are left as they are; a changed article replaces its passages.
func (s *Store) storeBatch(ctx context.Context, coll string, space Space, batch []prepared) ([]AddedArticle, error) {
	out, err := s.storeBatchOnce(ctx, coll, space, batch, false)
	if errors.Is(err, errInsertRaced) {
		// Another process added one of the URLs since lookupExisting looked: again, with
		// the batch's rows inserted one at a time, each seeing what was added before it.
		out, err = s.storeBatchOnce(ctx, coll, space, batch, true)
	}
	return out, err
}

// storeBatchOnce is one try of storeBatch: its new articles are inserted together, in one
// statement, unless rowByRow.
func (s *Store) storeBatchOnce(ctx context.Context, coll string, space Space, batch []prepared, rowByRow bool) ([]AddedArticle, error) {
	var out []AddedArticle
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		if err := t.upsertCollection(ctx, coll, space); err != nil {
			return err
		}
		existing, err := t.lookupExisting(ctx, coll, batch)
		if err != nil {
			return err
		}
		if afterLookup != nil {
			afterLookup()
		}
		w := newBatchWriter(t, coll, batch, existing)
		w.rowByRow = rowByRow
		for i := range batch {
			if err := w.storeArticle(ctx, i); err != nil {
				return err
			}
		}
		var unembedded []int
		for _, i := range w.toWrite() {
			if batch[i].unembedded {
				unembedded = append(unembedded, i)
			}
		}
		if len(unembedded) > 0 {
			return &errUnembedded{unembedded}
		}
		if err := w.flush(ctx); err != nil {
			return err
		}
		out = w.out
		return t.writePassages(ctx, coll, space, batch, w.toWrite())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchWriter stores the articles of one batch, in one transaction, and remembers whose
// passages must be written.
type batchWriter struct {
	tx       storeTx
	coll     string
	batch    []prepared
	out      []AddedArticle // what happened to batch[i]
	existing existingArticles
	seenHash map[string]string // content hash -> URL, in this batch
	write    []int             // indexes into batch of articles whose passages must be written
	// A URL given twice in one batch: the later text wins, so the earlier one's passages
	// must not be written.
	written    map[string]int // URL -> index into batch
	superseded map[int]bool
	// pending are the indexes into batch of new articles not inserted yet (flush inserts
	// them in one statement); their byURL rows have id 0 until then. rowByRow inserts each
	// at once instead.
	pending  []int
	rowByRow bool
}

func newBatchWriter(tx storeTx, coll string, batch []prepared, existing existingArticles) *batchWriter {
	return &batchWriter{
		tx: tx, coll: coll, batch: batch, out: make([]AddedArticle, len(batch)), existing: existing,
		seenHash: map[string]string{}, written: map[string]int{}, superseded: map[int]bool{},
	}
}

// storeArticle decides what batch[i] is (a duplicate, unchanged, updated or added) and
// writes its article row accordingly.
func (w *batchWriter) storeArticle(ctx context.Context, i int) error {
	a := &w.batch[i].Article
	w.out[i] = AddedArticle{Article: *a, Passages: len(w.batch[i].Passages), Notes: w.batch[i].notes, Cuts: w.batch[i].cuts}
	if u, ok := w.seenHash[a.Hash]; ok && u != a.URL {
		w.out[i].Status, w.out[i].DuplicateOf = StatusDuplicate, u
		return nil
	}
	w.seenHash[a.Hash] = a.URL
	if e, ok := w.existing.byURL[a.URL]; ok {
		if e.id == 0 {
			// A URL given twice in one batch, the first not inserted yet: it needs its id.
			if err := w.flush(ctx); err != nil {
				return err
			}
			e = w.existing.byURL[a.URL]
		}
		return w.replace(ctx, i, e)
	}
	if u, ok := w.existing.byHash[a.Hash]; ok {
		w.out[i].Status, w.out[i].DuplicateOf = StatusDuplicate, u
		return nil
	}
	return w.insert(ctx, i)
}

// replace updates the stored article e with batch[i] when its text changed.
func (w *batchWriter) replace(ctx context.Context, i int, e existingRow) error {
	a := &w.batch[i].Article
	w.out[i].Article.ID = e.id
	if web := w.batch[i].web; web != nil {
		// Fetched from the web again (an /add of a tracked link): recrawled from now on,
		// if it was not already, and online.
		if err := w.tx.scheduleRecrawl(ctx, w.coll, e.id, web); err != nil {
			return err
		}
	}
	if e.hash == a.Hash {
		w.out[i].Status = StatusUnchanged
		return nil
	}
	if err := w.tx.updateArticle(ctx, w.coll, e.id, *a); err != nil {
		return err
	}
	if err := w.tx.deletePassagesOf(ctx, w.coll, e.id); err != nil {
		return fmt.Errorf("replace passages of %s: %w", a.URL, err)
	}
	a.ID = e.id
	w.out[i].Status = StatusUpdated
	w.remember(i)
	return nil
}

// insert adds batch[i] as a new article: at once when it comes from the web or the writer
// goes row by row, else with the batch's other new articles (flush).
func (w *batchWriter) insert(ctx context.Context, i int) error {
	a := &w.batch[i].Article
	if !w.rowByRow && w.batch[i].web == nil {
		a.ID = 0
		w.out[i].Status = StatusAdded
		w.pending = append(w.pending, i)
		w.remember(i)
		return nil
	}
	inserted, err := w.tx.insertArticle(ctx, w.coll, a, w.batch[i].web)
	if err != nil {
		return err
	}
	if !inserted {
		// Another process added the same URL a moment ago.
		w.out[i].Status = StatusUnchanged
		return nil
	}
	w.out[i].Article.ID, w.out[i].Article.FetchedAt = a.ID, a.FetchedAt
	w.out[i].Status = StatusAdded
	w.remember(i)
	return nil
}

// afterLookup, when set (by a test), runs in every batch write after it looked up the
// stored articles: a test adds a URL there as another process would.
var afterLookup func()

// errInsertRaced is a batch whose set insert found a URL added by another process since
// lookupExisting looked: storeBatch tries it again row by row.
var errInsertRaced = errors.New("an article of the batch was added meanwhile")

// flush inserts the pending new articles in one statement and gives each its id. When
// one of them was not inserted (another process added its URL meanwhile) it fails with
// errInsertRaced: what the batch decided after it may be wrong.
func (w *batchWriter) flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	arts := make([]*Article, len(w.pending))
	for k, i := range w.pending {
		arts[k] = &w.batch[i].Article
	}
	if err := w.tx.insertArticles(ctx, w.coll, arts); err != nil {
		return err
	}
	for _, i := range w.pending {
		a := w.batch[i].Article
		if a.ID == 0 {
			return errInsertRaced
		}
		w.out[i].Article.ID, w.out[i].Article.FetchedAt = a.ID, a.FetchedAt
		w.existing.byURL[a.URL] = existingRow{a.ID, a.Hash}
	}
	w.pending = w.pending[:0]
	return nil
}

// remember marks batch[i] as stored: later articles of the batch see it, and its passages
// are to be written unless a later line of the same URL supersedes it.
func (w *batchWriter) remember(i int) {
	a := w.batch[i].Article
	w.existing.byURL[a.URL] = existingRow{a.ID, a.Hash}
	w.existing.byHash[a.Hash] = a.URL
	if j, ok := w.written[a.URL]; ok {
		w.superseded[j] = true
	}
	w.written[a.URL] = i
	w.write = append(w.write, i)
}

// toWrite returns the indexes into batch of the articles whose passages must be written.
func (w *batchWriter) toWrite() []int {
	var keep []int
	for _, i := range w.write {
		if !w.superseded[i] {
			keep = append(keep, i)
		}
	}
	return keep
}

// writePassages writes the passages, postings and vectors of batch[write...]; passage ids
// are drawn from the sequence first so postings and vectors can refer to them in the same
// round.
func (t storeTx) writePassages(ctx context.Context, coll string, space Space, batch []prepared, write []int) error {
	n := 0
	for _, i := range write {
		n += len(batch[i].Passages)
	}
	if n == 0 {
		return nil
	}
	ids, err := t.allocatePassageIDs(ctx, n)
	if err != nil {
		return err
	}
	var w passageWrite
	k := 0
	for _, i := range write {
		a := batch[i].Article
		for ord, p := range batch[i].Passages {
			w.add(a, a.ID, ord, p, ids[k])
			k++
		}
	}
	return t.insertPassageWrite(ctx, coll, space, &w)
}

// passageWrite is the passages of one write with their postings and vectors, laid out
// column by column: each column is one array argument of an INSERT ... SELECT FROM
// unnest(...). (COPY, which was faster, refuses tables under row-level security.)
type passageWrite struct {
	ids, articles                []int64
	ordinals, starts, ends, lens []int32
	bodies                       []string

	termLists      []string // each passage's distinct terms, sorted, space-separated (chunks.terms)
	terms          []string
	termPassages   []int64
	tfs, termLens  []int32
	vectorPassages []int64
	vectors        [][]float32
}

// add appends passage p of article a (stored as articleID), at ordinal ord, numbered id:
// its passage row, its postings, and its vector when it has one.
func (w *passageWrite) add(a Article, articleID int64, ord int, p preparedPassage, id int64) {
	w.ids, w.articles = append(w.ids, id), append(w.articles, articleID)
	w.ordinals, w.starts, w.ends = append(w.ordinals, int32(ord)), append(w.starts, int32(p.Start)), append(w.ends, int32(p.End))
	w.bodies, w.lens = append(w.bodies, a.Text[p.Start:p.End]), append(w.lens, int32(p.Length))
	w.addTerms(id, p.Terms, p.Length)
	if p.Vector != nil {
		w.vectorPassages, w.vectors = append(w.vectorPassages, id), append(w.vectors, p.Vector)
	}
}

// addTerms appends the postings of passage id, whose terms are counts and whose length is
// n, and its term list.
func (w *passageWrite) addTerms(id int64, counts map[string]int, n int) {
	list := make([]string, 0, len(counts))
	for term, tf := range counts {
		list = append(list, term)
		w.terms, w.termPassages = append(w.terms, term), append(w.termPassages, id)
		w.tfs, w.termLens = append(w.tfs, int32(tf)), append(w.termLens, int32(n))
	}
	sort.Strings(list)
	w.termLists = append(w.termLists, strings.Join(list, " "))
}

// insertPassageWrite stores w in coll: passages first, then the postings and vectors that
// refer to them.
func (t storeTx) insertPassageWrite(ctx context.Context, coll string, space Space, w *passageWrite) error {
	if err := t.insertPassages(ctx, coll, w); err != nil {
		return err
	}
	if err := t.insertPostings(ctx, coll, w); err != nil {
		return err
	}
	return t.insertVectors(ctx, coll, space, w)
}
