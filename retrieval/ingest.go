package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/chunk"
	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// prepare normalises an article, cuts its one-line fields to their caps (capFields, noting
// each cut), cuts it into passages and counts their terms. Vectors are added later, a batch
// at a time. It fails on empty or over-large text and on a URL over MaxURLBytes.
func (e *Engine) prepare(a Article) (prepared, error) {
	if !utf8.ValidString(a.Text) {
		return prepared{}, fmt.Errorf("%w: the text is not valid UTF-8", ErrInvalidInput)
	}
	a.Text = strings.TrimSpace(cleanText(strings.ReplaceAll(strings.ReplaceAll(a.Text, "\r\n", "\n"), "\r", "\n")))
	a.Title = strings.TrimSpace(cleanLine(a.Title))
	a.Byline, a.Site = cleanLine(a.Byline), cleanLine(a.Site)
	if a.Text == "" {
		return prepared{}, ErrEmptyArticle
	}
	if len(a.URL) > MaxURLBytes {
		return prepared{}, fmt.Errorf("%w: the address has %d bytes; the limit is %d", ErrURLTooLong, len(a.URL), MaxURLBytes)
	}
	if len(a.Text) > e.cfg.MaxArticleBytes {
		return prepared{}, fmt.Errorf("%w: the article has %d bytes of text; the limit is %d", ErrTooLarge, len(a.Text), e.cfg.MaxArticleBytes)
	}
	if a.Title == "" {
		a.Title = strings.TrimSpace(cleanLine(firstLine(a.Text, 120))) // tabs too, as in a given title
	}
	if a.Site == "" {
		if u, err := url.Parse(a.URL); err == nil {
			a.Site = strings.TrimPrefix(u.Hostname(), "www.")
		}
	}
	cuts := capFields(&a)
	var notes []string
	for _, c := range cuts {
		notes = append(notes, c.String())
	}
	sum := sha256.Sum256([]byte(a.Text))
	a.Hash = hex.EncodeToString(sum[:])
	p := prepared{Article: a, notes: notes, cuts: cuts}
	for _, sp := range chunk.Split(a.Text, chunk.DefaultOptions()) {
		terms, n := passageTerms(a.Title, a.Text[sp.Start:sp.End])
		p.Passages = append(p.Passages, preparedPassage{Start: sp.Start, End: sp.End, Terms: terms, Length: n})
	}
	if len(p.Passages) == 0 {
		return prepared{}, ErrEmptyArticle
	}
	return p, nil
}

// cleanText drops control characters other than line breaks and tabs: Postgres text
// cannot hold NUL, and the others only hide text from readers and from search.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// cleanLine is cleanText for a one-line field: line breaks become spaces.
func cleanLine(s string) string {
	return cleanText(strings.NewReplacer("\n", " ", "\t", " ").Replace(s))
}

// passageTerms returns a passage's lexical document: the terms of its text and of its
// article's title, with counts, and their number. The title is in every passage's document
// so that a question naming the article's subject finds its passages where the text says "it".
func passageTerms(title, body string) (map[string]int, int) {
	terms, n := text.Counts(body)
	titleTerms, titleLen := text.Counts(title)
	for t, c := range titleTerms {
		terms[t] += c
	}
	return terms, n + titleLen
}

// embedBatch fills in the vectors of every passage in batch with one embedder call, but
// for the articles skipStored found stored already (prepared.unembedded).
func (e *Engine) embedBatch(ctx context.Context, batch []prepared) error {
	var texts []string
	for _, p := range batch {
		if p.unembedded {
			continue
		}
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
		if batch[i].unembedded {
			continue
		}
		for j := range batch[i].Passages {
			batch[i].Passages[j].Vector = vecs[k]
			k++
		}
	}
	return nil
}

