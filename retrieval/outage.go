package retrieval

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// DefaultOutageWait is how long an import waits by default for an unreachable database to
// come back before it stops. A restart takes seconds and a managed database's failover
// usually under a minute; waiting longer would keep a script from learning of a real
// outage, and an import stopped by one resumes when it is run again.
const DefaultOutageWait = time.Minute

// The backoff between tries at an unreachable database: the first wait is short, since a
// restarted server takes connections again within a second or two; each next one doubles
// up to the longest, so a long outage costs a connection attempt every few seconds rather
// than a storm of them.
const (
	outageFirstRetry = 200 * time.Millisecond
	outageMaxRetry   = 5 * time.Second
)

// conflictRetries is how many more times a write runs after the database rolled it back
// for a conflict with a concurrent transaction (a deadlock or a serialization failure). The
// other transaction has finished by then, so the first retry nearly always goes through;
// the bound stops a pathological fight.
const conflictRetries = 3

// againOnConflict runs fn, and runs it again, at once and at most conflictRetries more
// times, while it fails with faultConflict. It returns fn's last error.
func againOnConflict(fn func() error) error {
	for try := 0; ; try++ {
		err := fn()
		if err == nil || try == conflictRetries || classify(err) != faultConflict {
			return err
		}
	}
}

// waitOutOutage runs fn, and while it fails because the database is out of reach, runs it
// again with backoff for up to wait in all. what names the work in the log: one warning
// when the outage starts, one note when the database is back. Past wait it fails with an
// error wrapping ErrUnavailable and fn's last error; any other error of fn, or ctx's,
// returns at once.
func waitOutOutage(ctx context.Context, log *slog.Logger, wait time.Duration, what string, fn func() error) error {
	var since time.Time
	backoff := outageFirstRetry
	committing := false // an attempt's COMMIT went unanswered: the work may be stored
	for {
		err := fn()
		committing = committing || errors.Is(err, ErrCommitUncertain)
		if err == nil {
			if !since.IsZero() {
				log.Info("the database is back", "work", what, "after", time.Since(since).Round(time.Millisecond))
			}
			return nil
		}
		if classifyIn(ctx, err) != faultUnavailable || ctx.Err() != nil {
			return err
		}
		if since.IsZero() {
			since = time.Now()
			log.Warn("the database is unavailable; trying again", "work", what, "for_up_to", wait, "err", err)
		}
		left := wait - time.Since(since)
		if left <= 0 {
			err = fmt.Errorf("%w: no answer for %s: %w", ErrUnavailable, time.Since(since).Round(100*time.Millisecond), err)
			if committing {
				err = uncertain{err}
			}
			return err
		}
		t := time.NewTimer(min(backoff, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, outageMaxRetry)
	}
}

// storeBatch writes batch to coll with its vectors in the configured space (through
// withSpace), running the transaction again when a concurrent one made the database roll it
// back. It fails as Store.storeBatch does.
func (e *Engine) storeBatch(ctx context.Context, coll string, batch []prepared) ([]AddedArticle, error) {
	for {
		var res []AddedArticle
		err := againOnConflict(func() error {
			return e.withSpace(ctx, func(sp Space) error {
				var err error
				res, err = e.store.storeBatch(ctx, coll, sp, batch)
				return err
			})
		})
		var ue *errUnembedded
		if !errors.As(err, &ue) {
			return res, err
		}
		// Articles stored unchanged when the batch was prepared, changed since by another
		// writer: embedded now, and the batch stored again. Each round embeds the articles
		// it names, so this ends.
		pick := make([]prepared, 0, len(ue.articles))
		for _, i := range ue.articles {
			batch[i].unembedded = false
			pick = append(pick, batch[i]) // shares batch[i]'s passages, which get the vectors
		}
		if err := e.embedBatch(ctx, pick); err != nil {
			return nil, err
		}
	}
}

// storeBatchWaiting is storeBatch that also waits out a database outage of up to
// cfg.OutageWait, for an import, which has no one waiting on each line. Past the wait it
// fails with an error wrapping ErrUnavailable.
func (e *Engine) storeBatchWaiting(ctx context.Context, coll string, batch []prepared) ([]AddedArticle, error) {
	var res []AddedArticle
	what := fmt.Sprintf("import lines %d-%d", batch[0].Line, batch[len(batch)-1].Line)
	err := waitOutOutage(ctx, e.log, e.cfg.OutageWait, what, func() error {
		var err error
		res, err = e.storeBatch(ctx, coll, batch)
		return err
	})
	return res, err
}
