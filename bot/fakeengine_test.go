package bot

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// fakeEngine is an in-memory Engine for the cases where a failure or a precise answer must
// be injected. Collections are kept apart like the real engine keeps them.
type fakeEngine struct {
	mu       sync.Mutex
	cols     map[string][]*fakeArticle
	web      map[string]fakePage // what AddURL "fetches"
	nextID   int64
	nextQ    int64
	asks     []fakeAsk
	feedback []retrieval.Feedback
	reindexd []string
	settings map[string]retrieval.GuildSettings // fakesettings_test.go

	// Hooks replace the default behaviour when set.
	askFunc      func(ctx context.Context, coll, question string, opts retrieval.AskOptions) (*retrieval.Answer, error)
	reindexFunc  func(ctx context.Context, coll string, progress func(done, total int)) (retrieval.ReindexStats, error)
	planFunc     func(ctx context.Context, coll string) (retrieval.ReindexPlan, error)
	settingsFunc func(ctx context.Context, coll string) (retrieval.GuildSettings, error) // fakesettings_test.go
}

// fakeChunk is a passage of a fake article: Text is the article text [Start:End].
type fakeChunk struct {
	ID, ArticleID int64
	Ordinal       int
	Start, End    int
	Text          string
}

type fakeArticle struct {
	art    retrieval.Article
	chunks []fakeChunk
}

type fakePage struct {
	title, site, text string
	published         time.Time
}

type fakeAsk struct {
	coll, question string
	opts           retrieval.AskOptions
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{cols: make(map[string][]*fakeArticle), web: make(map[string]fakePage)}
}

// add stores an article, one passage per paragraph.
func (e *fakeEngine) add(coll string, a retrieval.Article) *fakeArticle {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addLocked(coll, a)
}

func (e *fakeEngine) addLocked(coll string, a retrieval.Article) *fakeArticle {
	e.nextID++
	a.ID, a.Collection = e.nextID, coll
	a.Hash = fmt.Sprintf("%x", sha256.Sum256([]byte(a.Text)))
	fa := &fakeArticle{art: a}
	off := 0
	for i, para := range strings.Split(a.Text, "\n\n") {
		e.nextID++
		fa.chunks = append(fa.chunks, fakeChunk{ID: e.nextID, ArticleID: a.ID, Ordinal: i,
			Start: off, End: off + len(para), Text: para})
		off += len(para) + 2
	}
	fa.art.Passages = len(fa.chunks)
	e.cols[coll] = append(e.cols[coll], fa)
	return fa
}

func (e *fakeEngine) store(coll string, a retrieval.Article) (*retrieval.AddedArticle, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	hash := fmt.Sprintf("%x", sha256.Sum256([]byte(a.Text)))
	for i, fa := range e.cols[coll] {
		switch {
		case fa.art.URL == a.URL && fa.art.Hash == hash:
			return &retrieval.AddedArticle{Article: fa.art, Passages: len(fa.chunks), Status: retrieval.StatusUnchanged}, nil
		case fa.art.URL == a.URL: // new text at the same address replaces the article
			e.cols[coll] = slices.Delete(e.cols[coll], i, i+1)
			fa := e.addLocked(coll, a)
			return &retrieval.AddedArticle{Article: fa.art, Passages: len(fa.chunks), Status: retrieval.StatusUpdated}, nil
		case fa.art.Hash == hash:
			return &retrieval.AddedArticle{Article: a, Status: retrieval.StatusDuplicate, DuplicateOf: fa.art.URL},
				fmt.Errorf("%w: same text as %s", retrieval.ErrDuplicate, fa.art.URL)
		}
	}
	fa := e.addLocked(coll, a)
	return &retrieval.AddedArticle{Article: fa.art, Passages: len(fa.chunks), Status: retrieval.StatusAdded}, nil
}

