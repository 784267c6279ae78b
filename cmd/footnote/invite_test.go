package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/bot"
)

func TestInvite(t *testing.T) {
	want := func(app string) string {
		return "https://discord.com/oauth2/authorize?client_id=" + app +
			"&scope=bot%20applications.commands&permissions=" + strconv.FormatInt(bot.InvitePermissions, 10) + "\n"
	}
	t.Run("with DISCORD_APP_ID the link is printed without asking Discord", func(t *testing.T) {
		c := cli{env: map[string]string{"DISCORD_APP_ID": "123456789012345678"}}
		if out, _ := c.must(t, "", "invite"); out != want("123456789012345678") {
			t.Errorf("printed %q", out)
		}
	})
	t.Run("with only the token the application is asked of Discord", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/oauth2/applications/@me") || r.Header.Get("Authorization") != "Bot tok" {
				http.Error(w, `{"message": "404: Not Found", "code": 0}`, http.StatusNotFound)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id": "987654321098765432", "name": "footnote"}`)
		}))
		defer srv.Close()
		c := cli{env: map[string]string{"DISCORD_TOKEN": "tok", "DISCORD_API_BASE": srv.URL}}
		if out, _ := c.must(t, "", "invite"); out != want("987654321098765432") {
			t.Errorf("printed %q", out)
		}
	})
	t.Run("with neither it says what to set", func(t *testing.T) {
		_, _, err := cli{env: map[string]string{}}.run(t, "", "invite")
		if err == nil || !strings.Contains(err.Error(), "DISCORD_APP_ID") {
			t.Errorf("err = %v", err)
		}
	})
}
