package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/footnote-bot/footnote/retrieval/chunk"
	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// prepare normalises an article, cuts it into passages and counts their terms. Vectors are
// added later, a batch at a time. It fails on empty or over-large text.
func (e *Engine) prepare(a Article) (prepared, error) {
	a.Text = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(a.Text, "\r\n", "\n"), "\r", "\n"))
	a.Title = strings.TrimSpace(a.Title)
	if !utf8.ValidString(a.Text) {
		return prepared{}, fmt.Errorf("%w: the text is not valid UTF-8", ErrInvalidInput)
	}
	if a.Text == "" {
		return prepared{}, ErrEmptyArticle
	}
	if len(a.Text) > e.cfg.MaxArticleBytes {
		return prepared{}, fmt.Errorf("%w: the article has %d bytes of text; the limit is %d", ErrTooLarge, len(a.Text), e.cfg.MaxArticleBytes)
	}
	if a.Title == "" {
		a.Title = firstLine(a.Text, 120)
	}
	if a.Site == "" {
		if u, err := url.Parse(a.URL); err == nil {
			a.Site = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	sum := sha256.Sum256([]byte(a.Text))
	a.Hash = hex.EncodeToString(sum[:])
	p := prepared{Article: a}
	// The title is part of every passage's lexical document: a question naming the
	// article's subject finds its passages even where the text says "it".
	titleTerms, titleLen := text.Counts(a.Title)
	for _, sp := range chunk.Split(a.Text, chunk.Default) {
		terms, n := text.Counts(a.Text[sp.Start:sp.End])
		for t, c := range titleTerms {
			terms[t] += c
		}
		p.Passages = append(p.Passages, preparedPassage{Start: sp.Start, End: sp.End, Terms: terms, Length: n + titleLen})
	}
	if len(p.Passages) == 0 {
		return prepared{}, ErrEmptyArticle
	}
	return p, nil
}

// embedBatch fills in the vectors of every passage in batch with one embedder call.
func (e *Engine) embedBatch(ctx context.Context, batch []prepared) error {
	var texts []string
	for _, p := range batch {
		for _, ps := range p.Passages {
			texts = append(texts, p.Article.Title+"\n"+p.Article.Text[ps.Start:ps.End])
		}
	}
	if len(texts) == 0 {
		return nil
	}
	vecs, err := e.cfg.Embedder.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("embed passages: %w", err)
	}
	k := 0
	for i := range batch {
		for j := range batch[i].Passages {
			batch[i].Passages[j].Vector = vecs[k]
			k++
		}
	}
	return nil
}

// addOne stores one article and reports what happened; a duplicate is ErrDuplicate.
func (e *Engine) addOne(ctx context.Context, coll string, a Article) (*AddedArticle, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	p, err := e.prepare(a)
	if err != nil {
		return nil, err
	}
	batch := []prepared{p}
	if err := e.embedBatch(ctx, batch); err != nil {
		return nil, err
	}
	res, err := e.store.storeBatch(ctx, coll, e.space, batch)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", a.URL, err)
	}
	r := res[0]
	if r.Status == StatusDuplicate {
		return &r, fmt.Errorf("%w: same text as %s", ErrDuplicate, r.DuplicateOf)
	}
	return &r, nil
}

// AddURL fetches a page (refusing private addresses unless the fetcher allows them),
// extracts the article and stores it in coll. Errors wrap ErrInvalidURL, ErrBlockedAddr,
// ErrFetch, ErrTooLarge, ErrEmptyArticle, ErrUnsupported or ErrDuplicate for what the user can fix.
func (e *Engine) AddURL(ctx context.Context, coll, rawURL, addedBy string) (*AddedArticle, error) {
	canon, err := extract.Canonical(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, err
	}
	resp, err := e.cfg.Fetcher.Fetch(ctx, canon)
	if err != nil {
		return nil, err
	}
	var doc *extract.Document
	ct := strings.ToLower(resp.ContentType)
	switch {
	case strings.Contains(ct, "html") || ct == "" && bytes.Contains(bytes.ToLower(resp.Body[:min(len(resp.Body), 2048)]), []byte("<html")):
		doc, err = extract.HTML(resp.Body, resp.URL)
	case strings.HasPrefix(ct, "text/plain"):
		doc, err = extract.PlainText(path.Base(resp.URL.Path), resp.Body)
	case strings.Contains(ct, "markdown"):
		doc, err = extract.Markdown(path.Base(resp.URL.Path), resp.Body)
	default:
		return nil, fmt.Errorf("%w: %s is %q, not a web page", ErrUnsupported, canon, resp.ContentType)
	}
	if err != nil {
		return nil, err
	}
	if doc.URL == "" {
		doc.URL = resp.URL.String()
	}
	if doc.Published.IsZero() {
		doc.Published = resp.LastModified
	}
	return e.addOne(ctx, coll, articleOf(doc, addedBy))
}

// AddFile stores an uploaded .txt, .md or .html file in coll. Its URL is file:///NAME, so
// uploading a file of the same name again replaces it. Errors wrap ErrUnsupported,
// ErrTooLarge, ErrEmptyArticle or ErrDuplicate for what the user can fix.
func (e *Engine) AddFile(ctx context.Context, coll, name string, data []byte, addedBy string) (*AddedArticle, error) {
	if len(data) > e.cfg.MaxArticleBytes*2 {
		return nil, fmt.Errorf("%w: the file has %d bytes; the limit is %d", ErrTooLarge, len(data), e.cfg.MaxArticleBytes*2)
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	doc, err := extract.File(name, data)
	if err != nil {
		return nil, err
	}
	if doc.URL == "" {
		doc.URL = (&url.URL{Scheme: "file", Path: "/" + name}).String()
	}
	return e.addOne(ctx, coll, articleOf(doc, addedBy))
}

func articleOf(d *extract.Document, addedBy string) Article {
	return Article{URL: d.URL, Title: d.Title, Byline: d.Byline, Site: d.Site, Published: d.Published, Text: d.Text, AddedBy: addedBy}
}

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
		t, err := parseDate(l.Published)
		if err != nil {
			return prepared{}, fmt.Errorf("%w: \"published\" %q is not a date (want YYYY-MM-DD or RFC 3339)", ErrInvalidInput, l.Published)
		}
		a.Published = t
	}
	return e.prepare(a)
}

// parseDate accepts YYYY-MM-DD and RFC 3339.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// ParseDate parses a date given by a user (YYYY-MM-DD or RFC 3339); the error wraps
// ErrInvalidInput.
func ParseDate(s string) (time.Time, error) {
	t, err := parseDate(s)
	if err != nil {
		return t, fmt.Errorf("%w: %q is not a date (use YYYY-MM-DD)", ErrInvalidInput, s)
	}
	return t, nil
}

func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return truncateRunes(strings.TrimSpace(s), n)
}

// validCollection refuses empty or absurd collection names.
func validCollection(c string) error {
	if c == "" || len(c) > 100 || strings.ContainsAny(c, "\x00\n") {
		return fmt.Errorf("%w: collection name %q", ErrInvalidInput, c)
	}
	return nil
}
