package retrieval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// recrawlRow is an article claimed for a recrawl: what fetching it again needs, and what
// the new version is compared with.
type recrawlRow struct {
	id                 int64
	coll, url          string
	fetchURL           string // "" means url
	etag, lastModified string
	hash, title        string
	recrawls           int        // recrawls the site answered so far: the step of the schedule
	failures           int        // recrawls in a row that failed
	goneSince          *time.Time // when the page was first found gone (404, 410); nil while online
}

// target is the URL to fetch.
func (r recrawlRow) target() string {
	if r.fetchURL != "" {
		return r.fetchURL
	}
	return r.url
}

// recrawlCols are the columns scanRecrawl reads, in its order.
const recrawlCols = `id, collection, url, fetch_url, etag, last_modified, content_hash, title,
	recrawls, recrawl_failures, gone_at`

func scanRecrawl(row pgx.Row) (recrawlRow, error) {
	var r recrawlRow
	err := row.Scan(&r.id, &r.coll, &r.url, &r.fetchURL, &r.etag, &r.lastModified, &r.hash, &r.title,
		&r.recrawls, &r.failures, &r.goneSince)
	return r, err
}

// scheduleRecrawl records that article id was fetched from the web (web): it is recrawled
// from now on (its next recrawl kept when it had one), with web's validators, and online.
func (t storeTx) scheduleRecrawl(ctx context.Context, coll string, id int64, web *webSource) error {
	if _, err := t.tx.Exec(ctx, `
		UPDATE articles SET recrawl_at = coalesce(recrawl_at, $2), fetch_url = $3, etag = $4,
			last_modified = $5, gone_at = NULL
		WHERE id = $1 AND collection = $6`, id, web.next, web.fetchURL, web.etag, web.lastModified, coll); err != nil {
		return fmt.Errorf("schedule recrawl: %w", err)
	}
	return nil
}

// claimDueArticle claims the article of coll ("" for every collection) that has waited
// longest past its recrawl time, for lease: no other claim gets it until the lease runs out
// or the recrawl is recorded. It returns false when none is due.
func (s *Store) claimDueArticle(ctx context.Context, coll string, lease time.Duration) (recrawlRow, bool, error) {
	var r recrawlRow
	// Across collections when coll is "": the recrawl job takes the most overdue article
	// of any collection, then records its recrawl in that article's own collection.
	// SKIP LOCKED lets concurrent claims pass each other's row instead of waiting for it;
	// a row claimed and committed meanwhile fails the lease test on recheck, and the scan
	// moves on to the next. articles_recrawl_due_idx gives the rows in recrawl_at order.
	_, err := s.query(ctx, collectionOrAll(coll), `
		UPDATE articles SET recrawl_lease = now() + make_interval(secs => $2)
		WHERE (id, collection) = (
			SELECT id, collection FROM articles
			WHERE recrawl_at <= now() AND ($1 = '' OR collection = $1)
			  AND (recrawl_lease IS NULL OR recrawl_lease <= now())
			ORDER BY recrawl_at
			LIMIT 1
			FOR UPDATE SKIP LOCKED)
		RETURNING `+recrawlCols, []any{coll, lease.Seconds()},
		oneRow(func(row pgx.Row) (err error) { r, err = scanRecrawl(row); return err }))
	if errors.Is(err, pgx.ErrNoRows) {
		return recrawlRow{}, false, nil
	}
	if err != nil {
		return recrawlRow{}, false, fmt.Errorf("claim an article to recrawl: %w", err)
	}
	return r, true, nil
}

// Why claimArticle could not claim an article that coll holds.
var (
	errNotFromWeb     = fmt.Errorf("%w: it was not added from a link (a file or an imported line), so there is nothing to fetch again", ErrInvalidInput)
	errRecrawlClaimed = fmt.Errorf("%w: it is being recrawled right now; try again in a few minutes", ErrInvalidInput)
)

// claimArticle claims coll's article stored under any of urls, due or not, for lease. It
// returns ErrNotFound when coll has none, errNotFromWeb when it is not recrawled, and
// errRecrawlClaimed when another recrawl holds it.
func (s *Store) claimArticle(ctx context.Context, coll string, urls []string, lease time.Duration) (recrawlRow, error) {
	var r recrawlRow
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		var id int64
		var web, claimed bool
		err := t.tx.QueryRow(ctx, `
			SELECT id, recrawl_at IS NOT NULL, coalesce(recrawl_lease > now(), false) FROM articles
			WHERE collection = $1 AND url = ANY($2) LIMIT 1 FOR UPDATE`, coll, urls).Scan(&id, &web, &claimed)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return ErrNotFound
		case err != nil:
			return err
		case !web:
			return errNotFromWeb
		case claimed:
			return errRecrawlClaimed
		}
		r, err = scanRecrawl(t.tx.QueryRow(ctx, `
			UPDATE articles SET recrawl_lease = now() + make_interval(secs => $2)
			WHERE id = $1 AND collection = $3 RETURNING `+recrawlCols, id, lease.Seconds(), coll))
		return err
	})
	if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, errNotFromWeb) && !errors.Is(err, errRecrawlClaimed) {
		return r, fmt.Errorf("claim article to recrawl: %w", err)
	}
	return r, err
}