// skipStored marks the articles of batch that coll already holds with the same text
// (they will be unchanged) or under another URL (duplicates) as needing no vectors
// (prepared.unembedded), when the engine embeds with a model on a server: importing a file
// again, or adding a tracked link again, then costs no embedding requests. The offline
// hash embedder is cheaper than the lookup, so with it every article is embedded. Should
// a marked article have changed by the time it is stored, storeBatch embeds it then.
func (e *Engine) skipStored(ctx context.Context, coll string, batch []prepared) error {
	if !e.Space().searched() || len(batch) == 0 {
		return nil
	}
	ex, err := e.store.storedArticles(ctx, coll, batch)
	if err != nil {
		return err
	}
	for i := range batch {
		a := batch[i].Article
		if row, ok := ex.byURL[a.URL]; ok {
			batch[i].unembedded = row.hash == a.Hash
		} else {
			_, batch[i].unembedded = ex.byHash[a.Hash]
		}
	}
	if afterSkipStored != nil {
		afterSkipStored()
	}
	return nil
}

// afterSkipStored, when set (by a test), runs after skipStored has marked a batch: a test
// changes an article there as another writer would.
var afterSkipStored func()

// AddedArticle reports what an add or import did with one article.
type AddedArticle struct {
	Article  Article
	Passages int
	Status   string // "added", "updated", "unchanged" or "duplicate"
	// DuplicateOf is the URL of the article with the same content, when Status is "duplicate".
	DuplicateOf string
	// Notes say what footnote changed in the article on its way in, for people to read:
	// "title cut to 300 characters (it had 1048576)".
	Notes []string
	// Cuts are the notes' field cuts, for a reader in another language.
	Cuts []FieldCut
	// SameName lists the URLs of the other files of the collection with the same name, when
	// a file was added (Status "added"; not when it was already tracked): a file is identified by its content, so a new version of a file is a
	// new article and the member decides whether the older one goes.
	SameName []string
}

// Add statuses.
const (
	StatusAdded     = "added"
	StatusUpdated   = "updated"
	StatusUnchanged = "unchanged"
	StatusDuplicate = "duplicate"
)

// addOne stores one article and reports what happened; a duplicate is ErrDuplicate. web
// is set for an article fetched from the web, which is then recrawled on the schedule.
func (e *Engine) addOne(ctx context.Context, coll string, a Article, web *webSource) (*AddedArticle, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	p, err := e.prepare(a)
	if err != nil {
		return nil, err
	}
	p.web = web
	batch := []prepared{p}
	if err := e.skipStored(ctx, coll, batch); err != nil {
		return nil, fmt.Errorf("store %s: %w", a.URL, err)
	}
	if err := e.embedBatch(ctx, batch); err != nil {
		return nil, err
	}
	res, err := e.storeBatch(ctx, coll, batch)
	if IsUnavailable(err) {
		// Said so plainly: the article is fine, the database is not there.
		return nil, fmt.Errorf("store %s: %w: %w", a.URL, ErrUnavailable, err)
	}
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", a.URL, err)
	}
	r := res[0]
	if r.Status == StatusDuplicate {
		return &r, fmt.Errorf("%w: same text as %s", ErrDuplicate, r.DuplicateOf)
	}
	e.partitionIfLarge(ctx, coll)
	return &r, nil
}

// AddURL fetches a page (refusing private addresses unless the fetcher allows them),
// extracts the article and stores it in coll, where it is then recrawled on the schedule
// (Config.RecrawlSchedule). Errors wrap ErrInvalidURL, ErrBlockedAddr, ErrFetch,
// ErrTooLarge, ErrEmptyArticle, ErrUnsupported or ErrDuplicate for what the user can fix.
func (e *Engine) AddURL(ctx context.Context, coll, rawURL, addedBy string) (*AddedArticle, error) {
	return e.addURL(ctx, coll, rawURL, addedBy, nil)
}

// addURL is AddURL for an article from the feed item entry (nil for none): a new article
// is marked as the feed's, and its announcement is stored with it.
func (e *Engine) addURL(ctx context.Context, coll, rawURL, addedBy string, entry *feedEntry) (*AddedArticle, error) {
	canon, err := extract.Canonical(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, err
	}
	resp, err := e.cfg.Fetcher.Fetch(ctx, canon)
	if err != nil {
		return nil, err
	}
	doc, err := readPage(canon, resp)
	if err != nil {
		return nil, err
	}
	web := &webSource{fetchURL: canon, etag: resp.ETag, lastModified: resp.LastModifiedRaw,
		next: time.Now().Add(e.recrawlStep(0)), feed: entry}
	return e.addOne(ctx, coll, articleOf(doc, addedBy), web)
}

