package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
	"github.com/footnote-bot/footnote/retrieval/text"
)

// renamed is an embedder under a model name of the test's own, so the embedding space it
// fills is the test's alone: what a reindex deletes then depends on nothing else in the
// shared test database.
type renamed struct {
	embed.Embedder
	model string
}

func (r renamed) Model() string { return r.model }

// servedModel names the offline embedder wrapped as a model on a server (renamed), for
// tests of the dense arm: the offline embedder's own space has none (hashDenseArm).
const servedModel = "test-served-model"

// failingEmbedder fails every Embed call after the first ok ones (ok < 0: never), as an
// embedding server that goes away in the middle of a reindex.
type failingEmbedder struct {
	embed.Embedder
	ok    atomic.Int64
	calls atomic.Int64
}

func (f *failingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if ok := f.ok.Load(); ok >= 0 && f.calls.Add(1) > ok {
		return nil, errors.New("embedding server unavailable")
	}
	return f.Embedder.Embed(ctx, texts)
}

// bulletins are n one-passage articles.
func bulletins(n int) []doc {
	var docs []doc
	for i := range n {
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/bulletin/%d", i), Title: fmt.Sprintf("Bulletin %d", i),
			Text: fmt.Sprintf("Bulletin %d: the ferry to island %d leaves at %d o'clock from pier %d.", i, i, i%12+1, i%7)})
	}
	return docs
}

// postingsOf is every posting of coll, one line each in a fixed order, to compare whole
// keyword indexes.
func postingsOf(t *testing.T, c *pgx.Conn, coll string) string {
	t.Helper()
	rows, err := c.Query(context.Background(), `
		SELECT p.term || ' ' || p.chunk_id || ' ' || p.tf || ' ' || p.doc_len || ' ' || ch.token_count
		FROM postings p JOIN chunks ch ON ch.id = p.chunk_id
		WHERE p.collection = $1 ORDER BY p.chunk_id, p.term`, coll)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

// uniqueModel is a model name no other test uses.
func uniqueModel(t *testing.T, prefix string) string {
	return prefix + "-" + retrievaltest.Collection(t)
}

func TestReindexResumesAnInterruptedKeywordRebuild(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t)
	retrieval.SetReindexBatches(e, 20, 25)
	importDocs(t, e, coll, bulletins(120)...)
	c := conn(t)
	fresh := postingsOf(t, c, coll)
	passages := count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll)
	// What an older tokeniser left behind: other counts, and no version stamp.
	age := func(t *testing.T) {
		t.Helper()
		for _, q := range []string{
			`UPDATE term_blocks b SET postings = (
			 SELECT footnote_pack_postings(array_agg(u.chunk_id ORDER BY u.chunk_id), array_agg(u.tf + 1 ORDER BY u.chunk_id),
			        array_agg(u.doc_len ORDER BY u.chunk_id))
			 FROM footnote_unpack_postings(b.first_id, b.postings) AS u)
			 WHERE collection = $1`,
			`UPDATE collections SET lexicon = 0 WHERE name = $1`,
		} {
			if _, err := c.Exec(ctx, q, coll); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	age(t)

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first, err := e.Reindex(cctx, coll, func(done, total int) {
		if done >= 50 {
			cancel() // killed after two batches of 25
		}
	})
	t.Run("a reindex cancelled after two batches keeps what they rebuilt, and where they got to", func(t *testing.T) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Reindex = %v, want it cancelled", err)
		}
		if first.Relexed != 50 {
			t.Errorf("Relexed = %d, want 50", first.Relexed)
		}
		mark := count(t, c, `SELECT id FROM chunks WHERE collection = $1 ORDER BY id OFFSET 49 LIMIT 1`, coll)
		if got := count(t, c, `SELECT coalesce(relex_after, 0) FROM collections WHERE name = $1`, coll); got != mark {
			t.Errorf("watermark at passage %d, want %d (the 50th)", got, mark)
		}
		if v := count(t, c, `SELECT lexicon FROM collections WHERE name = $1`, coll); v != 0 {
			t.Errorf("lexicon = %d before the rebuild finished, want 0", v)
		}
	})
	t.Run("the plan counts only the passages left", func(t *testing.T) {
		p, err := e.PlanReindex(ctx, coll)
		if err != nil || p.ToRelex != passages-50 || p.ToEmbed != 0 {
			t.Errorf("PlanReindex = %+v, %v; want %d to rebuild and none to embed", p, err, passages-50)
		}
	})
	second, err := e.Reindex(ctx, coll, nil)
	if err != nil {
		t.Fatalf("second Reindex: %v", err)
	}
	t.Run("the next reindex rebuilds only the passages left", func(t *testing.T) {
		if second.Relexed != passages-50 {
			t.Errorf("Relexed = %d, want %d", second.Relexed, passages-50)
		}
	})
	t.Run("the keyword index is the one a fresh import builds, each posting once", func(t *testing.T) {
		if got := postingsOf(t, c, coll); got != fresh {
			t.Error("postings after the resumed rebuild differ from a fresh import's")
		}
	})
	t.Run("the rebuilt blocks are packed: only a term's last block is short", func(t *testing.T) {
		if n := count(t, c, `SELECT count(*) FROM (SELECT term FROM term_blocks WHERE collection = $1 AND n < 128
			GROUP BY term HAVING count(*) > 1) short`, coll); n != 0 {
			t.Errorf("%d terms have several short blocks", n)
		}
	})
	t.Run("the collection is stamped and its watermark cleared", func(t *testing.T) {
		if v := count(t, c, `SELECT lexicon FROM collections WHERE name = $1`, coll); v != text.Version {
			t.Errorf("lexicon = %d, want %d", v, text.Version)
		}
		if n := count(t, c, `SELECT count(*) FROM collections WHERE name = $1 AND (relex_after IS NOT NULL OR relex_version IS NOT NULL)`, coll); n != 0 {
			t.Error("the watermark is still set")
		}
	})
	t.Run("a watermark left by another tokeniser version is ignored", func(t *testing.T) {
		age(t)
		if _, err := c.Exec(ctx, `UPDATE collections SET relex_version = $2, relex_after = 1 << 60 WHERE name = $1`, coll, text.Version-1); err != nil {
			t.Fatal(err)
		}
		st, err := e.Reindex(ctx, coll, nil)
		if err != nil || st.Relexed != passages {
			t.Fatalf("Reindex = %+v, %v; want all %d passages rebuilt", st, err, passages)
		}
		if got := postingsOf(t, c, coll); got != fresh {
			t.Error("postings differ from a fresh import's")
		}
	})
}

