package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// TestLoadSmoke runs the whole driver briefly: 50 articles, 5 members for 3 s, then the
// SIGTERM phase, against a footnote built for the test on the test database. It takes
// about 15 s on an idle machine.
func TestLoadSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds footnote and runs it for about 15 s")
	}
	e, _ := retrievaltest.Engine(t) // the migrated test database, or a skip (a failure under CI)
	n, err := rand.Int(rand.Reader, big.NewInt(1e17))
	if err != nil {
		t.Fatal(err)
	}
	guild := fmt.Sprintf("9%017d", n.Int64())
	t.Cleanup(func() {
		if err := retrievaltest.RemoveServer(context.Background(), e, guild); err != nil {
			t.Errorf("remove the load's collection %s: %v", guild, err)
		}
	})

	dir := t.TempDir()
	bin := filepath.Join(dir, "footnote")
	build := exec.Command("go", "build", "-o", bin, "github.com/footnote-bot/footnote/cmd/footnote")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build footnote: %v\n%s", err, out)
	}
	articles := filepath.Join(dir, "articles.jsonl")
	writeArticles(t, articles, 50)

	var out bytes.Buffer
	o, err := parseOptions([]string{
		"-bin", bin, "-articles-file", articles, "-questions-file", "-", "-articles", "50",
		"-database-url", retrievaltest.DSN(), "-collection", guild,
		"-duration", "3s", "-warmup", "1s", "-settle", "2s", "-concurrency", "5",
		"-sigterm-after", "500ms", "-discord-latency", "20ms", "-slow-model", "0",
	}, func(string) string { return "" }, &out)
	if err != nil {
		t.Fatalf("flags: %v\n%s", err, out.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	f, err := measure(ctx, o)
	if err != nil {
		t.Fatalf("the run could not be made: %v\n%s", err, out.String())
	}
	f.print(&out)
	for _, check := range []struct {
		name string
		ok   bool
	}{
		{"every check passes", len(f.failures()) == 0},
		{"the load got answers", f.tallies[phaseLoad].deferred[outcomeAnswered] > 0},
		{"answers were in flight at SIGTERM", f.terms[phaseShutdown].inFlight > 0},
		{"footnote exited 0 after SIGTERM", f.terms[phaseShutdown].exitCode == 0 && !f.terms[phaseShutdown].killed},
	} {
		t.Run(check.name, func(t *testing.T) {
			if !check.ok {
				t.Errorf("not so:\n%s", out.String())
			}
		})
	}
}

// writeArticles writes n articles in footnote import's format, each on its own topic.
func writeArticles(t *testing.T, path string, n int) {
	t.Helper()
	var sb strings.Builder
	for i := range n {
		line, _ := json.Marshal(map[string]string{
			"url":       fmt.Sprintf("https://news.example/load/%d", i),
			"title":     fmt.Sprintf("Harbour %d gets a new ferry", i),
			"published": "2024-05-01",
			"text": fmt.Sprintf("The port authority of harbour %d ordered a new ferry on Monday. "+
				"The ferry carries %d passengers and enters service in %d, the authority said.\n\n"+
				"Local traders welcomed the decision.", i, 100+i, 2025+i%3),
		})
		sb.Write(line)
		sb.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
