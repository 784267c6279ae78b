package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
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
				if d, _ := cmd["description"].(string); cmd["type"] != 3.0 && (d == "" || len(d) > 100) {
					t.Errorf("%s: description %q", cmd["name"], d)
				}
				if (cmd["name"] == "reindex" || cmd["name"] == "settings" || cmd["name"] == "gaps") && cmd["default_member_permissions"] != "32" {
					t.Errorf("reindex default_member_permissions %v, want \"32\"", cmd["default_member_permissions"])
				}
			}
			if want := []string{"ask", "add", "articles", "remove", "reindex", "help",
				"Ask footnote about this message", "Add this link", "settings", "gaps", "track", "feeds", "untrack"}; !reflect.DeepEqual(names, want) {
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

	for _, appID := range []string{"", "app"} {
		t.Run("a rejected token is named with how to get a new one (DISCORD_APP_ID "+strconv.Quote(appID)+")", func(t *testing.T) {
			refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"message": "401: Unauthorized", "code": 0}`))
			}))
			defer refuse.Close()
			h := newHarness(t, newFakeEngine(), func(c *Config) { c.AppID, c.APIBase = appID, refuse.URL })
			err := h.bot.RegisterCommands(context.Background())
			want := "DISCORD_TOKEN: Discord rejected the token (HTTP 401); make a new one in the Developer Portal (your application → Bot → Reset Token)"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
		})
	}

	t.Run("registering needs a bot token", func(t *testing.T) {
		h := newHarness(t, newFakeEngine(), func(c *Config) { c.Token = "" })
		if err := h.bot.RegisterCommands(context.Background()); err == nil || !strings.Contains(err.Error(), "DISCORD_TOKEN") {
			t.Errorf("err = %v", err)
		}
	})
}
