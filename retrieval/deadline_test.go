package retrieval_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/oai"
	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// hungEmbedder embeds like the offline embedder until hang is set; then it answers only
// when its context ends, as a model server that accepted the request and never replied.
type hungEmbedder struct {
	embed.Embedder
	hang  atomic.Bool
	calls atomic.Int32
}

func (h *hungEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if !h.hang.Load() {
		return h.Embedder.Embed(ctx, texts)
	}
	h.calls.Add(1)
	<-ctx.Done()
	return nil, context.Cause(ctx)
}

func TestAskMeetsItsDeadline(t *testing.T) {
	const (
		// deadline leaves retrieval and the embedding of the question time to finish
		// first on a loaded machine running the tests with -race (with 300 ms, the hung
		// chat server was sometimes never reached: the deadline passed in retrieval).
		deadline = 2 * time.Second
		// margin is what Ask may take past its deadline: recording the question, and the
		// same loaded machine. A missed deadline takes the clients' own timeouts: a
		// minute for chat, 30 s for embeddings, far beyond deadline+margin.
		margin   = 2 * time.Second
		question = "When will the Westfield tram extension open?"
	)
	tests := []struct {
		name      string
		chat      *oaitest.Reply // nil: the extractive answerer
		hungEmbed bool
		wantChat  bool // the chat server sees the question
	}{
		{name: "a hung chat server gets an extractive answer that says the model was slow",
			chat: &oaitest.Reply{Delay: time.Minute}, wantChat: true},
		{name: "a hung embedding server gets an extractive answer that says the model was slow",
			hungEmbed: true},
		{name: "a hung embedding server leaves the chat model no time, and the answer says so",
			chat: &oaitest.Reply{Content: "The line opens in March 2027 [1]."}, hungEmbed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emb := &hungEmbedder{Embedder: renamed{embed.NewHash(0), servedModel}}
			opts := []retrievaltest.Option{retrievaltest.WithEmbedder(emb),
				func(c *retrieval.Config) { c.AnswerTimeout = deadline }}
			var srv *oaitest.Server
			if tt.chat != nil {
				srv = oaitest.New(t, *tt.chat)
				chat, err := answer.NewChat(answer.ChatConfig{Config: oai.Config{BaseURL: srv.URL}, Model: "test-model"})
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, retrievaltest.WithAnswerer(answer.NewLLM(chat, answer.Extractive{}, nil)))
			}
			e, coll := retrievaltest.Engine(t, opts...)
			importDocs(t, e, coll, newsCorpus...)
			emb.hang.Store(tt.hungEmbed)

			start := time.Now()
			a, err := ask(t, e, coll, question)
			took := time.Since(start)
			if err != nil || a == nil {
				t.Fatalf("Ask: %v", err)
			}
			if took > deadline+margin {
				t.Errorf("Ask took %v, want at most the deadline %v and %v more", took, deadline, margin)
			}
			if a.Mode != retrieval.ModeExtractive || !a.Covered || len(a.Citations) == 0 || a.Citations[0].URL != tramURL {
				t.Fatalf("Ask = mode %q, covered %v, %+v; want an extractive answer citing %s", a.Mode, a.Covered, a.Citations, tramURL)
			}
			if a.Note != retrieval.SlowModelNote {
				t.Errorf("Note = %q, want %q", a.Note, retrieval.SlowModelNote)
			}
			if tt.hungEmbed != (emb.calls.Load() == 1) {
				t.Errorf("the hung embedder was called %d times", emb.calls.Load())
			}
			if srv != nil && tt.wantChat != (len(srv.Requests()) > 0) {
				t.Errorf("the chat server saw %d requests, want some: %v", len(srv.Requests()), tt.wantChat)
			}
			if a.QuestionID == 0 {
				t.Error("question not recorded")
			}
		})
	}
}

// lateAnswerer stands in for an LLM whose answer came back at the deadline for model calls
// and did not check out: it waits for the deadline, then answers with the fallback, as
// answer.LLM does, with no error from the call (LLMErr nil).
type lateAnswerer struct{}

