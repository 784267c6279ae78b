package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval"
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

func TestRunSweeps(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reconcile error
		wantError bool // an error-level line about reconciling
	}{
		{"each sweep reconciles the servers first, then deletes what is due", nil, false},
		{"a bot that does not know its servers yet is no error", bot.ErrGuildsUnknown, false},
		{"a failed reconcile is logged as an error, and the sweep still runs", errors.New("Discord is down"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var order []string
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			reconcile := func(context.Context) (int, int, error) {
				order = append(order, "reconcile")
				return 0, 0, tc.reconcile
			}
			removeDue := func(context.Context, time.Time) ([]string, error) {
				order = append(order, "sweep")
				cancel() // one round
				return nil, nil
			}
			if err := runSweeps(ctx, time.Hour, log, reconcile, removeDue); err != nil {
				t.Fatal(err)
			}
			if strings.Join(order, ",") != "reconcile,sweep" {
				t.Errorf("ran %v, want reconcile then sweep", order)
			}
			if got := strings.Contains(logs.String(), "level=ERROR"); got != tc.wantError {
				t.Errorf("error logged: %v, want %v:\n%s", got, tc.wantError, logs.String())
			}
		})
	}
}
