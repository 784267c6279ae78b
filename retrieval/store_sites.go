package retrieval

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// The Store shares what footnote's fetchers learn of web sites among its processes
// (fetch.Sites, migration 023): each site's robots.txt and each host's next turn. These
// tables hold no collection's rows, so their statements run in the every-collection scope,
// which row-level security does not concern.

var _ fetch.Sites = (*Store)(nil)

// sitesPruneEvery is how many writes pass between two prunes of the rows no fetch needs
// any more (robots.txt files read two days ago, turns an hour past).
const sitesPruneEvery = 256

// Robots returns what is stored of site's robots.txt: a copy read less than maxAge ago,
// or a failure to read it less than failedMaxAge ago (fetch.Sites).
func (s *Store) Robots(ctx context.Context, site string, maxAge, failedMaxAge time.Duration) (fetch.RobotsCopy, bool, error) {
	var c fetch.RobotsCopy
	var failure *string
	var secs float64
	_, err := s.query(ctx, allCollections, `
		SELECT body, allow_all, failure, status_code, status, extract(epoch FROM now() - read_at)::float8
		FROM site_robots
		WHERE site = $1 AND read_at > now() - CASE WHEN failure IS NULL THEN $2::interval ELSE $3::interval END`,
		[]any{site, maxAge, failedMaxAge}, into(&c.Body, &c.AllowAll, &failure, &c.Code, &c.Status, &secs))
	if errors.Is(err, pgx.ErrNoRows) {
		return fetch.RobotsCopy{}, false, nil
	}
	if err != nil {
		return fetch.RobotsCopy{}, false, fmt.Errorf("read robots.txt of %s: %w", site, err)
	}
	if failure != nil {
		c.Failure = *failure
		if c.Failure == "" {
			c.Failure = "unknown failure"
		}
	}
	c.Age = time.Duration(secs * float64(time.Second))
	return c, true, nil
}

// PutRobots stores what site's robots.txt said, or why it could not be read, now.
func (s *Store) PutRobots(ctx context.Context, site string, c fetch.RobotsCopy) error {
	body := c.Body
	if body == nil {
		body = []byte{}
	}
	var failure *string
	if c.Failure != "" {
		failure = &c.Failure
	}
	_, err := s.exec(ctx, allCollections, `
		INSERT INTO site_robots (site, body, allow_all, failure, status_code, status, read_at)
		VALUES ($1, $2, $3, $4, $5, $6, now())
		ON CONFLICT (site) DO UPDATE SET body = EXCLUDED.body, allow_all = EXCLUDED.allow_all,
			failure = EXCLUDED.failure, status_code = EXCLUDED.status_code, status = EXCLUDED.status,
			read_at = now()`,
		site, body, c.AllowAll, failure, c.Code, c.Status)
	if err != nil {
		return fmt.Errorf("store robots.txt of %s: %w", site, err)
	}
	s.pruneSites(ctx)
	return nil
}

// Turn books host's next fetch (fetch.Sites): an unattended fetch takes the host's next
// turn, an attended one begins now; the next turn is then delay after this one.
func (s *Store) Turn(ctx context.Context, host string, delay time.Duration, unattended bool) (time.Duration, error) {
	var secs float64
	_, err := s.query(ctx, allCollections, `
		INSERT INTO host_turns AS h (host, next_at) VALUES ($1, now() + $2::interval)
		ON CONFLICT (host) DO UPDATE SET next_at = CASE
			WHEN $3 THEN greatest(h.next_at, now()) + $2::interval
			ELSE greatest(h.next_at, now() + $2::interval) END
		RETURNING CASE WHEN $3 THEN greatest(extract(epoch FROM h.next_at - $2::interval - now()), 0)::float8 ELSE 0 END`,
		[]any{host, delay, unattended}, into(&secs))
	if err != nil {
		return 0, fmt.Errorf("take a turn at %s: %w", host, err)
	}
	s.pruneSites(ctx)
	return time.Duration(secs * float64(time.Second)), nil
}

// sitesWrites counts the writes to the site tables, for pruneSites.
var sitesWrites atomic.Uint64

// pruneSites deletes, every sitesPruneEvery writes, the robots.txt files no fetch may use
// and the turns long past. A failure is left for the next prune.
func (s *Store) pruneSites(ctx context.Context) {
	if sitesWrites.Add(1)%sitesPruneEvery != 0 {
		return
	}
	_, _ = s.exec(ctx, allCollections, `DELETE FROM site_robots WHERE read_at < now() - interval '2 days'`)
	_, _ = s.exec(ctx, allCollections, `DELETE FROM host_turns WHERE next_at < now() - interval '1 hour'`)
}