func (lateAnswerer) Answer(ctx context.Context, ev retrieval.Evidence) (*retrieval.Answer, error) {
	<-ctx.Done()
	ans, err := answer.Extractive{}.Answer(context.WithoutCancel(ctx), ev)
	if err == nil {
		ans.LLMFailed = true
	}
	return ans, err
}

func TestAskNotesASlowModelOnlyWhenItWasCutAndTheAnswerIsCovered(t *testing.T) {
	const deadline = 300 * time.Millisecond
	t.Run("a not-covered answer has no note, though the embedding server hung", func(t *testing.T) {
		emb := &hungEmbedder{Embedder: renamed{embed.NewHash(0), servedModel}}
		e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(emb),
			func(c *retrieval.Config) { c.AnswerTimeout = deadline })
		importDocs(t, e, coll, newsCorpus...)
		emb.hang.Store(true)
		a, err := ask(t, e, coll, "How do volcanoes form?")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if a.Covered || a.Note != "" || emb.calls.Load() != 1 {
			t.Errorf("Ask = covered %v, note %q, %d embedding calls; want not covered, no note, 1 call", a.Covered, a.Note, emb.calls.Load())
		}
	})
	t.Run("a model answer refused after the deadline passed is not blamed on a slow model", func(t *testing.T) {
		e, coll := retrievaltest.Engine(t, retrievaltest.WithAnswerer(lateAnswerer{}),
			func(c *retrieval.Config) { c.AnswerTimeout = deadline })
		importDocs(t, e, coll, newsCorpus...)
		a, err := ask(t, e, coll, "When will the Westfield tram extension open?")
		if err != nil || a == nil {
			t.Fatalf("Ask: %v", err)
		}
		if !a.Covered || !a.LLMFailed || a.Note != "" {
			t.Errorf("Ask = covered %v, LLMFailed %v, note %q; want a covered fallback answer without a note", a.Covered, a.LLMFailed, a.Note)
		}
	})
}

func TestAskBoundsItsDatabaseWorkByTheDeadline(t *testing.T) {
	const (
		deadline = 300 * time.Millisecond
		margin   = time.Second // as in TestAskMeetsItsDeadline
	)
	e, coll := retrievaltest.Engine(t, func(c *retrieval.Config) { c.AnswerTimeout = deadline })
	importDocs(t, e, coll, newsCorpus...)
	// Another session holds the term statistics: the question's first query waits on them.
	c := retrievaltest.Conn(t)
	ctx := context.Background()
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE term_stats IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	// Released in any case after the margin, so that an Ask that ignores the deadline
	// fails this test rather than hanging it.
	asked, released := make(chan struct{}), make(chan struct{})
	go func() {
		select {
		case <-asked:
		case <-time.After(deadline + 2*margin):
		}
		_ = tx.Rollback(ctx)
		close(released)
	}()
	start := time.Now()
	a, err := e.Ask(ctx, coll, "When will the Westfield tram extension open?", retrieval.AskOptions{})
	took := time.Since(start)
	close(asked)
	<-released
	if took > deadline+margin {
		t.Errorf("Ask took %v, want at most the deadline %v and %v more", took, deadline, margin)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Ask = %+v, %v; want the deadline's error", a, err)
	}
}

func TestModelReserveLeavesTheFallbackTime(t *testing.T) {
	tests := []struct {
		name     string
		deadline time.Duration
		want     time.Duration
	}{
		{"the default deadline keeps a tenth", retrieval.DefaultAnswerTimeout, 2 * time.Second},
		{"a long deadline keeps a tenth", 5 * time.Minute, 30 * time.Second},
		{"a 3 s deadline keeps a second", 3 * time.Second, time.Second},
		{"the shortest allowed deadline keeps half of itself", time.Second, 500 * time.Millisecond},
		{"a deadline under a second keeps half of it", 300 * time.Millisecond, 150 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retrieval.ModelReserve(tt.deadline); got != tt.want {
				t.Errorf("modelReserve(%v) = %v, want %v", tt.deadline, got, tt.want)
			}
		})
	}
}
