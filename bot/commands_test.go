package bot

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRegisterCommands(t *testing.T) {
	for _, tc := range []struct {
		name, devGuild, path string
	}{
		{"without a dev guild the commands are overwritten globally", "", "/applications/app/commands"},
		{"with a dev guild they are overwritten on that guild only", guildA, "/applications/app/guilds/" + guildA + "/commands"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newFakeEngine(), func(c *Config) { c.DevGuild = tc.devGuild })
			if err := h.bot.RegisterCommands(context.Background()); err != nil {
				t.Fatal(err)
			}
			puts := h.discord.recorded(func(c call) bool { return c.Method == http.MethodPut })
			if len(puts) != 1 || puts[0].Path != tc.path {
				t.Fatalf("calls:\n%s", h.discord.dump())
			}
			list, _ := puts[0].Body["list"].([]any)
			var names []string
			for _, c := range list {
				cmd := c.(map[string]any)
				names = append(names, cmd["name"].(string))
				if !reflect.DeepEqual(cmd["contexts"], []any{0.0}) {
					t.Errorf("%s: contexts %v, want guilds only", cmd["name"], cmd["contexts"])
				}
				if d, _ := cmd["description"].(string); d == "" || len(d) > 100 {
					t.Errorf("%s: description %q", cmd["name"], d)
				}
				if cmd["name"] == "reindex" && cmd["default_member_permissions"] != "32" {
					t.Errorf("reindex default_member_permissions %v, want \"32\"", cmd["default_member_permissions"])
				}
			}
			if want := []string{"ask", "add", "articles", "remove", "reindex"}; !reflect.DeepEqual(names, want) {
				t.Errorf("commands %v, want %v", names, want)
			}
		})
	}

	t.Run("without an application id it is looked up from the token", func(t *testing.T) {
		h := newHarness(t, newFakeEngine(), func(c *Config) { c.AppID = "" })
		if err := h.bot.RegisterCommands(context.Background()); err != nil {
			t.Fatal(err)
		}
		puts := h.discord.recorded(func(c call) bool { return c.Method == http.MethodPut })
		if len(puts) != 1 || puts[0].Path != "/applications/app-from-token/commands" {
			t.Fatalf("calls:\n%s", h.discord.dump())
		}
	})

	t.Run("registering needs a bot token", func(t *testing.T) {
		h := newHarness(t, newFakeEngine(), func(c *Config) { c.Token = "" })
		if err := h.bot.RegisterCommands(context.Background()); err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestAPIBase(t *testing.T) {
	t.Run("a base ending in /api/v10 carries every REST call under that version", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.APIBase += "/api/v10/" })
		s := h.ask(guildA, alice, "budget?")
		h.edit(s, nil)
		for _, c := range h.discord.recorded(func(c call) bool { return c.Version != httpBody }) {
			if c.Version != "v10" {
				t.Errorf("%s %s went to API %s", c.Method, c.Path, c.Version)
			}
		}
	})

	for _, tc := range []struct {
		name, base, in, want string
	}{
		{"a bare host takes discord.com's place", "http://127.0.0.1:9000",
			"https://discord.com/api/v9/interactions/1/t/callback", "http://127.0.0.1:9000/api/v9/interactions/1/t/callback"},
		{"a path prefix goes before the API path", "https://proxy.example/discord/",
			"https://discord.com/api/v9/webhooks/app/t/messages/@original", "https://proxy.example/discord/api/v9/webhooks/app/t/messages/@original"},
		{"a base naming an API version replaces discordgo's", "http://127.0.0.1:9000/api/v10",
			"https://discord.com/api/v9/gateway", "http://127.0.0.1:9000/api/v10/gateway"},
		{"other hosts are left alone", "http://127.0.0.1:9000",
			"https://cdn.discordapp.com/attachments/1/2/a.txt", "https://cdn.discordapp.com/attachments/1/2/a.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got string
			rt, err := newAPIBaseTransport(tc.base, roundTripFunc(func(r *http.Request) (*http.Response, error) {
				got = r.URL.String()
				return &http.Response{StatusCode: 204, Body: http.NoBody, Request: r}, nil
			}))
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, tc.in, nil)
			if _, err := rt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("sent to %s, want %s", got, tc.want)
			}
			if req.URL.String() != tc.in {
				t.Error("the caller's request was modified")
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

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
