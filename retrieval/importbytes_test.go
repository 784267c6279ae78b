package retrieval_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// longArticles are n distinct articles of about size bytes of text each.
func longArticles(n, size int) []doc {
	var docs []doc
	for i := range n {
		var b strings.Builder
		for p := 0; b.Len() < size; p++ {
			fmt.Fprintf(&b, "Report %d, part %d: the council of town %d met on day %d and voted %d to %d on the harbour plan, "+
				"which moves the ferry pier %d metres east and adds %d berths for fishing boats.\n\n",
				i, p, i, p, p%9+1, p%5, p*7+i, p%4+2)
		}
		docs = append(docs, doc{URL: fmt.Sprintf("https://news.example/long/%d", i), Title: fmt.Sprintf("Long report %d", i), Text: b.String()})
	}
	return docs
}

func TestAnImportOfLongArticlesHoldsBoundedBytes(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	// Articles of about 20 KB: by count alone, a transaction of 64-line batches would take
	// all 40 (800 KB) and reading would run several batches ahead of it.
	const batchBytes, txBytes, flightBytes = 50 << 10, 100 << 10, 200 << 10
	retrieval.SetImportLimits(e, 64, batchBytes, 16, txBytes, flightBytes)
	var held retrieval.ImportHeld
	retrieval.WatchImports(e, func(h retrieval.ImportHeld) { held = h })
	docs := longArticles(40, 20<<10)
	var lines []int
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := e.Import(ctx, coll, strings.NewReader(jsonl(t, docs...)), func(r retrieval.LineReport) {
		if r.Err != nil {
			t.Errorf("line %d: %v", r.Line, r.Err)
		}
		lines = append(lines, r.Line)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("every article is stored and reported in order", func(t *testing.T) {
		if st.Added != 40 || len(lines) != 40 {
			t.Fatalf("added %d, reported %d lines; want 40", st.Added, len(lines))
		}
		for i, n := range lines {
			if n != i+1 {
				t.Fatalf("line %d reported %d-th", n, i+1)
			}
		}
	})
	t.Run("the lines read and not yet stored never pass the flight budget", func(t *testing.T) {
		if held.FlightBytes == 0 || held.FlightBytes > flightBytes {
			t.Errorf("held %d line bytes at once; the budget is %d", held.FlightBytes, flightBytes)
		}
	})
	t.Run("transactions are cut by bytes", func(t *testing.T) {
		if held.TxBytes == 0 || held.TxBytes > txBytes {
			t.Errorf("a transaction took %d line bytes; the limit is %d", held.TxBytes, txBytes)
		}
		if held.Transactions < 40*20/100 {
			t.Errorf("%d transactions for 800 KB of lines at 100 KB each", held.Transactions)
		}
	})
}

func TestALineLongerThanTheImportBudgetGoesThroughAlone(t *testing.T) {
	e, coll := retrievaltest.Engine(t)
	retrieval.SetImportLimits(e, 64, 10<<10, 16, 20<<10, 40<<10)
	var held retrieval.ImportHeld
	retrieval.WatchImports(e, func(h retrieval.ImportHeld) { held = h })
	docs := append(longArticles(6, 4<<10), longArticles(7, 120<<10)[6]) // line 7 is three budgets long
	docs = append(docs, bulletins(5)...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := e.Import(ctx, coll, strings.NewReader(jsonl(t, docs...)), nil)
	if err != nil {
		t.Fatal(err) // a deadlock would end here, at the deadline
	}
	if st.Added != len(docs) {
		t.Errorf("added %d of %d", st.Added, len(docs))
	}
	if held.TxBytes < 120<<10 {
		t.Errorf("the long line's transaction held %d bytes", held.TxBytes)
	}
}
