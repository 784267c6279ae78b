package retrieval_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// remoteEmbedder is an offline embedder that says it is a model on a server (embed.Remote).
type remoteEmbedder struct{ renamed }

func (remoteEmbedder) Remote() bool { return true }

func TestAModelWiderThan2000DimensionsIsStoredAndIndexedAsHalfvec(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t)
	docs := append(bulletins(40), doc{URL: "https://news.example/zeppelin", Title: "Sky sighting",
		Text: "A zeppelin was seen above the old mill on Sunday."})
	importDocs(t, oldEng, coll, docs...)
	wide, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{
		Embedder: renamed{embed.NewHash(3000), uniqueModel(t, "wide")}, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatalf("New with a 3,000-dimension model: %v", err)
	}
	sp := wide.Space()
	if !sp.Half() {
		t.Fatalf("space %s is not halfvec", sp.Name())
	}
	if _, err := wide.Reindex(ctx, coll, nil); err != nil {
		t.Fatalf("Reindex: %v", err)
	}
	c := conn(t)
	passages := count(t, c, `SELECT count(*) FROM chunks WHERE collection = $1`, coll)
	t.Run("every vector is stored as halfvec", func(t *testing.T) {
		half := count(t, c, `SELECT count(*) FROM embeddings WHERE space_id = $1 AND embedding_half IS NOT NULL AND embedding IS NULL`, sp.ID)
		dims := count(t, c, `SELECT coalesce(max(vector_dims(embedding_half)), 0) FROM embeddings WHERE space_id = $1`, sp.ID)
		if half != passages || dims != 3000 {
			t.Errorf("%d halfvec vectors of %d dimensions, want %d of 3000", half, dims, passages)
		}
	})
	t.Run("the space's HNSW index is on halfvec", func(t *testing.T) {
		var def string
		if err := c.QueryRow(ctx, `SELECT indexdef FROM pg_indexes WHERE indexname = $1`, fmt.Sprintf("embeddings_hnsw_%d", sp.ID)).Scan(&def); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(def, "halfvec(3000)") || !strings.Contains(def, "halfvec_cosine_ops") {
			t.Errorf("index = %s, want halfvec(3000) with halfvec_cosine_ops", def)
		}
	})
	for _, exact := range []bool{true, false} {
		name := "the dense arm finds the passage by an exact scan"
		if !exact {
			name = "the dense arm finds the passage as a large collection's query would"
		}
		t.Run(name, func(t *testing.T) {
			got, err := retrieval.DenseURLs(ctx, wide, coll, "zeppelin above the old mill", 3, exact)
			if err != nil || len(got) == 0 || got[0] != "https://news.example/zeppelin" {
				t.Errorf("dense arm = %v, %v; want the zeppelin article first", got, err)
			}
		})
	}
	t.Run("a new article is stored as halfvec too, and found", func(t *testing.T) {
		importDocs(t, wide, coll, doc{URL: "https://news.example/heron", Title: "River birds",
			Text: "A grey heron nested under the railway bridge this spring."})
		n := count(t, c, `
			SELECT count(*) FROM embeddings e JOIN chunks ch ON ch.id = e.chunk_id JOIN articles a ON a.id = ch.article_id
			WHERE a.url = $1 AND a.collection = $2 AND e.space_id = $3 AND e.embedding_half IS NOT NULL`,
			"https://news.example/heron", coll, sp.ID)
		if n != 1 {
			t.Errorf("%d halfvec vectors for the new article, want 1", n)
		}
		if got := urls(search(t, wide, coll, "heron railway bridge", 1, retrieval.Filter{})); len(got) == 0 || got[0] != "https://news.example/heron" {
			t.Errorf("search = %v, want the heron article", got)
		}
	})
}

func TestALargeCollectionsDenseQueryCanWalkItsSpacesIndex(t *testing.T) {
	for _, tt := range []struct {
		name string
		dims int
	}{
		{"a vector space of 64 dimensions", 64},
		{"a halfvec space of 3,000 dimensions", 3000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(tt.dims), uniqueModel(t, "plan")}))
			importDocs(t, e, coll, bulletins(3)...)
			plan, err := retrieval.ExplainDense(context.Background(), e, coll, "ferry")
			if err != nil {
				t.Fatal(err)
			}
			// The default partition's index of the space (migration 020).
			if idx := fmt.Sprintf("embeddings_default_hnsw_%d", e.Space().ID); !strings.Contains(plan, idx) {
				t.Errorf("plan does not use %s:\n%s", idx, plan)
			}
		})
	}
}

