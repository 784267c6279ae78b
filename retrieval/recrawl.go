package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval/extract"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// The default recrawl schedule: the wait before each recrawl of an article added from the
// web, the last repeating. News is corrected and updated most in its first hours, so the
// first recrawls come soon; a story a week old rarely changes, so later ones are monthly,
// which keeps the requests a collection sends a site low as it grows.
const (
	// DefaultRecrawlFirst: an hour after it is added, a story has had its first round of
	// corrections and its first "updated" paragraphs.
	DefaultRecrawlFirst = time.Hour
	// DefaultRecrawlSecond: a day later, the follow-ups of the first news cycle are in.
	DefaultRecrawlSecond = 24 * time.Hour
	// DefaultRecrawlThird: a week later, late corrections and editor's notes.
	DefaultRecrawlThird = 7 * 24 * time.Hour
	// DefaultRecrawlLater: then monthly, mostly to notice pages that went away. Sooner
	// notices a removed page sooner, at one request per article per step.
	DefaultRecrawlLater = 30 * 24 * time.Hour
)

// DefaultRecrawlSchedule returns the default schedule: DefaultRecrawlFirst,
// DefaultRecrawlSecond, DefaultRecrawlThird, then DefaultRecrawlLater over and over.
func DefaultRecrawlSchedule() []time.Duration {
	return []time.Duration{DefaultRecrawlFirst, DefaultRecrawlSecond, DefaultRecrawlThird, DefaultRecrawlLater}
}

// MinRecrawlStep is the shortest step a schedule may have: shorter would fetch one page
// more than once a minute, and one recrawl pass could meet the articles it just did.
const MinRecrawlStep = time.Minute

// recrawlLease is how long a claim on an article lasts: no other worker recrawls it
// meanwhile. It must outlast one fetch (20 s by default) and the embedding of an article's
// changed passages (a remote model's retries included); when a worker dies, its articles
// wait this long before another claims them.
const recrawlLease = 10 * time.Minute

// releaseGrace bounds the one statement that hands a claimed article back when a recrawl
// is stopped: enough for a healthy database; otherwise the claim runs out by itself.
const releaseGrace = 2 * time.Second

// Recrawl statuses besides StatusUnchanged, StatusUpdated and StatusFailed.
const (
	// StatusGone is an article whose page answered 404 or 410, kept and marked "no longer
	// online" (the server's gone_pages setting, GoneMark).
	StatusGone = "gone"
	// StatusRemoved is an article whose page answered 404 or 410, removed (GoneRemove).
	StatusRemoved = "removed"
)

// Recrawl is what fetching one article again did.
type Recrawl struct {
	Collection string
	URL        string
	Title      string
	// Status is StatusUnchanged (a 304, or the same text), StatusUpdated, StatusGone,
	// StatusRemoved or StatusFailed.
	Status      string
	NotModified bool // the site answered 304
	Passages    int  // passages of the new text, when updated
	Embedded    int  // of them, those embedded anew; the others kept their vectors
	// Next is when the article is recrawled next; zero when it was removed.
	Next time.Time
	Err  error // why, when Status is StatusFailed
}

// RecrawlDue recrawls, one at a time, up to limit articles of every collection whose
// recrawl time has come (limit 0 or less: those due when it starts), oldest first, and
// returns what each recrawl did. Each article is claimed before it is fetched, so workers
// calling it at once never fetch the same article. A page that cannot be fetched or read
// is a Recrawl with StatusFailed (its next try backs off), not an error: the error is for
// the database, or ctx ending (with the recrawls done so far).
func (e *Engine) RecrawlDue(ctx context.Context, limit int) ([]Recrawl, error) {
	return e.recrawlPass(ctx, "", limit)
}

// RecrawlCollection recrawls the articles of coll that are due, or, with all, every
// article of coll added from the web (all of them are made due first), and returns what
// each recrawl did, as RecrawlDue does.
func (e *Engine) RecrawlCollection(ctx context.Context, coll string, all bool) ([]Recrawl, error) {
	if err := validCollection(coll); err != nil {
		return nil, err
	}
	if all {
		if _, err := e.store.markRecrawlDue(ctx, coll); err != nil {
			return nil, err
		}
	}
	return e.recrawlPass(ctx, coll, 0)
}

// Recrawl recrawls one article of coll (by its link, canonicalised), due or not. It
// returns ErrNotFound when coll does not hold it, and ErrInvalidInput when it was not
// added from a link (files and imported lines are not recrawled) or another recrawl holds
// it; a page that cannot be fetched is a Recrawl with StatusFailed.
func (e *Engine) Recrawl(ctx context.Context, coll, rawURL string) (*Recrawl, error) {
	raw := strings.TrimSpace(rawURL)
	urls := []string{raw}
	if canon, err := extract.Canonical(raw); err == nil {
		urls = append(urls, canon)
	}
	r, err := e.store.claimArticle(ctx, coll, urls, recrawlLease)
	if err != nil {
		return nil, fmt.Errorf("recrawl %s: %w", raw, err)
	}
	res := e.recrawl(ctx, r)
	return &res, nil
}

