package retrieval

import (
	"context"
	"errors"
	"time"
)

// DefaultGuildGrace is how long a server's collection is kept after the server removes
// footnote (FOOTNOTE_GUILD_GRACE): long enough that a bot removed by mistake, or for a
// while, comes back to its articles; short enough that a server that left does not keep
// its data for ever.
const DefaultGuildGrace = 30 * 24 * time.Hour

// ScheduleRemoval schedules coll for deletion at leftAt+grace, because its server removed
// the bot at leftAt. A collection already scheduled keeps its first date. It fails only on
// a database error.
func (e *Engine) ScheduleRemoval(ctx context.Context, coll string, leftAt time.Time, grace time.Duration) error {
	return e.store.scheduleDeparture(ctx, coll, leftAt, leftAt.Add(grace))
}

// CancelRemoval cancels coll's scheduled deletion (its server added the bot again) and
// reports whether one was scheduled. It fails only on a database error.
func (e *Engine) CancelRemoval(ctx context.Context, coll string) (bool, error) {
	return e.store.cancelDeparture(ctx, coll)
}

// departureBatch is how many articles (with their passages, postings and vectors) one
// transaction of a departed server's deletion takes. Larger finishes a big server in fewer
// transactions; smaller holds its locks and writes its WAL in smaller pieces, keeps each
// transaction to a fraction of a second, and loses less work when the sweep is cut off.
const departureBatch = 500

// RemoveDue deletes every collection whose scheduled deletion is at or before now, and
// returns the collections it deleted. A collection's articles go departureBatch at a time,
// each batch in a transaction of its own, so a server with a large collection never holds
// one long transaction; the rest (its questions, feeds, settings and the departure itself)
// goes in a last one. A sweep cut off midway (its job's timeout, a shutdown) leaves the
// departure scheduled, and the next sweep carries on where it stopped. On a database error
// it returns what it deleted so far with the errors met; it goes on with the other
// collections after one fails.
func (e *Engine) RemoveDue(ctx context.Context, now time.Time) ([]string, error) {
	due, err := e.store.dueDepartures(ctx, now)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, coll := range due {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		ok, _, err := e.store.deleteDeparted(ctx, coll, now, e.departureBatch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			removed = append(removed, coll)
		}
	}
	return removed, errors.Join(errs...)
}

// GuildCollection is the collection of a Discord server with something stored in it.
type GuildCollection struct {
	Collection string // the server's id
	Leaving    bool   // its deletion is scheduled: the server removed footnote
}

// GuildCollections lists the collections of Discord servers that hold articles, settings
// or feeds, so that the bot can schedule the deletion of those whose server removed it
// while it was not listening (and cancel it for those back). It fails only on a database
// error.
func (e *Engine) GuildCollections(ctx context.Context) ([]GuildCollection, error) {
	return e.store.guildCollections(ctx)
}
