package main

import (
	"testing"
	"time"

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