func TestReindexResumesEmbeddingThenDeletesTheOldSpace(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(32), uniqueModel(t, "old")}))
	docs := append(bulletins(99), doc{URL: "https://news.example/zeppelin", Title: "Sky sighting",
		Text: "A zeppelin was seen above the old mill on Sunday."})
	importDocs(t, oldEng, coll, docs...)
	failing := &failingEmbedder{Embedder: renamed{embed.NewHash(48), uniqueModel(t, "new")}}
	failing.ok.Store(2)
	newEng, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{Embedder: failing, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	retrieval.SetReindexBatches(newEng, 20, 500)
	c := conn(t)
	oldID, newID := oldEng.Space().ID, newEng.Space().ID
	vectors := func(space int) int {
		return count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, space)
	}
	active := func() int {
		return count(t, c, `SELECT coalesce(active_space, 0) FROM collections WHERE name = $1`, coll)
	}

	first, err := newEng.Reindex(ctx, coll, nil)
	t.Run("when the embedder fails, the batches before it are kept and the old space still serves", func(t *testing.T) {
		if err == nil || !strings.Contains(err.Error(), "embedding server unavailable") {
			t.Fatalf("Reindex = %v, want the embedder's error", err)
		}
		if first.Embedded != 40 || vectors(newID) != 40 {
			t.Errorf("Embedded = %d with %d vectors in the new space, want 40 (two batches)", first.Embedded, vectors(newID))
		}
		if active() != oldID || vectors(oldID) != 100 {
			t.Errorf("active space %d with %d old vectors, want %d with 100", active(), vectors(oldID), oldID)
		}
	})

	failing.ok.Store(-1) // the server is back
	second, err := newEng.Reindex(ctx, coll, nil)
	if err != nil {
		t.Fatalf("second Reindex: %v", err)
	}
	t.Run("the next reindex embeds only the passages left", func(t *testing.T) {
		if second.Embedded != 60 {
			t.Errorf("Embedded = %d, want 60", second.Embedded)
		}
	})
	t.Run("every passage has exactly one vector in the new space", func(t *testing.T) {
		odd := count(t, c, `
			SELECT count(*) FROM chunks ch WHERE ch.collection = $1
			  AND (SELECT count(*) FROM embeddings e WHERE e.chunk_id = ch.id AND e.space_id = $2) <> 1`, coll, newID)
		if odd != 0 || vectors(newID) != 100 {
			t.Errorf("%d passages without exactly one vector; %d vectors for 100 passages", odd, vectors(newID))
		}
	})
	t.Run("after the switch the old space's vectors are deleted", func(t *testing.T) {
		if active() != newID {
			t.Fatalf("active space %d, want %d", active(), newID)
		}
		if n := vectors(oldID); n != 0 || second.Deleted != 100 {
			t.Errorf("%d old vectors left, Deleted = %d; want 0 left and 100 deleted", n, second.Deleted)
		}
	})
	t.Run("the old space, which no collection uses any more, goes with its index", func(t *testing.T) {
		// At least this one: other spaces of the shared test database that nothing uses
		// go too.
		if second.SpacesDeleted < 1 {
			t.Errorf("SpacesDeleted = %d, want at least 1", second.SpacesDeleted)
		}
		if n := count(t, c, `SELECT count(*) FROM embedding_spaces WHERE id = $1`, oldID); n != 0 {
			t.Error("the old space's row is still there")
		}
		if n := count(t, c, `SELECT count(*) FROM pg_indexes WHERE indexname = $1`, fmt.Sprintf("embeddings_hnsw_%d", oldID)); n != 0 {
			t.Error("the old space's HNSW index is still there")
		}
	})
	t.Run("search still finds the passages, on both arms", func(t *testing.T) {
		if got := urls(search(t, newEng, coll, "zeppelin mill", 1, retrieval.Filter{})); len(got) == 0 || got[0] != "https://news.example/zeppelin" {
			t.Errorf("search = %v, want the zeppelin article", got)
		}
		got, err := retrieval.DenseURLs(ctx, newEng, coll, "zeppelin above the mill", 1, true)
		if err != nil || len(got) == 0 || got[0] != "https://news.example/zeppelin" {
			t.Errorf("dense arm = %v, %v; want the zeppelin article", got, err)
		}
	})
}

