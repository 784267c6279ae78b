package retrieval_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// Every command and every bot process builds an engine (retrieval.New ensures its embedding
// space) while other processes may be importing. Starting must neither fail nor make a
// running import fail.
func TestNewEngineWhileAnImportWrites(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	importDocs(t, e, coll, doc{URL: "https://news.example/a", Text: "The ferry timetable changes on Monday."})
	chunk := search(t, e, coll, "ferry timetable", 1, retrieval.Filter{})[0].ChunkID
	store := retrievaltest.Store(t)
	cfg := retrieval.Config{Embedder: embed.NewHash(48), Answerer: answer.Extractive{}}
	first, err := retrieval.New(ctx, store, cfg) // the space exists before the race below
	if err != nil {
		t.Fatal(err)
	}

	// The import's transaction: it has written to embeddings (as its COPY does) and has not
	// yet written the vectors whose foreign key names the space.
	c := conn(t)
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `DELETE FROM embeddings WHERE chunk_id = -1`); err != nil {
		t.Fatal(err)
	}

	started := make(chan error, 1)
	go func() {
		_, err := retrieval.New(ctx, store, cfg)
		started <- err
	}()
	// Go on once the new engine has started, or is queued behind the import's lock.
	var newErr error
	done := false
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !done {
		select {
		case newErr = <-started:
			done = true
			continue
		case <-tick.C:
		}
		var waiting int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE relation = 'embeddings'::regclass AND NOT granted`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
	}

	vec := "[" + strings.TrimSuffix(strings.Repeat("0.1,", 48), ",") + "]"
	_, insErr := tx.Exec(ctx, `INSERT INTO embeddings (space_id, chunk_id, collection, embedding) VALUES ($1, $2, $3, $4::text::vector)`,
		first.Space().ID, chunk, coll, vec)
	if insErr == nil {
		insErr = tx.Commit(ctx)
	} else {
		tx.Rollback(ctx)
	}
	if !done {
		newErr = <-started
	}
	if insErr != nil {
		t.Errorf("the import's write failed while an engine started: %v", insErr)
	}
	if newErr != nil {
		t.Errorf("an engine could not start while an import wrote: %v", newErr)
	}
}
