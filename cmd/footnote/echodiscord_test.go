package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoDiscord is Discord's REST API behind a proxy that fails every call and echoes the
// request's Authorization header in its error body, both whole ("Bot …") and as the bare
// token. It records what footnote sent: what members would have read.
type echoDiscord struct {
	srv *httptest.Server

	mu    sync.Mutex
	sent  []string // request bodies
	calls []string // "METHOD /path"
}

func newEchoDiscord(t *testing.T, status int) *echoDiscord {
	t.Helper()
	d := &echoDiscord{}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		auth := r.Header.Get("Authorization")
		d.mu.Lock()
		d.sent = append(d.sent, string(body))
		d.calls = append(d.calls, r.Method+" "+r.URL.Path)
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"message": "upstream refused %s (token %s)", "code": 0, "headers": {"Authorization": %q}}`,
			auth, strings.TrimPrefix(auth, "Bot "), auth)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *echoDiscord) output() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.sent, "\n")
}

// called reports whether a call whose "METHOD /path" matches re was made.
func (d *echoDiscord) called(re string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.calls {
		if regexp.MustCompile(re).MatchString(c) {
			return true
		}
	}
	return false
}

// serveInteractions runs `footnote serve --http` against discord (every REST call fails
// and echoes the token) and asks /ask in the guild collection coll over signed HTTP
// interactions; it waits until footnote has tried every way to tell the member, stops the
// server, and returns the interaction responses and the messages footnote sent.
func serveInteractions(coll string, discord *echoDiscord) func(t *testing.T, env func(string) string, stdout, stderr *syncBuffer) string {
	return func(t *testing.T, env func(string) string, stdout, stderr *syncBuffer) string {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		getenv := func(k string) string {
			if k == "DISCORD_PUBLIC_KEY" {
				return hex.EncodeToString(pub)
			}
			return env(k)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			m := &Main{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr}
			done <- m.run(ctx, []string{"serve", "--http", "127.0.0.1:0"}, getenv)
		}()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}()
		addrRE := regexp.MustCompile(`msg=listening what="interactions endpoint" addr=(\S+)`)
		var addr string
		waitFor(t, 20*time.Second, "the interactions endpoint", func() bool {
			m := addrRE.FindStringSubmatch(stderr.String())
			if m != nil {
				addr = m[1]
			}
			return m != nil
		})
		body, _ := json.Marshal(map[string]any{
			"id": "600000000000000001", "application_id": "app", "type": 2, "token": "interaction-token",
			"version": 1, "channel_id": "300000000000000001", "guild_id": coll, "locale": "en-GB",
			"member": map[string]any{"user": map[string]any{"id": "100000000000000001", "username": "member"},
				"roles": []string{}, "permissions": "0"},
			"data": map[string]any{"id": "700000000000000001", "name": "ask", "type": 1, "options": []any{
				map[string]any{"name": "question", "type": 3, "value": "When will the Westfield tram extension open?"}}},
		})
		ts := fmt.Sprint(time.Now().Unix())
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/interactions", bytes.NewReader(body))
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		first, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The answer's edit fails; then footnote removes its reply and tells the member in
		// a follow-up, which fails too; both are logged.
		defer func() {
			if t.Failed() {
				t.Logf("stderr:\n%s", stderr.String())
			}
		}()
		waitFor(t, 60*time.Second, "footnote to give up telling the member", func() bool {
			return strings.Contains(stderr.String(), "could not report an error to the member")
		})
		for _, want := range []string{`^PUT /api/v\d+/applications/`, `^PATCH /api/v\d+/webhooks/.*/interaction-token/messages/@original`,
			`^POST /api/v\d+/webhooks/.*/interaction-token`} {
			if !discord.called(want) {
				t.Errorf("footnote made no call matching %s", want)
			}
		}
		return string(first) + "\n" + discord.output()
	}
}
