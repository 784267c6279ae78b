package retrieval_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestAnImportOfManyBatchesReportsEveryLineInOrder(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	// 300 lines, several batches prepared at once: every seventh is not JSON, line 150 and
	// line 200 carry a field footnote does not read, and line 100 is blank.
	var in strings.Builder
	for i := 1; i <= 300; i++ {
		switch {
		case i%7 == 0:
			in.WriteString("not json\n")
		case i == 100:
			in.WriteString("\n")
		case i == 150 || i == 200:
			fmt.Fprintf(&in, `{"url":"https://news.example/%d","text":"Bulletin %d: the ferry leaves at noon.","mood":"calm"}`+"\n", i, i)
		default:
			fmt.Fprintf(&in, `{"url":"https://news.example/%d","text":"Bulletin %d: the ferry leaves at noon."}`+"\n", i, i)
		}
	}
	var got []retrieval.LineReport
	st, err := e.Import(context.Background(), coll, strings.NewReader(in.String()), func(r retrieval.LineReport) { got = append(got, r) })
	if err != nil {
		t.Fatal(err)
	}
	t.Run("every line but the blank one is reported once, in order", func(t *testing.T) {
		want := 1
		for _, r := range got {
			if want == 100 {
				want++
			}
			if r.Line != want {
				t.Fatalf("line %d reported where %d was due", r.Line, want)
			}
			want++
		}
		if want != 301 || st.Lines != 299 {
			t.Errorf("reported up to line %d (%d lines), want 300 (299)", want-1, st.Lines)
		}
	})
	t.Run("exactly the bad lines fail", func(t *testing.T) {
		for _, r := range got {
			if bad := r.Line%7 == 0; bad != (r.Err != nil) {
				t.Errorf("line %d: error %v", r.Line, r.Err)
			}
		}
		if st.Failed != 42 || st.Added != 257 {
			t.Errorf("stats %+v, want 42 failed and 257 added", st)
		}
	})
	t.Run("an unread field is named once, on the first line that has it", func(t *testing.T) {
		for _, r := range got {
			named := strings.Contains(strings.Join(r.Warnings, " "), `"mood"`)
			if named != (r.Line == 150) {
				t.Errorf("line %d: warnings %q", r.Line, r.Warnings)
			}
		}
	})
}

func TestAnImportIntoANearlyEmptySpaceBuildsItsIndexAfterTheCopy(t *testing.T) {
	ctx := context.Background()
	e, coll := retrievaltest.Engine(t, retrievaltest.WithEmbedder(renamed{embed.NewHash(32), uniqueModel(t, "bulk")}))
	c := conn(t)
	idx := fmt.Sprintf("embeddings_hnsw_%d", e.Space().ID)
	hasIndex := func() bool { return count(t, c, `SELECT count(*) FROM pg_indexes WHERE indexname = $1`, idx) == 1 }
	if !hasIndex() {
		t.Fatalf("a new space of a model on a server has no index %s", idx)
	}
	var during atomic.Bool
	during.Store(true)
	var early atomic.Bool
	_, err := e.Import(ctx, coll, strings.NewReader(jsonl(t, bulletins(300)...)), func(r retrieval.LineReport) {
		switch r.Line {
		case 10: // in the first batch: a small import keeps the index
			early.Store(hasIndex())
		case 290: // in the fifth batch: four are stored
			during.Store(hasIndex())
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the index stays while the import is small", func(t *testing.T) {
		if !early.Load() {
			t.Error("the index was gone in the first batch")
		}
	})
	t.Run("the space has no index once the import is large", func(t *testing.T) {
		if during.Load() {
			t.Error("the index was there in the fifth batch")
		}
	})
	t.Run("the index is there after the import, over every vector", func(t *testing.T) {
		if !hasIndex() {
			t.Fatal("no index after the import")
		}
		plan, err := retrieval.ExplainDense(ctx, e, coll, "ferry")
		// The default partition's index of the space (migration 020).
		if part := fmt.Sprintf("embeddings_default_hnsw_%d", e.Space().ID); err != nil || !strings.Contains(plan, part) {
			t.Errorf("plan does not use %s (%v):\n%s", part, err, plan)
		}
	})
	t.Run("an import into a space of 3,200 vectors or more keeps its index", func(t *testing.T) {
		for _, wanted := range []bool{false, true} { // built once after the fill: seconds sooner
			if wanted {
				fillSpace(t, c, coll+"-big", e.Space().ID, 32, 3300)
			}
			if _, err := c.Exec(ctx, `SELECT footnote_space_index($1, $2)`, e.Space().ID, wanted); err != nil {
				t.Fatal(err)
			}
		}
		during.Store(false)
		more := bulletins(600)[300:]
		_, err := e.Import(ctx, coll, strings.NewReader(jsonl(t, more...)),
			func(r retrieval.LineReport) {
				if r.Line == 290 {
					during.Store(hasIndex())
				}
			})
		if err != nil || !during.Load() {
			t.Errorf("index there during the import: %v (%v)", during.Load(), err)
		}
	})
}
