package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestADepartedServerIsDeletedInBatchesAndACutSweepCarriesOn deletes a departed server of
// 300 articles 40 at a time. A row lock held on the article the sweep reaches last stops it
// in its last batch; cancelling it there (its job's timeout, a shutdown) keeps every batch
// before, and leaves the deletion scheduled for the next sweep, which finishes it.
func TestADepartedServerIsDeletedInBatchesAndACutSweepCarriesOn(t *testing.T) {
	const total, batch = 300, 40
	ctx := context.Background()
	dsn := retrievaltest.FreshDatabase(t) // RemoveDue sweeps every collection of its database
	e, coll := retrievaltest.EngineAt(t, dsn)
	retrieval.SetDepartureBatch(e, batch)
	docs := make([]doc, total)
	for i := range docs {
		docs[i] = doc{URL: fmt.Sprintf("https://quay.example/n/%d", i), Title: fmt.Sprintf("Quay note %d", i),
			Published: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format(time.DateOnly),
			Text:      fmt.Sprintf("Quay note %d: the harbour master moved berth %d for the ferry.", i, i)}
	}
	importDocs(t, e, coll, docs...)
	left := time.Now().Add(-retrieval.DefaultGuildGrace - time.Hour)
	if err := e.ScheduleRemoval(ctx, coll, left, retrieval.DefaultGuildGrace); err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, `INSERT INTO guild_settings (collection, members_add) VALUES ($1, false)`, coll); err != nil {
		t.Fatal(err)
	}
	counts := func() (articles, passages, postings, vectors, departures, settings int) {
		t.Helper()
		if err := c.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM articles WHERE collection = $1), (SELECT count(*) FROM chunks WHERE collection = $1),
			(SELECT count(*) FROM postings WHERE collection = $1), (SELECT count(*) FROM embeddings WHERE collection = $1),
			(SELECT count(*) FROM guild_departures WHERE collection = $1), (SELECT count(*) FROM guild_settings WHERE collection = $1)`,
			coll).Scan(&articles, &passages, &postings, &vectors, &departures, &settings); err != nil {
			t.Fatal(err)
		}
		return
	}

	t.Run("a sweep cut off in its last batch keeps the batches before it and the deletion scheduled", func(t *testing.T) {
		lock, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close(ctx)
		tx, err := lock.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		// The oldest article is the one the sweep (newest first) reaches last.
		if _, err := tx.Exec(ctx, `SELECT id FROM articles WHERE collection = $1
			ORDER BY published_at ASC NULLS FIRST, id ASC LIMIT 1 FOR UPDATE`, coll); err != nil {
			t.Fatal(err)
		}
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			_, err := e.RemoveDue(sctx, time.Now())
			done <- err
		}()
		left := total % batch // the last batch, which holds the locked article
		deadline := time.Now().Add(30 * time.Second)
		for a, _, _, _, _, _ := counts(); a != left; a, _, _, _, _, _ = counts() {
			if time.Now().After(deadline) {
				t.Fatalf("%d articles left, want the sweep to reach its last batch (%d)", a, left)
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if err := <-done; err == nil {
			t.Fatal("RemoveDue finished while an article of its last batch was locked")
		}
		_ = tx.Rollback(ctx)
		a, p, _, v, d, s := counts()
		if a != left || p == 0 || v == 0 || d != 1 || s != 1 {
			t.Errorf("after the cut: %d articles, %d passages, %d vectors, %d departures, %d settings; want %d articles with their passages and vectors, the deletion and the settings still there",
				a, p, v, d, s, left)
		}
	})
	t.Run("the next sweep carries on and deletes the rest", func(t *testing.T) {
		removed, err := e.RemoveDue(ctx, time.Now())
		if err != nil || !slices.Contains(removed, coll) {
			t.Fatalf("RemoveDue = %v, %v; want %s removed", removed, err, coll)
		}
		if a, p, po, v, d, s := counts(); a+p+po+v+d+s != 0 {
			t.Errorf("left: %d articles, %d passages, %d postings, %d vectors, %d departures, %d settings; want nothing", a, p, po, v, d, s)
		}
	})
}