// readPage extracts the article of a page fetched from target, as /add reads it: HTML,
// plain text or Markdown. Its errors wrap ErrUnsupported and ErrEmptyArticle.
func readPage(target string, resp *fetch.Response) (*extract.Document, error) {
	var doc *extract.Document
	var err error
	ct := strings.ToLower(resp.ContentType)
	switch {
	case strings.Contains(ct, "html") || ct == "" && bytes.Contains(bytes.ToLower(resp.Body[:min(len(resp.Body), 2048)]), []byte("<html")):
		doc, err = extract.HTML(resp.Body, resp.URL)
	case strings.HasPrefix(ct, "text/plain"):
		doc, err = extract.PlainText(path.Base(resp.URL.Path), resp.Body)
	case strings.Contains(ct, "markdown"):
		doc, err = extract.Markdown(path.Base(resp.URL.Path), resp.Body)
	default:
		return nil, fmt.Errorf("%w: %s is %q, not a web page", ErrUnsupported, target, resp.ContentType)
	}
	if err != nil {
		return nil, err
	}
	if doc.URL == "" {
		doc.URL = resp.URL.String()
	}
	// A page without a date has none: its Last-Modified header is, on most dynamic sites,
	// the moment it was served, so it would show the fetch date as a publication date.
	return doc, nil
}

// AddFile stores an uploaded .txt, .md or .html file in coll. A file is identified by its
// content and shown by its name (FileURL): the same file added again is unchanged, and a
// different file of the same name is a new article, whose SameName lists the others.
// Errors wrap ErrUnsupported, ErrTooLarge, ErrEmptyArticle or ErrDuplicate for what the
// user can fix.
func (e *Engine) AddFile(ctx context.Context, coll, name string, data []byte, addedBy string) (*AddedArticle, error) {
	if len(data) > e.cfg.MaxArticleBytes*2 {
		return nil, fmt.Errorf("%w: the file has %d bytes; the limit is %d", ErrTooLarge, len(data), e.cfg.MaxArticleBytes*2)
	}
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	doc, err := extract.File(name, data)
	if err != nil {
		return nil, err
	}
	doc.URL = FileURL(name, data)
	added, err := e.addOne(ctx, coll, articleOf(doc, addedBy), nil)
	if err != nil {
		return added, err
	}
	if added.Status != StatusAdded {
		// An unchanged file was there before its namesakes; it replaces nothing either way.
		return added, nil
	}
	if added.SameName, err = e.store.sameNameFiles(ctx, coll, name, added.Article.URL); err != nil {
		// The file is stored; the note about its namesakes is a courtesy.
		e.log.Warn("look up files of the same name failed", "err", err)
	}
	return added, nil
}

// fileIDLen is how many hex digits of the content's SHA-256 a file's URL carries: 48 bits,
// so two different files of one collection share an address with odds of about n²/2⁴⁹.
const fileIDLen = 12

// FileURL is the address footnote files an uploaded file under: file:///<id>/<name>, where
// id is the start of the SHA-256 of its bytes and name its base name (path-escaped), so
// that the address names the content and still reads as the file. Files added before
// addresses carried the id keep their file:///<name>.
func FileURL(name string, data []byte) string {
	sum := sha256.Sum256(data)
	id := hex.EncodeToString(sum[:])[:fileIDLen]
	return (&url.URL{Scheme: "file", Path: "/" + id + "/" + path.Base(name)}).String()
}

func articleOf(d *extract.Document, addedBy string) Article {
	return Article{URL: d.URL, Title: d.Title, Byline: d.Byline, Site: d.Site, Published: d.Published, Text: d.Text, AddedBy: addedBy}
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
