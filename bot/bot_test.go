package bot

import (
	"strings"
	"testing"
	"time"
)

func TestNewRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"a public key that is not 64 hex characters", Config{PublicKey: "abc"}, "DISCORD_PUBLIC_KEY"},
		{"an API base that is not a URL", Config{APIBase: "discord"}, "DISCORD_API_BASE"},
		{"a negative shutdown grace", Config{ShutdownGrace: -time.Second}, "ShutdownGrace"},
		{"a negative worker count", Config{Workers: -1}, "Workers"},
	} {
		t.Run(tc.name+" is refused, naming the setting", func(t *testing.T) {
			if _, err := New(tc.cfg, newFakeEngine(), nil, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want an error naming %s", err, tc.want)
			}
		})
	}
}