func (e *fakeEngine) AddURL(_ context.Context, coll, rawURL, addedBy string) (*retrieval.AddedArticle, error) {
	switch {
	case strings.Contains(rawURL, "://10.") || strings.Contains(rawURL, "://localhost"):
		return nil, fmt.Errorf("fetch %s: %w", rawURL, retrieval.ErrBlockedAddr)
	case strings.Contains(rawURL, "huge."):
		return nil, fmt.Errorf("fetch %s: %w", rawURL, retrieval.ErrTooLarge)
	case strings.Contains(rawURL, "dbdown."): // as Engine.addOne says it when the database is gone
		return nil, fmt.Errorf("store %s: %w: failed to receive message: unexpected EOF", rawURL, retrieval.ErrUnavailable)
	}
	e.mu.Lock()
	p, ok := e.web[rawURL]
	e.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, retrieval.ErrFetch)
	}
	return e.store(coll, retrieval.Article{URL: rawURL, Title: p.title, Site: p.site, Published: p.published,
		Text: p.text, AddedBy: addedBy})
}

func (e *fakeEngine) AddFile(_ context.Context, coll, name string, data []byte, addedBy string) (*retrieval.AddedArticle, error) {
	text := strings.TrimSpace(string(data))
	if text == "" {
		return nil, retrieval.ErrEmptyArticle
	}
	title, _, _ := strings.Cut(text, "\n")
	added, err := e.store(coll, retrieval.Article{URL: retrieval.FileURL(name, data), Title: strings.TrimLeft(title, "# "),
		Text: text, AddedBy: addedBy})
	if err != nil {
		return added, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, fa := range e.cols[coll] {
		if u := fa.art.URL; u != added.Article.URL && strings.HasPrefix(u, "file:///") && path.Base(u) == path.Base(name) {
			added.SameName = append(added.SameName, u)
		}
	}
	return added, nil
}

func (e *fakeEngine) ListArticles(_ context.Context, coll, query string, offset, limit int) ([]retrieval.Article, int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var all []retrieval.Article
	for _, fa := range e.cols[coll] {
		q := strings.ToLower(query)
		if q == "" || strings.Contains(strings.ToLower(fa.art.Title+" "+fa.art.URL), q) {
			all = append(all, fa.art)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Published.After(all[j].Published) })
	total := len(all)
	if offset >= total {
		return nil, total, nil
	}
	return all[offset:min(total, offset+limit)], total, nil
}

func (e *fakeEngine) RemoveArticle(_ context.Context, coll, url, requester string, admin bool) (*retrieval.Article, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, fa := range e.cols[coll] {
		if fa.art.URL != url {
			continue
		}
		if !admin && fa.art.AddedBy != requester {
			return nil, fmt.Errorf("remove %s: %w", url, retrieval.ErrForbidden)
		}
		e.cols[coll] = slices.Delete(e.cols[coll], i, i+1)
		a := fa.art
		return &a, nil
	}
	return nil, fmt.Errorf("article %s: %w", url, retrieval.ErrNotFound)
}

// PlanReindex plans to embed every article of coll, one passage each, unless planFunc
// says otherwise.
func (e *fakeEngine) PlanReindex(ctx context.Context, coll string) (retrieval.ReindexPlan, error) {
	e.mu.Lock()
	f := e.planFunc
	n := len(e.cols[coll])
	e.mu.Unlock()
	if f != nil {
		return f(ctx, coll)
	}
	return retrieval.ReindexPlan{Articles: n, Passages: n, ToEmbed: n, Space: "hash-256"}, nil
}

func (e *fakeEngine) Reindex(ctx context.Context, coll string, progress func(done, total int)) (retrieval.ReindexStats, error) {
	e.mu.Lock()
	e.reindexd = append(e.reindexd, coll)
	f := e.reindexFunc
	n := len(e.cols[coll])
	e.mu.Unlock()
	if f != nil {
		return f(ctx, coll, progress)
	}
	progress(n, n)
	return retrieval.ReindexStats{Articles: n, Passages: n, Embedded: n, Space: "hash-256", Took: time.Millisecond}, nil
}

func (e *fakeEngine) Passage(_ context.Context, coll string, chunkID int64) (*retrieval.PassageView, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, fa := range e.cols[coll] {
		for _, p := range fa.chunks {
			if p.ID == chunkID {
				return &retrieval.PassageView{Result: retrieval.Result{ChunkID: p.ID, ArticleID: fa.art.ID,
					URL: fa.art.URL, Title: fa.art.Title, Site: fa.art.Site, Published: fa.art.Published,
					Text: p.Text, Start: p.Start, End: p.End}, ArticleText: fa.art.Text}, nil
			}
		}
	}
	return nil, fmt.Errorf("passage %d: %w", chunkID, retrieval.ErrNotFound)
}

func (e *fakeEngine) RecordFeedback(_ context.Context, fb retrieval.Feedback) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.feedback = append(e.feedback, fb)
	return nil
}

