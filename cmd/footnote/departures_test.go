package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/jobs"
	"github.com/jackc/pgx/v5"
)

func TestGuildGraceConfig(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        time.Duration
		wantErr     string
	}{
		{name: "unset, a removed server's articles are kept 30 days", want: retrieval.DefaultGuildGrace},
		{name: "days are read with a d", value: "7d", want: 7 * 24 * time.Hour},
		{name: "a bare number is days", value: "14", want: 14 * 24 * time.Hour},
		{name: "a Go duration is read as one", value: "72h", want: 72 * time.Hour},
		{name: "a word is refused by name", value: "forever",
			wantErr: `FOOTNOTE_GUILD_GRACE: "forever" is not a duration (such as 30d, 7d or 72h; a bare number is days)`},
		{name: "under an hour is refused", value: "5m",
			wantErr: "FOOTNOTE_GUILD_GRACE: 5m0s is under 1h0m0s (the default is 30 days)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"FOOTNOTE_GUILD_GRACE": tc.value}
			c, err := configFromEnv(func(k string) string { return env[k] })
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || c.GuildGrace != tc.want {
				t.Errorf("GuildGrace = %v, %v; want %v", c.GuildGrace, err, tc.want)
			}
		})
	}
}

func TestQuestionRetentionConfig(t *testing.T) {
	for _, tc := range []struct {
		value, wantErr string
		want           time.Duration
	}{
		{value: "", want: 0}, {value: "0", want: 0}, {value: "90d", want: 90 * 24 * time.Hour},
		{value: "30", want: 30 * 24 * time.Hour}, {value: "720h", want: 720 * time.Hour},
		{value: "12h", wantErr: "FOOTNOTE_QUESTION_RETENTION: 12h0m0s is under a day (0 keeps the questions for good)"},
		{value: "a while", wantErr: `FOOTNOTE_QUESTION_RETENTION: "a while" is not a duration (such as 90d or 720h; a bare number is days; 0 keeps them)`},
	} {
		env := map[string]string{"FOOTNOTE_QUESTION_RETENTION": tc.value}
		c, err := configFromEnv(func(k string) string { return env[k] })
		switch {
		case tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr):
			t.Errorf("%q: err = %v, want %q", tc.value, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || c.QuestionRetention != tc.want):
			t.Errorf("%q: QuestionRetention = %v, %v; want %v", tc.value, c.QuestionRetention, err, tc.want)
		}
	}
}

// departures returns the collections whose deletion is scheduled in the database at dsn.
func departures(t *testing.T, dsn string) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT collection FROM guild_departures ORDER BY collection`)
	if err != nil {
		t.Fatal(err)
	}
	colls, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return colls
}

func TestTheDeparturesSweepReconcilesOnlyWhereTheServersCanBeKnown(t *testing.T) {
	const (
		stays = "200000000000000011" // footnote is in it: Discord lists it
		left  = "200000000000000022" // removed footnote while nothing listened: Discord does not
	)
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want []string // the deletions scheduled after the first sweep
	}{
		{"footnote worker with DISCORD_TOKEN lists footnote's servers over REST and schedules the one it left",
			[]string{"worker"}, map[string]string{"DISCORD_TOKEN": "test-token"}, []string{left}},
		{"footnote worker without a token cannot know the servers, and schedules nothing",
			[]string{"worker"}, nil, nil},
		{"serve over HTTP without a token cannot know them either, and schedules nothing",
			[]string{"serve", "--http", "127.0.0.1:0"}, map[string]string{"DISCORD_PUBLIC_KEY": hex.EncodeToString(pub)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, dsn := freshCLI(t)
			var listed atomic.Int32
			discord := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/users/@me/guilds") {
					listed.Add(1)
					fmt.Fprintf(w, `[{"id": %q, "name": "Stays"}]`, stays)
					return
				}
				fmt.Fprint(w, `{}`)
			}))
			t.Cleanup(discord.Close)
			c.env["DISCORD_API_BASE"] = discord.URL
			for k, v := range tc.env {
				c.env[k] = v
			}
			file := filepath.Join(t.TempDir(), "ferry.txt")
			if err := os.WriteFile(file, []byte("The ferry returns to the quay in May, the harbour council said on Tuesday."), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, coll := range []string{stays, left} {
				c.must(t, "", "add", "--collection", coll, file)
			}
			stop, stderr := c.background(t, tc.args...)
			waitUntil(t, "the first departures sweep", func() bool {
				out, _ := c.must(t, "", "jobs", "--json")
				for _, l := range jsonLines(t, out) {
					if l["kind"] == jobs.KindSweepDepartures && l["done"] == float64(1) {
						return true
					}
				}
				return false
			})
			if err := stop(); err != nil {
				t.Fatalf("footnote %s returned %v; stderr:\n%s", tc.args[0], err, stderr)
			}
			if got := departures(t, dsn); !slices.Equal(got, tc.want) {
				t.Errorf("deletions scheduled for %v, want %v; stderr:\n%s", got, tc.want, stderr)
			}
			if tc.want == nil && listed.Load() != 0 {
				t.Errorf("servers listed %d times without a token", listed.Load())
			}
			if strings.Contains(stderr.String(), "find the servers that removed footnote") {
				t.Errorf("a reconcile that cannot know the servers was logged as a failure:\n%s", stderr)
			}
		})
	}
}