// markRecrawlDue makes every recrawled article of coll that no recrawl holds due now, and
// returns how many.
func (s *Store) markRecrawlDue(ctx context.Context, coll string) (int, error) {
	tag, err := s.exec(ctx, in(coll), `
		UPDATE articles SET recrawl_at = now()
		WHERE collection = $1 AND recrawl_at IS NOT NULL
		  AND (recrawl_lease IS NULL OR recrawl_lease <= now())`, coll)
	if err != nil {
		return 0, fmt.Errorf("make articles due: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// countRecrawlDue returns how many articles of coll ("" for every collection) are due and
// free to claim.
func (s *Store) countRecrawlDue(ctx context.Context, coll string) (int, error) {
	var n int
	// Across collections when coll is "", as claimDueArticle.
	_, err := s.query(ctx, collectionOrAll(coll), `
		SELECT count(*) FROM articles
		WHERE recrawl_at <= now() AND ($1 = '' OR collection = $1)
		  AND (recrawl_lease IS NULL OR recrawl_lease <= now())`, []any{coll}, into(&n))
	if err != nil {
		return 0, fmt.Errorf("count articles due: %w", err)
	}
	return n, nil
}

// recrawlOutcome is what one recrawl found, as recordRecrawl stores it.
type recrawlOutcome struct {
	next time.Time
	// answered: the site answered (the page, a 304, or a 404/410): the schedule moves one
	// step and the failures in a row are reset. Otherwise the recrawl failed, with err.
	answered bool
	gone     bool   // the page answered 404 or 410
	err      string // why it failed; "" when answered
	// The validators to send next time.
	etag, lastModified string
}

// recordRecrawl stores the outcome o of the recrawl of coll's article id and releases its
// claim.
func (s *Store) recordRecrawl(ctx context.Context, coll string, id int64, o recrawlOutcome) error {
	return s.inCollection(ctx, coll, func(t storeTx) error { return t.recordRecrawl(ctx, coll, id, o) })
}

// recordRecrawl stores the outcome o of article id's recrawl and releases its claim. A page
// found gone keeps the date it was first found gone; a page that answers is online again.
func (t storeTx) recordRecrawl(ctx context.Context, coll string, id int64, o recrawlOutcome) error {
	if _, err := t.tx.Exec(ctx, `
		UPDATE articles SET recrawl_lease = NULL, recrawl_at = $2,
			recrawls = recrawls + CASE WHEN $3 THEN 1 ELSE 0 END,
			recrawl_failures = CASE WHEN $3 THEN 0 ELSE recrawl_failures + 1 END,
			recrawl_error = $5,
			checked_at = CASE WHEN $3 THEN now() ELSE checked_at END,
			gone_at = CASE WHEN $4 THEN coalesce(gone_at, now()) WHEN $3 THEN NULL ELSE gone_at END,
			etag = $6, last_modified = $7
		WHERE id = $1 AND collection = $8`, id, o.next, o.answered, o.gone, o.err, o.etag, o.lastModified, coll); err != nil {
		return fmt.Errorf("record recrawl: %w", err)
	}
	return nil
}

// releaseClaim hands coll's article id back, untouched, to the next claim.
func (s *Store) releaseClaim(ctx context.Context, coll string, id int64) error {
	if _, err := s.exec(ctx, in(coll), `UPDATE articles SET recrawl_lease = NULL WHERE id = $1 AND collection = $2`, id, coll); err != nil {
		return fmt.Errorf("release recrawl claim: %w", err)
	}
	return nil
}

// storedPassageText is one stored passage of an article: its id and text.
type storedPassageText struct {
	id   int64
	body string
}

// articlePassages returns the passages of coll's article id, in order.
func (s *Store) articlePassages(ctx context.Context, coll string, id int64) ([]storedPassageText, error) {
	var out []storedPassageText
	_, err := s.query(ctx, in(coll), `SELECT id, body FROM chunks WHERE article_id = $1 AND collection = $2 ORDER BY ordinal`, []any{id, coll},
		func(rows pgx.Rows) (err error) {
			out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedPassageText, error) {
				var p storedPassageText
				return p, r.Scan(&p.id, &p.body)
			})
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read passages of article %d: %w", id, err)
	}
	return out, nil
}

// textChange is a recrawled article's new version, for replaceText.
type textChange struct {
	id       int64
	oldHash  string  // the text the recrawl compared with: another writer's change wins
	article  Article // the new version: fields, Text and Hash
	passages []preparedPassage
	// keep[i] is the stored passage that passages[i] is, word for word (its postings and
	// vectors stay), or 0 for a new passage, whose Vector is set.
	keep []int64
}

// errChangedMeanwhile is an article whose text another writer changed while it was being
// recrawled; the recrawl leaves it as that writer left it.
var errChangedMeanwhile = errors.New("the article changed while it was recrawled")

// replaceText stores c, a recrawled article's new text, in one transaction, with its
// outcome o: passages that stayed word for word keep their rows (and so their postings
// and vectors in every space) at their new places; the others are deleted, and the new
// ones written with their postings and their vector in space. The statement triggers on
// chunks keep the collection's BM25 statistics right. It fails with ErrDuplicate when
// another article of coll has the new text, and errChangedMeanwhile when the stored text
// is no longer c.oldHash.
func (s *Store) replaceText(ctx context.Context, coll string, space Space, c textChange, o recrawlOutcome) error {
	err := s.inCollection(ctx, coll, func(t storeTx) error {
		var hash string
		err := t.tx.QueryRow(ctx, `SELECT content_hash FROM articles WHERE id = $1 AND collection = $2 FOR UPDATE`, c.id, coll).Scan(&hash)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if hash != c.oldHash {
			return errChangedMeanwhile
		}
		var dup string
		err = t.tx.QueryRow(ctx, `SELECT url FROM articles WHERE collection = $1 AND content_hash = $2 AND id <> $3 LIMIT 1`,
			coll, c.article.Hash, c.id).Scan(&dup)
		if err == nil {
			return fmt.Errorf("%w: same text as %s", ErrDuplicate, dup)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := t.movePassages(ctx, coll, c); err != nil {
			return err
		}
		if err := t.writeNewPassages(ctx, coll, space, c); err != nil {
			return err
		}
		// A page that no longer gives its date keeps the one it gave.
		if _, err := t.tx.Exec(ctx, `
			UPDATE articles SET title = $2, byline = $3, site = $4, published_at = coalesce($5, published_at),
				content_hash = $6, body = $7, updated_at = now()
			WHERE id = $1 AND collection = $8`, c.id, c.article.Title, c.article.Byline, c.article.Site, nullTime(c.article.Published),
			c.article.Hash, c.article.Text, coll); err != nil {
			return err
		}
		return t.recordRecrawl(ctx, coll, c.id, o)
	})
	if err != nil {
		return fmt.Errorf("store the new text of %s: %w", c.article.URL, err)
	}
	return nil
}

// movePassages deletes the passages of c's article that the new text does not keep, and
// gives the kept ones their new ordinals and offsets.
func (t storeTx) movePassages(ctx context.Context, coll string, c textChange) error {
	ids := []int64{} // not nil: "id <> ALL(NULL)" would delete nothing
	var ords, starts, ends []int32
	for i, id := range c.keep {
		if id != 0 {
			ids = append(ids, id)
			ords = append(ords, int32(i))
			starts, ends = append(starts, int32(c.passages[i].Start)), append(ends, int32(c.passages[i].End))
		}
	}
	// Postings and vectors of the deleted passages go with them (ON DELETE CASCADE).
	if _, err := t.tx.Exec(ctx, `DELETE FROM chunks WHERE article_id = $1 AND collection = $3 AND id <> ALL($2)`, c.id, ids, coll); err != nil {
		return fmt.Errorf("delete changed passages: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	// (article_id, ordinal) is unique and checked row by row, so the kept passages first
	// move out of the way, to negative ordinals, then to their places.
	if _, err := t.tx.Exec(ctx, `UPDATE chunks SET ordinal = -1 - ordinal WHERE article_id = $1 AND collection = $2`, c.id, coll); err != nil {
		return fmt.Errorf("move kept passages: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `
		UPDATE chunks c SET ordinal = v.ord, start_offset = v.s, end_offset = v.e
		FROM unnest($1::bigint[], $2::int[], $3::int[], $4::int[]) AS v(id, ord, s, e)
		WHERE c.collection = $5 AND c.id = v.id`, ids, ords, starts, ends, coll); err != nil {
		return fmt.Errorf("move kept passages: %w", err)
	}
	return nil
}

// writeNewPassages writes the passages of c that are new, with their postings and vectors.
func (t storeTx) writeNewPassages(ctx context.Context, coll string, space Space, c textChange) error {
	n := 0
	for _, id := range c.keep {
		if id == 0 {
			n++
		}
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
	for i, p := range c.passages {
		if c.keep[i] != 0 {
			continue
		}
		w.add(c.article, c.id, i, p, ids[k])
		k++
	}
	return t.insertPassageWrite(ctx, coll, space, &w)
}

// deleteArticleByID deletes coll's article id with its passages, postings and vectors.
func (s *Store) deleteArticleByID(ctx context.Context, coll string, id int64) error {
	if _, err := s.exec(ctx, in(coll), `DELETE FROM articles WHERE id = $1 AND collection = $2`, id, coll); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	return nil
}