// recrawlPass recrawls up to limit due articles of coll ("" for every collection); limit
// 0 or less means those due when it starts, so that a pass ends even when steps are short.
func (e *Engine) recrawlPass(ctx context.Context, coll string, limit int) ([]Recrawl, error) {
	if limit <= 0 {
		n, err := e.store.countRecrawlDue(ctx, coll)
		if err != nil {
			return nil, err
		}
		limit = n
	}
	var out []Recrawl
	for len(out) < limit {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, ok, err := e.store.claimDueArticle(ctx, coll, recrawlLease)
		if err != nil {
			return out, err
		}
		if !ok {
			break
		}
		out = append(out, e.recrawl(ctx, r))
	}
	return out, nil
}

// recrawl fetches the claimed article r again, with its validators, and stores what it
// found: a 304 or the same text only moves the schedule; a new text replaces the old one;
// 404 and 410 mark or remove the article as its server's settings say; other failures
// back off. It releases the claim.
func (e *Engine) recrawl(ctx context.Context, r recrawlRow) Recrawl {
	res := Recrawl{Collection: r.coll, URL: r.url, Title: r.title}
	// Nobody waits on a recrawl: it takes its turn at the site (fetch.Unattended), and it
	// is a crawl, kept to the site's robots.txt (fetch.Crawling): a page the site closes to
	// crawlers is a failed recrawl, its next try backing off, and the article is kept as
	// it was.
	resp, err := e.cfg.Fetcher.FetchIf(fetch.Crawling(fetch.Unattended(ctx)), r.target(), fetch.Conditional{ETag: r.etag, LastModified: r.lastModified})
	if code := goneCode(err); code != 0 {
		return e.recrawlGone(ctx, r, res, code)
	}
	if err != nil {
		return e.recrawlFailed(ctx, r, res, err)
	}
	answered := recrawlOutcome{
		next: time.Now().Add(e.recrawlStep(r.recrawls + 1)), answered: true,
		etag: cmp.Or(resp.ETag, r.etag), lastModified: cmp.Or(resp.LastModifiedRaw, r.lastModified),
	}
	if resp.NotModified {
		res.Status, res.NotModified = StatusUnchanged, true
		return e.recordAnswered(ctx, r, res, answered)
	}
	// The validators of a 200 are the page's own: an old one must not stand for it.
	answered.etag, answered.lastModified = resp.ETag, resp.LastModifiedRaw
	doc, err := readPage(r.target(), resp)
	if err != nil {
		return e.recrawlFailed(ctx, r, res, err)
	}
	a := articleOf(doc, "")
	a.URL = r.url // the article stays where it is, whatever the page now claims
	p, err := e.prepare(a)
	if err != nil {
		return e.recrawlFailed(ctx, r, res, err)
	}
	if p.Article.Hash == r.hash && p.Article.Title == r.title {
		res.Status = StatusUnchanged
		return e.recordAnswered(ctx, r, res, answered)
	}
	return e.recrawlChanged(ctx, r, res, p, answered)
}

// recrawlChanged stores the new version p of article r: only the passages whose text (or
// whose article's title) changed are embedded again.
func (e *Engine) recrawlChanged(ctx context.Context, r recrawlRow, res Recrawl, p prepared, o recrawlOutcome) Recrawl {
	old, err := e.store.articlePassages(ctx, r.coll, r.id)
	if err != nil {
		return e.recrawlFailed(ctx, r, res, err)
	}
	c := textChange{id: r.id, oldHash: r.hash, article: p.Article, passages: p.Passages, keep: make([]int64, len(p.Passages))}
	// A passage is kept when the new text has it word for word, under the same title:
	// the title is part of every passage's terms and of the text embedded.
	if p.Article.Title == r.title {
		byText := make(map[string][]int64, len(old))
		for _, op := range old {
			byText[op.body] = append(byText[op.body], op.id)
		}
		for i, ps := range p.Passages {
			if ids := byText[p.Article.Text[ps.Start:ps.End]]; len(ids) > 0 {
				c.keep[i], byText[p.Article.Text[ps.Start:ps.End]] = ids[0], ids[1:]
			}
		}
	}
	var texts []string
	var fresh []int
	for i, ps := range p.Passages {
		if c.keep[i] == 0 {
			texts = append(texts, p.Article.Title+"\n"+p.Article.Text[ps.Start:ps.End])
			fresh = append(fresh, i)
		}
	}
	if len(texts) > 0 {
		vecs, err := e.cfg.Embedder.Embed(ctx, texts)
		if err != nil {
			return e.recrawlFailed(ctx, r, res, fmt.Errorf("embed passages: %w", err))
		}
		for k, i := range fresh {
			c.passages[i].Vector = vecs[k]
		}
	}
	err = e.withSpace(ctx, func(sp Space) error { return e.store.replaceText(ctx, r.coll, sp, c, o) })
	if err != nil {
		return e.recrawlFailed(ctx, r, res, err)
	}
	res.Status, res.Title, res.Next = StatusUpdated, p.Article.Title, o.next
	res.Passages, res.Embedded = len(p.Passages), len(texts)
	return res
}

