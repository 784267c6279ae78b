package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAWorkerWithoutATokenSaysOnceWhatItCannotDo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   map[string]string
		warns int
	}{
		{"without DISCORD_TOKEN the worker warns once that announcements and progress messages need it", nil, 1},
		{"with DISCORD_TOKEN it does not", map[string]string{"DISCORD_TOKEN": "test-token"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := freshCLI(t)
			discord := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if strings.HasSuffix(r.URL.Path, "/users/@me/guilds") {
					fmt.Fprint(w, `[]`)
					return
				}
				fmt.Fprint(w, `{}`)
			}))
			t.Cleanup(discord.Close)
			c.env["DISCORD_API_BASE"] = discord.URL
			for k, v := range tc.env {
				c.env[k] = v
			}
			stop, stderr := c.background(t, "worker")
			waitUntil(t, "the worker to run", func() bool { return strings.Contains(stderr.String(), "worker running") })
			if err := stop(); err != nil {
				t.Fatalf("footnote worker returned %v; stderr:\n%s", err, stderr)
			}
			if got := strings.Count(stderr.String(), "DISCORD_TOKEN is not set: this worker announces no new feed articles"); got != tc.warns {
				t.Errorf("the warning was logged %d times, want %d; stderr:\n%s", got, tc.warns, stderr)
			}
			if tc.warns > 0 && !strings.Contains(stderr.String(), "level=WARN") {
				t.Errorf("the warning is not at level WARN; stderr:\n%s", stderr)
			}
		})
	}
}
