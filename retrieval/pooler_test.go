package retrieval_test

import (
	"context"
	"testing"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// Behind a transaction pooler (PgBouncer's pool_mode = transaction), each transaction may
// run on a server connection that footnote's AfterConnect never saw: the search settings
// (a wider HNSW candidate list, iterative scans, no JIT) must come with every read and
// every transaction, not only with the session. Reset sessions stand for such connections.
func TestReadsAndTransactionsCarryTheSearchSettings(t *testing.T) {
	s := retrievaltest.Store(t)
	ctx := context.Background()
	want := retrieval.SearchSettings()
	var names []string
	for n := range want {
		names = append(names, n)
	}

	read, tx, plain, err := retrieval.SettingsSeen(ctx, s, "pooled", names)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if read[n] != want[n] || tx[n] != want[n] || plain[n] != want[n] {
			t.Errorf("%s on a fresh connection: read %q, transaction %q, statement %q, want %q for all", n, read[n], tx[n], plain[n], want[n])
		}
	}

	if err := retrieval.ResetSessions(ctx, s); err != nil {
		t.Fatal(err)
	}
	read, tx, plain, err = retrieval.SettingsSeen(ctx, s, "pooled", names)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if read[n] != want[n] {
			t.Errorf("%s in a read on a reset session = %q, want %q", n, read[n], want[n])
		}
		if tx[n] != want[n] {
			t.Errorf("%s in a transaction on a reset session = %q, want %q", n, tx[n], want[n])
		}
	}
	// The control: the reset did undo the session's settings, and a read's do not
	// outlive it.
	if plain["hnsw.ef_search"] == want["hnsw.ef_search"] || plain["jit"] == want["jit"] {
		t.Errorf("after RESET ALL and a read, a plain statement still sees %v: the test resets nothing", plain)
	}
}