func TestAModelWiderThan4000DimensionsIsRefusedBeforeAnyWork(t *testing.T) {
	ctx := context.Background()
	model := uniqueModel(t, "huge")
	_, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{
		Embedder: renamed{embed.NewHash(5000), model}, Answerer: answer.Extractive{}})
	t.Run("with an error that says why", func(t *testing.T) {
		if !errors.Is(err, retrieval.ErrTooManyDims) {
			t.Fatalf("New = %v, want ErrTooManyDims", err)
		}
		for _, want := range []string{model, "5000-dimensional", "at most 4000", "halfvec"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not say %q", err, want)
			}
		}
	})
	t.Run("having created nothing", func(t *testing.T) {
		if n := count(t, conn(t), `SELECT count(*) FROM embedding_spaces WHERE model = $1`, model); n != 0 {
			t.Errorf("%d spaces created for the refused model", n)
		}
	})
}

func TestPlanReindexEstimatesTheTokensToEmbed(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t)
	docs := []doc{
		{URL: "https://news.example/zurich", Title: "Zürich trams", Text: "Zürich orders forty new trams for the lake routes."},
		{URL: "https://news.example/ferry", Title: "Ferry", Text: "The night ferry returns in May."},
		{URL: "https://news.example/mill", Title: "Old mill", Text: "The old mill reopens as a bakery."},
	}
	importDocs(t, oldEng, coll, docs...)
	// Each is one passage; the embedder is sent its title, a newline and its text.
	chars := 0
	for _, d := range docs {
		chars += utf8.RuneCountInString(d.Title + "\n" + d.Text)
	}
	wantTokens := (chars + 3) / 4
	remote, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{
		Embedder: remoteEmbedder{renamed{embed.NewHash(24), uniqueModel(t, "remote")}}, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("before a reindex, the plan counts the passages and estimates their tokens at four characters each", func(t *testing.T) {
		p, err := remote.PlanReindex(ctx, coll)
		if err != nil {
			t.Fatal(err)
		}
		want := retrieval.ReindexPlan{Articles: 3, Passages: 3, ToEmbed: 3, Tokens: wantTokens, Remote: true, Space: remote.Space().Name()}
		if p != want {
			t.Errorf("PlanReindex = %+v, want %+v", p, want)
		}
	})
	t.Run("the reindex reports the same estimate for what it sent", func(t *testing.T) {
		st, err := remote.Reindex(ctx, coll, nil)
		if err != nil || st.Tokens != wantTokens {
			t.Errorf("Reindex = %+v, %v; want Tokens %d", st, err, wantTokens)
		}
	})
	t.Run("afterwards nothing is left to embed", func(t *testing.T) {
		p, err := remote.PlanReindex(ctx, coll)
		if err != nil || p.ToEmbed != 0 || p.Tokens != 0 || p.Total() != 0 {
			t.Errorf("PlanReindex = %+v, %v; want nothing to do", p, err)
		}
	})
	t.Run("the offline embedder is not remote", func(t *testing.T) {
		p, err := oldEng.PlanReindex(ctx, coll)
		if err != nil || p.Remote {
			t.Errorf("PlanReindex = %+v, %v; want Remote false", p, err)
		}
	})
}

func TestAnEngineWhoseSpaceWasDeletedCreatesItAgain(t *testing.T) {
	ctx := context.Background()
	stale, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(16), uniqueModel(t, "stale")}))
	before := stale.Space()
	// Another collection's reindex deletes the spaces nothing uses: stale's has no vector
	// yet and no collection searches it.
	other, otherColl := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(16), uniqueModel(t, "other")}))
	importDocs(t, other, otherColl, bulletins(3)...)
	next, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{
		Embedder: renamed{embed.NewHash(24), uniqueModel(t, "next")}, Answerer: answer.Extractive{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := next.Reindex(ctx, otherColl, nil); err != nil {
		t.Fatal(err)
	}
	c := conn(t)
	if n := count(t, c, `SELECT count(*) FROM embedding_spaces WHERE id = $1`, before.ID); n != 0 {
		t.Fatalf("the unused space %s was not deleted", before.Name())
	}
	t.Run("the next write creates the space again and stores its vectors there", func(t *testing.T) {
		importDocs(t, stale, coll, bulletins(2)...)
		after := stale.Space()
		if after.ID == before.ID || after.Name() != before.Name() {
			t.Fatalf("space after the write = %+v, want %s under a new id", after, before.Name())
		}
		if n := count(t, c, `SELECT count(*) FROM embeddings WHERE collection = $1 AND space_id = $2`, coll, after.ID); n != 2 {
			t.Errorf("%d vectors in the recreated space, want 2", n)
		}
		if got := count(t, c, `SELECT coalesce(active_space, 0) FROM collections WHERE name = $1`, coll); got != after.ID {
			t.Errorf("active space %d, want %d", got, after.ID)
		}
	})
}
