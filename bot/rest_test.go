package bot

import (
	"net/http"
	"testing"
)

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
