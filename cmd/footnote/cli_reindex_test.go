package main

// footnote reindex, against the test database and a fake OpenAI-compatible server.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/footnote-bot/footnote/retrieval/jobs"
	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

func TestCLIReindexIntoAWideRemoteModel(t *testing.T) {
	c, coll, _ := importedCLI(t)
	srv := oaitest.New(t)
	model := "wide-" + coll
	remote := cli{env: map[string]string{"DATABASE_URL": retrievaltest.DSN(), "OPENAI_BASE_URL": srv.URL,
		"FOOTNOTE_EMBED_MODEL": model, "FOOTNOTE_EMBED_DIMS": "3000"}}

	out, stderr := remote.must(t, "", "reindex", "--collection", coll)
	plan := regexp.MustCompile(`(?m)^Will embed (\d+) passages with ` + regexp.QuoteMeta(model) +
		`/3000 \(about ([\d,]+) tokens, counting 4 characters a token\)\.$`).FindStringSubmatch(stderr)
	t.Run("the job says how many passages and about how many tokens it will send, and the command prints it", func(t *testing.T) {
		if plan == nil {
			t.Fatalf("stderr = %q, want the job's plan", stderr)
		}
		if queued, planned := strings.Index(stderr, "reindex of "+coll+" queued"), strings.Index(stderr, plan[0]); queued < 0 || queued > planned {
			t.Errorf("stderr = %q, want the job queued, then its plan", stderr)
		}
		// The estimate is the characters sent, divided by 4: check it against what the
		// server received (the start-up probe aside).
		chars := 0
		for _, r := range srv.Requests() {
			inputs, _ := r.Body["input"].([]any)
			for _, in := range inputs {
				if s, _ := in.(string); s != "dimension probe" {
					chars += utf8.RuneCountInString(s)
				}
			}
		}
		if got, want := strings.ReplaceAll(plan[2], ",", ""), strconv.Itoa((chars+3)/4); got != want {
			t.Errorf("estimated %s tokens, want %s (%d characters sent)", got, want, chars)
		}
	})
	t.Run("it reports what it embedded and the old vectors it deleted", func(t *testing.T) {
		want := regexp.MustCompile(`^reindexed ` + regexp.QuoteMeta(coll) + ` into ` + regexp.QuoteMeta(model) +
			`/3000: \d+ articles, (\d+) passages, (\d+) embedded, 0 re-tokenised, (\d+) old vectors deleted, in \S+\n$`)
		m := want.FindStringSubmatch(out)
		if m == nil || plan == nil || m[1] != plan[1] || m[2] != plan[1] || m[3] != plan[1] {
			t.Errorf("stdout = %q, want every one of the %v passages embedded and its old vector deleted", out, plan)
		}
	})
	t.Run("search works in the new space", func(t *testing.T) {
		out, _ := remote.must(t, "", "search", "--collection", coll, "-k", "1", "tram extension passengers")
		if !strings.Contains(out, "Tram extension to open in 2027") {
			t.Errorf("search = %q, want the tram article", out)
		}
	})
	t.Run("a second reindex has nothing to do and says so", func(t *testing.T) {
		_, stderr := remote.must(t, "", "reindex", "--collection", coll)
		if !regexp.MustCompile(`(?m)^Nothing to rebuild or embed: \d+ passages already in `).MatchString(stderr) {
			t.Errorf("stderr = %q", stderr)
		}
	})
	t.Run("back on the offline model, the collection is embedded again", func(t *testing.T) {
		out, _ := c.must(t, "", "reindex", "--collection", coll)
		if !strings.Contains(out, " into footnote-hash-v2/256: ") {
			t.Errorf("stdout = %q", out)
		}
	})
}

func TestWorkerReportsAReindexInTheMessageItWasQueuedWith(t *testing.T) {
	c, dsn := freshCLI(t)
	c.must(t, "", "import", writeFile(t, t.TempDir(), "articles.jsonl", corpus))
	const channel, message = "300000000000000077", "400000000000000009"
	var mu sync.Mutex
	var calls []string // "METHOD path content"
	discord := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Content string `json:"content"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		calls = append(calls, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/api/v9")+" "+body.Content)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id": %q, "channel_id": %q}`, message, channel)
	}))
	t.Cleanup(discord.Close)
	// What /reindex does: the queued message is posted, and the job carries its id.
	e, _ := retrievaltest.EngineAt(t, dsn)
	q, err := jobs.Open(context.Background(), dsn, jobs.Config{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	args := jobs.ReindexArgs{Collection: "default", ChannelID: channel, MessageID: message, RequestedBy: "100000000000000001"}
	if _, err := q.EnqueueReindex(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	c.env["DISCORD_TOKEN"] = "test-token"
	c.env["DISCORD_API_BASE"] = discord.URL
	stop, stderr := c.background(t, "worker")
	edit := "PATCH /channels/" + channel + "/messages/" + message + " "
	seen := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), calls...)
	}
	waitUntil(t, "the last edit", func() bool {
		got := seen()
		return len(got) > 0 && strings.HasPrefix(got[len(got)-1], edit+"Reindex done in ")
	})
	if err := stop(); err != nil {
		t.Fatalf("worker: %v; stderr:\n%s", err, stderr)
	}
	// The worker also sweeps departed servers at start, when it leads (RunOnStart), which
	// lists the bot's servers: that read is not about the reindex, and whether it comes
	// before the reindex's edits depends on when leadership is won.
	var got []string
	for _, call := range seen() {
		if !strings.HasPrefix(call, "GET /users/@me/guilds") {
			got = append(got, call)
		}
	}
	start := edit + "Reindexing this server's articles, asked for by <@100000000000000001>… Nothing to rebuild or embed: 5 passages already in "
	if len(got) < 2 || !strings.HasPrefix(got[0], start) {
		t.Errorf("Discord saw %q; want the plan first, in the queued message (%q)", got, start)
	}
	for _, call := range got {
		if !strings.HasPrefix(call, edit) {
			t.Errorf("Discord saw %q; want only edits of the queued message", call)
		}
	}
}
