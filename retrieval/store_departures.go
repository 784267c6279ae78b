package retrieval

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// scheduleDeparture records that coll's server removed the bot at leftAt, to be deleted
// after deleteAfter. A collection already waiting keeps its first dates: a second
// GUILD_DELETE (another shard, a restart) does not push the deletion back. It fails only
// on a database error.
func (s *Store) scheduleDeparture(ctx context.Context, coll string, leftAt, deleteAfter time.Time) error {
	if _, err := s.exec(ctx, in(coll), `
		INSERT INTO guild_departures (collection, left_at, delete_after) VALUES ($1, $2, $3)
		ON CONFLICT (collection) DO NOTHING`, coll, leftAt, deleteAfter); err != nil {
		return fmt.Errorf("schedule deletion of %s: %w", coll, err)
	}
	return nil
}

// cancelDeparture forgets coll's scheduled deletion and reports whether one was waiting.
// It fails only on a database error.
func (s *Store) cancelDeparture(ctx context.Context, coll string) (bool, error) {
	tag, err := s.exec(ctx, in(coll), `DELETE FROM guild_departures WHERE collection = $1`, coll)
	if err != nil {
		return false, fmt.Errorf("cancel deletion of %s: %w", coll, err)
	}
	return tag.RowsAffected() > 0, nil
}

// dueDepartures returns the collections whose deletion time is at or before now, oldest
// first (guild_departures_due_idx). It fails only on a database error.
func (s *Store) dueDepartures(ctx context.Context, now time.Time) ([]string, error) {
	var out []string
	// Across collections: the sweep's question is which collections are due; each is then
	// deleted in a transaction of its own collection (deleteDeparted).
	_, err := s.query(ctx, allCollections, `
		SELECT collection FROM guild_departures WHERE delete_after <= $1 ORDER BY delete_after`,
		[]any{now}, func(rows pgx.Rows) error {
			var err error
			out, err = pgx.CollectRows(rows, pgx.RowTo[string])
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("list due deletions: %w", err)
	}
	return out, nil
}

// deleteDeparted deletes coll, its server's settings and its departure row, if the row is
// still due at now: a server that came back since dueDepartures listed it (its row
// cancelled) keeps its data, or what is left of it when it came back midway. The articles
// go batch at a time, each batch a transaction of its own that first checks the departure
// is still due (a collection with partitions of its own drops them, every article at once,
// in the first); the last transaction deletes the rest and the departure. A deletion cut
// off midway leaves the departure due, for the next sweep to carry on. It returns whether
// it deleted the collection, and how many articles went. It fails only on a database
// error.
func (s *Store) deleteDeparted(ctx context.Context, coll string, now time.Time, batch int) (deleted bool, articles int, err error) {
	for {
		var due, dropped bool
		var n int
		err := s.inCollection(ctx, coll, func(t storeTx) error {
			var err error
			if due, err = t.departureDue(ctx, coll, now); err != nil || !due {
				return err
			}
			// A collection with partitions of its own (migration 018) drops them, all its
			// articles in one short transaction: no batches are left to delete.
			if n, dropped, err = t.dropCollectionPartitions(ctx, coll); err != nil || dropped {
				return err
			}
			// Nobody searches a departed server's collection: its keyword index goes at
			// once rather than batch by batch.
			if err := t.dropKeywordIndex(ctx, coll); err != nil {
				return err
			}
			n, err = t.deleteArticleBatch(ctx, coll, batch)
			return err
		})
		if err != nil || !due {
			return false, articles, err
		}
		articles += n
		if dropped || n < batch {
			break
		}
	}
	err = s.inCollection(ctx, coll, func(t storeTx) error {
		tag, err := t.tx.Exec(ctx, `
			DELETE FROM guild_departures WHERE collection = $1 AND delete_after <= $2`, coll, now)
		if err != nil {
			return fmt.Errorf("delete departure of %s: %w", coll, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		deleted = true
		n, err := t.deleteCollection(ctx, coll) // articles added since the last batch, if any
		if err != nil {
			return err
		}
		articles += n
		if _, err := t.tx.Exec(ctx, `DELETE FROM guild_settings WHERE collection = $1`, coll); err != nil {
			return fmt.Errorf("delete settings of %s: %w", coll, err)
		}
		return nil
	})
	if err != nil {
		return false, articles, err
	}
	return deleted, articles, nil
}

// departureDue tells whether coll's deletion is still scheduled at or before now, and
// keeps it so until t ends: cancelling it (the server added footnote back) waits for t.
func (t storeTx) departureDue(ctx context.Context, coll string, now time.Time) (bool, error) {
	var due bool
	err := t.tx.QueryRow(ctx, `
		SELECT true FROM guild_departures WHERE collection = $1 AND delete_after <= $2 FOR SHARE`,
		coll, now).Scan(&due)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check deletion of %s: %w", coll, err)
	}
	return due, nil
}

// deleteArticleBatch deletes up to n articles of coll (their passages, postings and
// vectors go with them: ON DELETE CASCADE) and returns how many it deleted. It takes them
// newest first, in the order of articles_published_idx, so that the planner can read each
// batch off that index instead of sorting the whole collection.
func (t storeTx) deleteArticleBatch(ctx context.Context, coll string, n int) (int, error) {
	tag, err := t.tx.Exec(ctx, `
		DELETE FROM articles WHERE collection = $1 AND id IN (
			SELECT id FROM articles WHERE collection = $1
			ORDER BY published_at DESC NULLS LAST, id DESC LIMIT $2)`, coll, n)
	if err != nil {
		return 0, fmt.Errorf("delete articles of %s: %w", coll, err)
	}
	return int(tag.RowsAffected()), nil
}

// guildCollections lists the collections named by a Discord server id that hold
// articles, settings or feeds, each with whether its deletion is scheduled. A server whose
// members only asked questions (no article was ever stored) is left out: finding those
// would read the whole questions table, which has no index on its collection alone. It
// fails only on a database error.
func (s *Store) guildCollections(ctx context.Context) ([]GuildCollection, error) {
	// Each arm reads a primary key or a small table; the regular expression keeps the
	// command line's collections ("default", names given to --collection) out.
	var out []GuildCollection
	_, err := s.query(ctx, allCollections, `
		SELECT c.collection, d.collection IS NOT NULL
		FROM (SELECT name AS collection FROM collections
		      UNION SELECT collection FROM guild_settings
		      UNION SELECT collection FROM feeds) c
		LEFT JOIN guild_departures d USING (collection)
		WHERE c.collection ~ '^[0-9]{1,20}$'
		ORDER BY c.collection`, nil, func(rows pgx.Rows) error {
		var err error
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (GuildCollection, error) {
			var g GuildCollection
			return g, r.Scan(&g.Collection, &g.Leaving)
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list server collections: %w", err)
	}
	return out, nil
}
