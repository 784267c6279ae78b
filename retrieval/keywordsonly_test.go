package retrieval_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// testLog returns a logger into a buffer, and a function that returns the lines logged at
// level (e.g. "WARN") so far. The handler serialises the engine's writes, and each test
// reads only after the engine call that logged has returned.
func testLog() (*slog.Logger, func(level string) []string) {
	var buf bytes.Buffer
	lines := func(level string) []string {
		var out []string
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.Contains(line, "level="+level+" ") {
				out = append(out, line)
			}
		}
		return out
	}
	return slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), lines
}

var zeppelin = doc{URL: "https://news.example/zeppelin", Title: "Sky sighting", Text: "A zeppelin was seen above the old mill on Sunday."}

// askTimes asks question n times and fails the test unless every answer cites the article.
func askTimes(t *testing.T, e *retrieval.Engine, coll string, n int) {
	t.Helper()
	for range n {
		a, err := e.Ask(context.Background(), coll, "Where was the zeppelin seen?", retrieval.AskOptions{})
		if err != nil || !a.Covered || len(a.Citations) == 0 {
			t.Fatalf("Ask = %+v, %v; want an answer from the keywords", a, err)
		}
	}
}

func TestChangedModelSaysOnceToReindex(t *testing.T) {
	ctx := context.Background()
	oldEng, coll := retrievaltest.Engine(t) // the offline embedder at 256 dimensions
	importDocs(t, oldEng, coll, zeppelin)
	_, other := retrievaltest.Engine(t)
	importDocs(t, oldEng, other, zeppelin)

	log, logged := testLog()
	// A model on a server, as far as the engine knows (the hash embedder's own space has no
	// dense arm): never down, it counts the questions embedded.
	model := uniqueModel(t, "served")
	emb := &flakyEmbedder{Embedder: renamed{embed.NewHash(64), model}}
	newEng, err := retrieval.New(ctx, retrievaltest.Store(t), retrieval.Config{
		Embedder: emb, Answerer: answer.Extractive{}, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	want := "collection " + coll + " is indexed with model " + embed.HashModel + "/256 but FOOTNOTE_EMBED_MODEL and FOOTNOTE_EMBED_DIMS give " +
		model + "/64: answering on keywords only until `footnote reindex --collection " + coll + "` (or /reindex) runs"

	t.Run("many questions to a collection of another model give one warning naming the models and the fix", func(t *testing.T) {
		askTimes(t, newEng, coll, 3)
		search(t, newEng, coll, "zeppelin", 3, retrieval.Filter{})
		warns := logged("WARN")
		if len(warns) != 1 || !strings.Contains(warns[0], want) {
			t.Fatalf("warnings:\n%s\nwant one saying %q", strings.Join(warns, "\n"), want)
		}
		if n := emb.calls.Load(); n != 0 {
			t.Errorf("%d questions embedded, want none: the collection has no vectors in this model's space", n)
		}
	})
	t.Run("another collection of the old model gets its own warning", func(t *testing.T) {
		askTimes(t, newEng, other, 2)
		if warns := logged("WARN"); len(warns) != 2 || !strings.Contains(warns[1], "reindex --collection "+other) {
			t.Fatalf("warnings:\n%s\nwant a second one for %s", strings.Join(warns, "\n"), other)
		}
	})
	t.Run("after a reindex questions are embedded again and no more warnings come", func(t *testing.T) {
		if _, err := newEng.Reindex(ctx, coll, nil); err != nil {
			t.Fatal(err)
		}
		before := emb.calls.Load() // the reindex embedded the passages
		askTimes(t, newEng, coll, 2)
		if n := emb.calls.Load() - before; n != 2 {
			t.Errorf("%d questions embedded, want both: the dense arm runs once the collection is in this model's space", n)
		}
		if warns := logged("WARN"); len(warns) != 2 {
			t.Fatalf("warnings:\n%s\nwant still two", strings.Join(warns, "\n"))
		}
	})
}

// flakyEmbedder fails while down is set, like an embedding server that has gone away, and
// counts the calls (with down never set, it only counts).
type flakyEmbedder struct {
	embed.Embedder
	down  atomic.Bool
	calls atomic.Int32
}

func (f *flakyEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	f.calls.Add(1)
	if f.down.Load() {
		return nil, errors.New(`Post "http://127.0.0.1:11434/v1/embeddings": connection refused`)
	}
	return f.Embedder.Embed(ctx, texts)
}

func TestDeadEmbeddingServerSaysOnce(t *testing.T) {
	log, logged := testLog()
	emb := &flakyEmbedder{Embedder: renamed{embed.NewHash(0), servedModel}}
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb), func(c *retrieval.Config) { c.Log = log })
	importDocs(t, e, coll, zeppelin)
	const want = "cannot embed questions with " + servedModel + "/256: answering on keywords only until the embedding server answers again (is it running at OPENAI_BASE_URL?)"

	emb.down.Store(true)
	t.Run("questions while the server is down give one warning with the cause and the fix", func(t *testing.T) {
		askTimes(t, e, coll, 3)
		warns := logged("WARN")
		if len(warns) != 1 || !strings.Contains(warns[0], want) || !strings.Contains(warns[0], "connection refused") {
			t.Fatalf("warnings:\n%s\nwant one saying %q with the error", strings.Join(warns, "\n"), want)
		}
	})
	t.Run("after a failure questions skip the server instead of each waiting for it", func(t *testing.T) {
		before := emb.calls.Load()
		askTimes(t, e, coll, 3)
		if n := emb.calls.Load() - before; n != 0 {
			t.Errorf("%d calls to the embedder, want none until it is time to try again", n)
		}
	})
	t.Run("when it is time to try again one question does, and a failure is logged at debug level", func(t *testing.T) {
		retrieval.TryEmbedderNow(e)
		before := emb.calls.Load()
		askTimes(t, e, coll, 3)
		if n := emb.calls.Load() - before; n != 1 {
			t.Errorf("%d calls to the embedder, want one", n)
		}
		if warns, debugs := logged("WARN"), logged("DEBUG"); len(warns) != 1 || len(debugs) != 1 {
			t.Errorf("%d warnings and %d debug lines, want the second failure at debug level only", len(warns), len(debugs))
		}
	})
	t.Run("when the server is back the log says so once", func(t *testing.T) {
		emb.down.Store(false)
		retrieval.TryEmbedderNow(e)
		askTimes(t, e, coll, 2)
		if infos := logged("INFO"); len(infos) != 1 || !strings.Contains(infos[0], "embedding questions works again") {
			t.Fatalf("info lines:\n%s\nwant one saying embedding works again", strings.Join(infos, "\n"))
		}
	})
	t.Run("a second outage warns again", func(t *testing.T) {
		emb.down.Store(true)
		before := emb.calls.Load()
		askTimes(t, e, coll, 2)
		if n := emb.calls.Load() - before; n != 1 {
			t.Errorf("%d calls to the embedder, want one: the second question skips it", n)
		}
		if warns := logged("WARN"); len(warns) != 2 {
			t.Fatalf("warnings:\n%s\nwant two, one per outage", strings.Join(warns, "\n"))
		}
	})
}