func TestReindexKeepsASpaceAnotherCollectionSearches(t *testing.T) {
	ctx := context.Background()
	oldEng, a := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(32), uniqueModel(t, "shared")}))
	b := retrievaltest.Collection(t)
	t.Cleanup(func() {
		if err := retrievaltest.RemoveServer(context.Background(), oldEng, b); err != nil {
			t.Error(err)
		}
	})
	importDocs(t, oldEng, a, bulletins(30)...)
	importDocs(t, oldEng, b, bulletins(20)...)
	newEng, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{
		Embedder: renamed{embed.NewHash(48), uniqueModel(t, "next")}, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	c := conn(t)
	oldID := oldEng.Space().ID
	vectors := func(coll string) int {
		return count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, oldID)
	}
	st, err := newEng.Reindex(ctx, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the reindexed collection's old vectors go, the other's stay with the space", func(t *testing.T) {
		if st.Deleted != 30 || vectors(a) != 0 {
			t.Errorf("Deleted = %d, %d left in a; want 30 and 0", st.Deleted, vectors(a))
		}
		if vectors(b) != 20 {
			t.Errorf("%d vectors of b in the old space, want 20", vectors(b))
		}
		if n := count(t, c, `SELECT count(*) FROM embedding_spaces WHERE id = $1`, oldID); n != 1 {
			t.Error("the old space was deleted while b searches it")
		}
	})
	t.Run("once the other collection is reindexed too, the space goes", func(t *testing.T) {
		st, err := newEng.Reindex(ctx, b, nil)
		if err != nil || st.Deleted != 20 || st.SpacesDeleted < 1 {
			t.Fatalf("Reindex(b) = %+v, %v; want 20 vectors and the space deleted", st, err)
		}
		if n := count(t, c, `SELECT count(*) FROM embedding_spaces WHERE id = $1`, oldID); n != 0 {
			t.Error("the old space's row is still there")
		}
	})
}
