package retrieval

import (
	"context"
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

// deleteDeparted deletes coll, its server's settings and its departure row in one transaction, if the row is still
// due at now: a server that came back since dueDepartures listed it (its row cancelled)
// keeps its data. It returns whether it deleted, and how many articles went. It fails only
// on a database error.
func (s *Store) deleteDeparted(ctx context.Context, coll string, now time.Time) (deleted bool, articles int, err error) {
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
		if articles, err = t.deleteCollection(ctx, coll); err != nil {
			return err
		}
		if _, err := t.tx.Exec(ctx, `DELETE FROM guild_settings WHERE collection = $1`, coll); err != nil {
			return fmt.Errorf("delete settings of %s: %w", coll, err)
		}
		return nil
	})
	return deleted, articles, err
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