// goneConfirm is how long a page that answered 404 must stay gone before its article is
// removed (GoneRemove): a site's outage, a botched deploy or a CDN's hiccup answers 404 for
// minutes or hours, and a removed article is lost to the server (its passages, its place
// in answers). A day, and at least one more recrawl that still finds it gone. A 410 says
// the page was removed on purpose (RFC 9110) and is not waited for.
const goneConfirm = 24 * time.Hour

// recrawlGone handles a page that answered 404 or 410: the article is removed when its
// server's settings say so (GoneRemove), at once for a 410 and for a 404 only once the
// page has been gone for goneConfirm; otherwise it is kept, marked gone, and recrawled on
// in case the page comes back.
func (e *Engine) recrawlGone(ctx context.Context, r recrawlRow, res Recrawl, code int) Recrawl {
	g, err := e.store.selectSettings(ctx, r.coll)
	if err != nil {
		return e.recrawlFailed(ctx, r, res, err)
	}
	next := time.Now().Add(e.recrawlStep(r.recrawls + 1))
	if g.GonePages == GoneRemove {
		confirmed := r.goneSince != nil && time.Since(*r.goneSince) >= goneConfirm
		if code == http.StatusGone || confirmed {
			if err := e.store.deleteArticleByID(ctx, r.coll, r.id); err != nil {
				return e.recrawlFailed(ctx, r, res, err)
			}
			res.Status = StatusRemoved
			return res
		}
		// Looked at again once it has been gone for a day, sooner if the schedule says.
		since := time.Now()
		if r.goneSince != nil {
			since = *r.goneSince
		}
		if confirm := since.Add(goneConfirm); confirm.Before(next) {
			next = confirm
		}
	}
	res.Status = StatusGone
	return e.recordAnswered(ctx, r, res, recrawlOutcome{
		next: next, answered: true, gone: true, etag: r.etag, lastModified: r.lastModified,
	})
}

// recordAnswered stores the outcome of a recrawl the site answered, and returns res with
// its next recrawl (or failed, when the database refused).
func (e *Engine) recordAnswered(ctx context.Context, r recrawlRow, res Recrawl, o recrawlOutcome) Recrawl {
	if err := e.store.recordRecrawl(ctx, r.coll, r.id, o); err != nil {
		res.Status, res.Err = StatusFailed, err
		return res
	}
	res.Next = o.next
	return res
}

// recrawlFailed records a failed recrawl of r (the wait to the next doubles with each
// failure in a row) and returns res as failed with err.
func (e *Engine) recrawlFailed(ctx context.Context, r recrawlRow, res Recrawl, err error) Recrawl {
	res.Status, res.Err = StatusFailed, err
	if ctx.Err() != nil {
		// Stopped, not failed: the article is handed back as it was, due, for the next pass.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseGrace)
		defer cancel()
		if serr := e.store.releaseClaim(rctx, r.coll, r.id); serr != nil {
			res.Err = errors.Join(err, serr)
		}
		return res
	}
	o := recrawlOutcome{next: time.Now().Add(e.recrawlBackoff(r.recrawls, r.failures+1)),
		err: oneLine(err.Error()), etag: r.etag, lastModified: r.lastModified}
	if serr := e.store.recordRecrawl(ctx, r.coll, r.id, o); serr != nil {
		// The claim runs out by itself; the article is tried again after it.
		res.Err = errors.Join(err, serr)
		return res
	}
	res.Next = o.next
	e.log.Debug("recrawl failed", "collection", r.coll, "url", r.url, "failures", r.failures+1, "err", err)
	return res
}

// goneCode is the status of a page that answered 404 Not Found or 410 Gone, or 0 when err
// is anything else.
func goneCode(err error) int {
	var se *fetch.StatusError
	if errors.As(err, &se) && (se.Code == http.StatusNotFound || se.Code == http.StatusGone) {
		return se.Code
	}
	return 0
}

// recrawlStep is the wait before the recrawl that follows n answered ones (0: the first,
// after the article is added): the schedule's nth step, its last one repeating.
func (e *Engine) recrawlStep(n int) time.Duration {
	s := e.cfg.RecrawlSchedule
	return s[min(max(n, 0), len(s)-1)]
}

// recrawlBackoff is the wait after the failures-th failed recrawl in a row of an article
// that had n answered recrawls: its current step, doubled per failure, at most the
// schedule's last step (but never less than the current step).
func (e *Engine) recrawlBackoff(n, failures int) time.Duration {
	step := e.recrawlStep(n)
	limit := max(step, e.cfg.RecrawlSchedule[len(e.cfg.RecrawlSchedule)-1])
	d := step
	for range failures {
		if d >= limit {
			break
		}
		d *= 2
	}
	return min(d, limit)
}
