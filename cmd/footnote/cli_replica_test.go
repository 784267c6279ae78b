//go:build unix

package main

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// articleLine is one import line whose text holds word.
func articleLine(slug, title, text string) string {
	return fmt.Sprintf(`{"url":"https://news.example/%s","title":%q,"published":"2026-11-30","text":%q}`+"\n", slug, title, text)
}

// Each command is a process of its own: `footnote search` reads the replica that
// DATABASE_READ_URL names. An earlier `footnote import` that reads from the replicas too
// left the position of its write in the primary (write_marks), so the search finds the
// import at once even while the replica's replay is paused (it reads the primary), and so
// does an import by a process without DATABASE_READ_URL, since the primary has a standby;
// a write that left no mark is missing from the search until the replica has replayed it.
func TestCLISearchReadsTheReplica(t *testing.T) {
	primary := retrievaltest.NewCluster(t)
	replica := primary.StartReplica()
	c := cli{env: map[string]string{"DATABASE_URL": primary.DSN(), "DATABASE_READ_URL": replica.DSN()}}
	noReplicas := cli{env: map[string]string{"DATABASE_URL": primary.DSN()}}
	coll := retrievaltest.Collection(t)
	dir := t.TempDir()
	search := func(query string) string {
		out, _ := c.must(t, "", "search", "--collection", coll, "--json", query)
		return out
	}
	c.must(t, "", "import", "--collection", coll, writeFile(t, dir, "a.jsonl",
		articleLine("quay", "Quay rebuilt", "The old quay was rebuilt with oak pilings.")))
	replica.WaitForReplay(primary)
	if out := search("oak pilings quay"); !strings.Contains(out, "news.example/quay") {
		t.Fatalf("search on the replica did not find the imported article: %s", out)
	}
	replica.PauseReplay()
	noReplicas.must(t, "", "import", "--collection", coll, writeFile(t, dir, "b.jsonl",
		articleLine("mill", "Mill reopened", "The tide mill reopened with a copper wheel.")))
	if out := search("tide mill copper wheel"); !strings.Contains(out, "news.example/mill") {
		t.Fatalf("a search right after an import by a process without replicas did not find it (the primary has a standby, so the import marked its write): %s", out)
	}
	noReplicas.must(t, "", "import", "--collection", coll, writeFile(t, dir, "k.jsonl",
		articleLine("kiln", "Kiln relit", "The lime kiln was relit for the festival.")))
	primary.Exec(`DELETE FROM write_marks`) // as a writer that marks nothing would leave it
	if out := search("lime kiln relit festival"); strings.Contains(out, "news.example/kiln") {
		t.Fatalf("a search found what the paused replica cannot hold, so it did not read the replica: %s", out)
	}
	c.must(t, "", "import", "--collection", coll, writeFile(t, dir, "c.jsonl",
		articleLine("weir", "Weir widened", "The salmon weir was widened with basalt blocks.")))
	if out := search("salmon weir basalt"); !strings.Contains(out, "news.example/weir") {
		t.Fatalf("a search right after another process's import (which reads the replicas too) did not find it: %s", out)
	}
	replica.ResumeReplay()
	replica.WaitForReplay(primary)
	if out := search("lime kiln relit festival"); !strings.Contains(out, "news.example/kiln") {
		t.Fatalf("the replica replayed the import, yet the search did not find it: %s", out)
	}
}

// A replica out of reach at start is no failure: the search answers from the primary, and
// stderr says once which replica is down, without its password.
func TestCLISearchWithAReplicaDown(t *testing.T) {
	retrievaltest.Store(t) // the test database, migrated; skips (fails under CI) without it
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	const password = "replica-password-never-shown"
	c := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "DATABASE_OWNER_URL": retrievaltest.OwnerDSN(),
		"DATABASE_READ_URL": fmt.Sprintf("postgres://footnote_app:%s@127.0.0.1:%d/footnote?sslmode=disable&connect_timeout=2", password, port)}}
	coll := retrievaltest.Collection(t)
	t.Cleanup(func() { c.run(t, "", "remove", "--collection", coll, "--all") })
	c.must(t, "", "import", "--collection", coll, writeFile(t, t.TempDir(), "a.jsonl",
		articleLine("quay", "Quay rebuilt", "The old quay was rebuilt with oak pilings.")))
	out, stderr := c.must(t, "", "search", "--collection", coll, "--json", "oak pilings quay")
	if !strings.Contains(out, "news.example/quay") {
		t.Errorf("with the replica down the search found nothing: %s", out)
	}
	want := fmt.Sprintf(`msg="read replica is down: its reads go to the primary" replica=127.0.0.1:%d/footnote`, port)
	if strings.Count(stderr, "read replica is down") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("stderr = %q, want one line with %q", stderr, want)
	}
	if strings.Contains(stderr, password) {
		t.Errorf("stderr shows the replica's password: %q", stderr)
	}
}
