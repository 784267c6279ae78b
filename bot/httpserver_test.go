package bot

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHTTPEndpoint(t *testing.T) {
	t.Run("a forged signature is refused with 401 and nothing runs", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		p, _ := h.slash(guildA, alice, "ask", "question", "what did the council decide?")
		body, _ := json.Marshal(p)
		if code, _ := h.postSigned(body, strconv.FormatInt(time.Now().Unix(), 10), other); code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
		assertNothingRan(t, h, eng)
	})

	t.Run("a request without a signature is refused with 401", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		p, _ := h.slash(guildA, alice, "ask", "question", "what?")
		body, _ := json.Marshal(p)
		if code, _ := h.postSigned(body, "", nil); code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
		assertNothingRan(t, h, eng)
	})

	t.Run("a body changed after signing is refused with 401", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		p, _ := h.slash(guildA, alice, "ask", "question", "what?")
		body, _ := json.Marshal(p)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(h.priv, append([]byte(ts), body...))
		req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/interactions",
			strings.NewReader(strings.Replace(string(body), guildA, guildB, 1)))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
		assertNothingRan(t, h, eng)
	})

	for _, tc := range []struct {
		name string
		age  time.Duration
	}{
		{"a valid signature over a timestamp six minutes old is a replay: 401", 6 * time.Minute},
		{"a valid signature over a timestamp six minutes ahead is refused: 401", -6 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := newFakeEngine()
			h := newHarness(t, eng)
			p, _ := h.slash(guildA, alice, "ask", "question", "what did the council decide?")
			body, _ := json.Marshal(p)
			ts := strconv.FormatInt(time.Now().Add(-tc.age).Unix(), 10)
			if code, _ := h.postSigned(body, ts, h.priv); code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", code)
			}
			assertNothingRan(t, h, eng)
		})
	}

	t.Run("a PING is answered PONG", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		p, _ := h.interaction(1, "", alice, nil)
		code, body := h.post(p)
		if code != http.StatusOK || strings.TrimSpace(body) != `{"type":1}` {
			t.Fatalf("got %d %s, want 200 {\"type\":1}", code, body)
		}
		if calls := h.discord.recorded(nil); len(calls) != 0 {
			t.Errorf("PING made REST calls: %s", h.discord.dump())
		}
	})

	t.Run("a command's deferral is the HTTP response body, never a call to the callback endpoint", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		p, s := h.slash(guildA, alice, "ask", "question", "budget?")
		code, body := h.post(p)
		if code != http.StatusOK || !strings.Contains(body, `"type":5`) {
			t.Fatalf("got %d %s, want 200 with a deferral (type 5)", code, body)
		}
		h.edit(s, nil)
		if rest := h.discord.recorded(func(c call) bool {
			return strings.HasSuffix(c.Path, "/callback") && c.Version != httpBody
		}); len(rest) != 0 {
			t.Errorf("the callback endpoint was called for an HTTP interaction:\n%s", h.discord.dump())
		}
	})

	t.Run("an edit that overtakes Discord's processing of the deferral is retried", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		h.discord.mu.Lock()
		h.discord.unknown404 = 2
		h.discord.mu.Unlock()
		s := h.ask(guildA, alice, "budget?")
		patches := h.discord.waitFor(t, "three edits", 3, editOf(s.token))
		if len(patches) != 3 || patches[2].str("content") == "" {
			t.Fatalf("want 2 refused edits then the answer:\n%s", h.discord.dump())
		}
	})

	t.Run("without a public key every request is refused", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng, func(c *Config) { c.PublicKey = "" })
		p, _ := h.interaction(1, "", alice, nil)
		if code, _ := h.post(p); code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	})

	t.Run("a direct message is refused politely and ephemerally", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		s := h.ask("", alice, "what did the council decide?")
		text := h.ephemeralError(s)
		if !strings.HasPrefix(text, "footnote only works in servers") {
			t.Errorf("reply %q", text)
		}
		if eng.askCount() != 0 {
			t.Error("the engine was asked")
		}
	})
}

// assertNothingRan closes the bot, which waits for every request it admitted, then checks
// that no REST call was made and the engine was not asked. Call it once the request under
// test has had its HTTP response: by then the bot has admitted it or not.
func assertNothingRan(t *testing.T, h *harness, eng *fakeEngine) {
	t.Helper()
	if err := h.bot.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if calls := h.discord.recorded(nil); len(calls) != 0 {
		t.Errorf("REST calls were made:\n%s", h.discord.dump())
	}
	if eng.askCount() != 0 {
		t.Error("the engine was asked")
	}
}
