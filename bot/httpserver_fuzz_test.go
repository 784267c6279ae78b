package bot

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"

	"github.com/footnote-bot/footnote/retrieval"
)

// fuzzKey is a fixed Ed25519 key, so that a failing input replays with the same signature.
var fuzzKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))

// signatureGate is what serveInteraction checks before anything runs: the signature over
// timestamp and body, then the timestamp's age.
func signatureGate(ts string, body []byte, sig string, now time.Time) bool {
	req, _ := http.NewRequest(http.MethodPost, "/interactions", bytes.NewReader(body))
	req.Header.Set("X-Signature-Ed25519", sig)
	req.Header.Set("X-Signature-Timestamp", ts)
	return dg.VerifyInteraction(req, fuzzKey.Public().(ed25519.PublicKey)) && fresh(ts, now)
}

// FuzzSignature checks the gate in front of the HTTP interactions endpoint. For any body
// and timestamp signed with the app's key: the request passes exactly when the timestamp
// is an integer within maxSignatureAge of now; a body or timestamp changed in one bit, a
// body one byte longer or shorter, another key's signature, and bytes moved between
// the timestamp and body of a request Discord could have sent (the signature covers their
// concatenation) never pass with a JSON object for a body.
func FuzzSignature(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	f.Add([]byte(`{"type":1,"id":"600000000000000001","application_id":"app","token":"t","version":1}`), "1700000000", uint16(3))
	f.Add([]byte(`{"type":2,"data":{"name":"ask","options":[{"name":"question","type":3,"value":"who?"}]}}`), "1699999701", uint16(0))
	f.Add([]byte(`{}`), "+1700000299", uint16(9))
	f.Add([]byte(``), "9223372036854775807", uint16(1))
	f.Add([]byte(`7{"type":1}`), "170000000", uint16(2))
	f.Fuzz(func(t *testing.T, body []byte, ts string, at uint16) {
		msg := append([]byte(ts), body...)
		sig := hex.EncodeToString(ed25519.Sign(fuzzKey, msg))
		want := false
		if sec, err := strconv.ParseInt(ts, 10, 64); err == nil && ts != "" {
			d := float64(now.Unix()) - float64(sec) // no int64 overflow
			want = math.Abs(d) <= maxSignatureAge.Seconds()
		}
		if got := signatureGate(ts, body, sig, now); got != want {
			t.Fatalf("gate(%q, %q) = %v, want %v", ts, body, got, want)
		}
		object := func(b []byte) bool {
			var m map[string]any
			return json.NewDecoder(bytes.NewReader(b)).Decode(&m) == nil
		}
		refuse := func(what, ts string, body []byte, sig string) {
			t.Helper()
			if signatureGate(ts, body, sig, now) && object(body) {
				t.Fatalf("%s passed the gate: ts %q body %q", what, ts, body)
			}
		}
		if len(body) > 0 {
			b := bytes.Clone(body)
			b[int(at)%len(b)] ^= 1 << (at % 8)
			refuse("a body with a bit flipped", ts, b, sig)
			refuse("a body one byte shorter", ts, body[:len(body)-1], sig)
		}
		refuse("a body one byte longer", ts, append(bytes.Clone(body), '}'), sig)
		if ts != "" {
			b := []byte(ts)
			b[int(at)%len(b)] ^= 1 << (at % 8)
			refuse("a timestamp with a bit flipped", string(b), body, sig)
		}
		_, other, _ := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{9}, 64)))
		refuse("another key's signature", ts, body, hex.EncodeToString(ed25519.Sign(other, msg)))
		// Moving the boundary keeps the signed bytes; what refuses it is that a timestamp
		// Discord sent is an integer and its body a JSON object.
		if k := int(at) % (len(msg) + 1); want && object(body) && k != len(ts) {
			refuse("a moved boundary between timestamp and body", string(msg[:k]), msg[k:], sig)
		}
	})
}

// FuzzInteraction posts any correctly signed body to a bot on the fake Discord, as Discord
// would, and checks: the endpoint answers 200 with an interaction response, 204 for an
// interaction footnote does not handle, or 400 exactly when the body is not an
// interaction; never 401 or 5xx, never a panic. The same body with one bit changed is
// refused with 401 and runs nothing. Every message the bot sends, in the response or
// later through REST, keeps within Discord's limits and pings nobody (checked by the
// harness when the input's test ends, after the bot has drained its work).
func FuzzInteraction(f *testing.F) {
	f.Add([]byte(`{"type":1,"id":"600000000000000001","application_id":"app","token":"t","version":1}`), uint16(5))
	f.Fuzz(func(t *testing.T, body []byte, at uint16) {
		eng := newFakeEngine()
		eng.add(guildA, retrieval.Article{URL: "https://news.example/budget", Title: "Council passes *budget*",
			Site: "news.example", Text: "The council passed the budget on Tuesday.\n\nIt rises by [3%](http://evil.example)."})
		h := newHarness(t, eng)
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := hex.EncodeToString(ed25519.Sign(h.priv, append([]byte(ts), body...)))
		if len(body) > 0 {
			b := bytes.Clone(body)
			b[int(at)%len(b)] ^= 1 << (at % 8)
			if code, _ := postWithSignature(t, h, b, ts, sig); code != http.StatusUnauthorized {
				t.Fatalf("a body changed after signing: status %d, want 401", code)
			}
			if calls := h.discord.recorded(nil); len(calls) != 0 || eng.askCount() != 0 {
				t.Fatalf("a refused body ran: %d REST calls, %d questions", len(calls), eng.askCount())
			}
		}
		// An interaction is exactly one JSON value (a Decoder would accept "{}0"), read as the
		// endpoint reads it: discordgo cannot decode forms made of Labels.
		_, derr := decodeInteraction(body)
		valid := derr == nil
		code, out := postWithSignature(t, h, body, ts, sig)
		switch {
		case code == http.StatusBadRequest && !valid, code == http.StatusNoContent && valid:
		case code == http.StatusOK && valid:
			var resp struct{ Type dg.InteractionResponseType }
			if err := json.Unmarshal([]byte(out), &resp); err != nil || resp.Type == 0 {
				t.Fatalf("200 with %q, not an interaction response (%v)", out, err)
			}
			h.discord.recordInitialResponse(body, []byte(out))
		default:
			t.Fatalf("status %d (%q) for a signed body (an interaction: %v)", code, out, valid)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.bot.Close(ctx); err != nil {
			t.Fatalf("the bot did not finish the interaction's work: %v", err)
		}
	})
}

// postWithSignature posts body to the harness's endpoint with the given signature headers.
func postWithSignature(t *testing.T, h *harness, body []byte, ts, sig string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.srv.URL+"/interactions", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Signature-Ed25519", sig)
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("Content-Type", "application/json")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}
