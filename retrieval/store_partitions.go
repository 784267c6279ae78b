package retrieval

import (
	"context"
	"fmt"
)

// partitionCollection gives coll partitions of its own (migration 018's
// footnote_partition_collection, run as the tables' owner) when it holds at least
// minPassages passages, and reports whether it did now. A collection that has them already,
// or is smaller, costs one cheap round trip. It fails on a database error, such as a
// lock_timeout while other transactions held the tables.
func (s *Store) partitionCollection(ctx context.Context, coll string, minPassages int) (bool, error) {
	var moved bool
	if _, err := s.query(ctx, in(coll), `SELECT footnote_partition_collection($1, $2)`,
		[]any{coll, minPassages}, into(&moved)); err != nil {
		return false, fmt.Errorf("give %s partitions of its own: %w", coll, err)
	}
	return moved, nil
}

// analyzeCollection gathers the planner's statistics of coll's own partitions
// (footnote_analyze_collection), after a move: outside the move's lock, so that no other
// collection's queries wait for it.
func (s *Store) analyzeCollection(ctx context.Context, coll string) error {
	if _, err := s.exec(ctx, in(coll), `SELECT footnote_analyze_collection($1)`, coll); err != nil {
		return fmt.Errorf("analyze %s's partitions: %w", coll, err)
	}
	return nil
}

// dropCollectionPartitions drops coll's own partitions in t (its articles, passages and
// keyword index go whole, its vectors are deleted), if it has them, and returns how many
// articles went and whether it had any: a collection without them is left as it is, for
// the row by row deletion. It fails only on a database error.
func (t storeTx) dropCollectionPartitions(ctx context.Context, coll string) (int, bool, error) {
	var n *int64
	if err := t.tx.QueryRow(ctx, `SELECT footnote_drop_collection_partitions($1)`, coll).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("drop the partitions of %s: %w", coll, err)
	}
	if n == nil {
		return 0, false, nil
	}
	return int(*n), true, nil
}
