package retrieval_test

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// benchArticles reads the first n lines of the shared BBC data set as an import file.
func benchArticles(b *testing.B, n int) []byte {
	b.Helper()
	// The shared folder beside the repository, or SHARED (as .ci/bench-scale takes it).
	shared := "../../shared"
	if d := os.Getenv("SHARED"); d != "" {
		shared = d
	}
	f, err := os.Open(filepath.Join(shared, "data", "bbc", "articles.jsonl"))
	if err != nil {
		b.Skipf("shared data not found: %v", err)
	}
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for i := 0; i < n && sc.Scan(); i++ {
		out.Write(sc.Bytes())
		out.WriteByte('\n')
	}
	return out.Bytes()
}

// BenchmarkImport measures importing 200 BBC articles into an empty collection: chunking,
// term counting, embedding and the COPY into Postgres.
func BenchmarkImport(b *testing.B) {
	data := benchArticles(b, 200)
	e, _ := retrievaltest.Engine(b)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		coll := retrievaltest.Collection(b)
		if _, err := e.Import(ctx, coll, bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := e.RemoveCollection(ctx, coll); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

var benchQuestions = []string{
	"What did the chancellor say about economic growth?",
	"Which film won the best picture award?",
	"How much did the mobile phone company make in profit?",
	"Who was appointed as the new England coach?",
	"When will the new broadband service launch?",
}

// searchEngine imports 1,000 BBC articles into a collection for the search benchmarks.
func searchEngine(b *testing.B) (*retrieval.Engine, string) {
	b.Helper()
	e, coll := retrievaltest.Engine(b)
	if _, err := e.Import(context.Background(), coll, bytes.NewReader(benchArticles(b, 1000)), nil); err != nil {
		b.Fatal(err)
	}
	return e, coll
}

// BenchmarkSearch measures one hybrid search (both arms, fusion, rerank) over 1,000 articles.
func BenchmarkSearch(b *testing.B) {
	e, coll := searchEngine(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := e.Search(ctx, coll, benchQuestions[i%len(benchQuestions)], 10, retrieval.Filter{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAsk measures a whole extractive answer, the question's record included.
func BenchmarkAsk(b *testing.B) {
	e, coll := searchEngine(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		if _, err := e.Ask(ctx, coll, benchQuestions[i%len(benchQuestions)], retrieval.AskOptions{}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkLexicalSearch measures the keyword arm alone (term statistics, blocks, pruning,
// top 50) over 1,000 articles, on the benchmark's questions and on one of common words.
func BenchmarkLexicalSearch(b *testing.B) {
	e, coll := searchEngine(b)
	ctx := context.Background()
	questions := append([]string{"What did the government say the new year would bring for people?"}, benchQuestions...)
	i := 0
	for b.Loop() {
		if _, err := retrieval.LexicalRanking(ctx, e, coll, questions[i%len(questions)], retrieval.Filter{}, 50,
			retrieval.FullReadPostings, retrieval.FilterSetMax); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
