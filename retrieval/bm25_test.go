package retrieval

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval/embed"
)

// This file tests the lexical arm alone: in a full search the reranker and the dense arm
// can hide a broken BM25. It cannot use retrievaltest (which imports this package), so it
// opens the same test database itself, with the same rule: fail under CI, else skip.

// noAnswers is an answerer for engines that are only searched.
type noAnswers struct{}

func (noAnswers) Answer(context.Context, Evidence) (*Answer, error) { return &Answer{}, nil }

func lexicalEngine(t *testing.T) (*Engine, string) {
	t.Helper()
	dsn := os.Getenv("FOOTNOTE_TEST_DATABASE_URL")
	if dsn == "" {
		dsn = "postgres://footnote@127.0.0.1:55432/footnote_test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store, err := OpenStore(ctx, dsn, 4)
	if err == nil {
		t.Cleanup(store.Close)
		err = migrations.Up(ctx, dsn, nil)
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("test database unavailable (run `make db`): %v", err)
		}
		t.Skipf("test database unavailable (run `make db`): %v", err)
	}
	e, err := New(ctx, store, Config{Embedder: embed.NewHash(0), Answerer: noAnswers{}})
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 4)
	rand.Read(b)
	coll := "t_lexical_" + hex.EncodeToString(b)
	t.Cleanup(func() {
		if _, err := e.RemoveCollection(context.Background(), coll); err != nil {
			t.Errorf("remove %s: %v", coll, err)
		}
	})
	return e, coll
}

type lexDoc struct{ url, title, text string }

func TestLexicalArmRanksLikeBM25(t *testing.T) {
	weather := lexDoc{"https://news.example/f1", "Weather notes", "Light rain fell over the valley on Sunday morning."}
	market := lexDoc{"https://news.example/f2", "Market notes", "Apple growers expect a good harvest this autumn."}
	tests := []struct {
		name  string
		docs  []lexDoc // imported in order: on a tie the first would rank first
		query string
		first string
		then  string
	}{
		{
			name: "of two passages of equal length, the one with more of the rare term wins (IDF)",
			docs: []lexDoc{
				{"https://news.example/common", "Meeting notes", "Council, council and council discussed the zeppelin."},
				{"https://news.example/rare", "Meeting notes", "Zeppelin, zeppelin and zeppelin discussed the council."},
				{"https://news.example/c1", "Parking", "The council met on Monday about parking."},
				{"https://news.example/c2", "Bins", "The council met on Tuesday about bins."},
				{"https://news.example/c3", "Trees", "The council met on Wednesday about trees."},
				weather, market,
			},
			query: "council zeppelin",
			first: "https://news.example/rare",
			then:  "https://news.example/common",
		},
		{
			name: "of two passages with the term once, the shorter wins (length normalisation)",
			docs: []lexDoc{
				{"https://news.example/long", "Airship visit", "The zeppelin landed. Residents gathered along the river bank, children " +
					"waved flags, vendors sold roasted chestnuts, and a brass band played marches until dusk."},
				{"https://news.example/short", "Airship visit", "The zeppelin landed near the mill."},
				weather, market,
			},
			query: "zeppelin",
			first: "https://news.example/short",
			then:  "https://news.example/long",
		},
		{
			name: "a term repeated twenty times loses to two distinct terms of equal weight (saturation)",
			docs: []lexDoc{
				{"https://news.example/spam", "Airship chant", strings.TrimSpace(strings.Repeat("zeppelin ", 20)) + "."},
				{"https://news.example/both", "Airship arrival", "The zeppelin moored at the harbour."},
				{"https://news.example/boats", "Boats", "Fishing boats left the harbour before dawn on Friday."},
				weather, market,
			},
			query: "zeppelin harbour",
			first: "https://news.example/both",
			then:  "https://news.example/spam",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e, coll := lexicalEngine(t)
			var file strings.Builder
			for _, d := range tt.docs {
				line, _ := json.Marshal(map[string]string{"url": d.url, "title": d.title, "text": d.text})
				file.Write(append(line, '\n'))
			}
			if st, err := e.Import(ctx, coll, strings.NewReader(file.String()), nil); err != nil || st.Added != len(tt.docs) {
				t.Fatalf("Import: %+v, %v", st, err)
			}
			q, err := e.store.lookupTerms(ctx, coll, tt.query)
			if err != nil {
				t.Fatal(err)
			}
			hits, err := e.store.lexical(ctx, coll, q, Filter{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				p, err := e.Passage(ctx, coll, h.chunkID)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p.URL)
			}
			i, j := slices.Index(got, tt.first), slices.Index(got, tt.then)
			if i != 0 || j < 0 {
				t.Errorf("lexical ranking for %q = %q, want %s first and %s after it", tt.query, got, tt.first, tt.then)
			}
		})
	}
}