// Ask quotes the sentences that share a word of four letters or more with the question.
func (e *fakeEngine) Ask(ctx context.Context, coll, question string, opts retrieval.AskOptions) (*retrieval.Answer, error) {
	e.mu.Lock()
	e.asks = append(e.asks, fakeAsk{coll, question, opts})
	e.nextQ++
	qid := e.nextQ
	f := e.askFunc
	e.mu.Unlock()
	if f != nil {
		a, err := f(ctx, coll, question, opts)
		if a != nil && a.QuestionID == 0 {
			a.QuestionID = qid
		}
		return a, err
	}
	if strings.TrimSpace(question) == "" {
		return nil, retrieval.ErrQuestionEmpty
	}
	var terms []string
	for _, w := range strings.Fields(strings.ToLower(question)) {
		if w = strings.Trim(w, "?.,!"); len(w) >= 4 {
			terms = append(terms, w)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ans := &retrieval.Answer{Mode: retrieval.ModeExtractive, QuestionID: qid, Retrieval: 2 * time.Millisecond, Took: 3 * time.Millisecond}
	var body []string
	for _, fa := range e.cols[coll] {
		for _, p := range fa.chunks {
			for _, s := range sentences(p.Text) {
				if len(ans.Citations) == 3 || !containsAny(strings.ToLower(s), terms) {
					continue
				}
				n := len(ans.Citations) + 1
				start := p.Start + strings.Index(p.Text, s)
				ans.Citations = append(ans.Citations, retrieval.Citation{N: n, ChunkID: p.ID, ArticleID: fa.art.ID,
					URL: fa.art.URL, Title: fa.art.Title, Site: fa.art.Site, Published: fa.art.Published,
					Quote: s, Start: start, End: start + len(s)})
				body = append(body, fmt.Sprintf("%s [%d]", s, n))
			}
		}
	}
	ans.Covered = len(ans.Citations) > 0
	ans.Text = strings.Join(body, " ")
	if !ans.Covered {
		for i, fa := range e.cols[coll] {
			if i == 3 {
				break
			}
			ans.Closest = append(ans.Closest, retrieval.Result{Rank: i + 1, ChunkID: fa.chunks[0].ID,
				ArticleID: fa.art.ID, URL: fa.art.URL, Title: fa.art.Title, Site: fa.art.Site,
				Published: fa.art.Published, Text: fa.chunks[0].Text})
		}
	}
	return ans, nil
}

func sentences(text string) []string {
	var out []string
	for _, s := range strings.SplitAfter(text, ". ") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func containsAny(s string, terms []string) bool {
	for _, t := range terms {
		if strings.Contains(s, t) {
			return true
		}
	}
	return false
}

func (e *fakeEngine) lastAsk() fakeAsk {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.asks) == 0 {
		return fakeAsk{}
	}
	return e.asks[len(e.asks)-1]
}

func (e *fakeEngine) allAsks() []fakeAsk {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.asks)
}

func (e *fakeEngine) askCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.asks)
}

func (e *fakeEngine) reindexCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.reindexd)
}

func (e *fakeEngine) feedbacks() []retrieval.Feedback {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.feedback)
}
