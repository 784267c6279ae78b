package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// The Discord ids the load uses: one application, one server (the collection), one channel.
const (
	loadAppID   = "1100000000000000001"
	loadChannel = "1300000000000000001"
	askCommand  = "1400000000000000001" // the /ask command's id
	// memberPerms are an ordinary member's permissions (no Manage Server), as a decimal string.
	memberPerms = "2248473465835073"
	// appPerms are footnote's own permissions in the channel: view, send, embed, read history.
	appPerms = "274878024704"
)

// asker sends signed /ask interactions to footnote's endpoint as Discord does, and records
// them in the ledger.
type asker struct {
	client    *http.Client
	endpoint  string // http://host:port/interactions
	priv      ed25519.PrivateKey
	guild     string
	questions []string
	l         *ledger
	seq       *atomic.Int64 // numbers the interactions (ids, members)
}

func newAsker(endpoint string, priv ed25519.PrivateKey, guild string, questions []string, l *ledger, conns int, seq *atomic.Int64) *asker {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns * 2
	tr.MaxIdleConnsPerHost = conns * 2
	return &asker{
		// Discord itself waits 3 s; the client waits longer so that a late acknowledgement
		// is measured rather than cut.
		client:    &http.Client{Transport: tr, Timeout: 10 * time.Second},
		endpoint:  endpoint,
		priv:      priv,
		guild:     guild,
		questions: questions,
		l:         l,
		seq:       seq,
	}
}

// interaction returns an APPLICATION_COMMAND /ask as Discord sends it, from a member of its
// own (so that the per-member rate limit stands for many members, not one), with a token as
// long as Discord's.
func (a *asker) interaction(n int64, question string) (id, token string, body []byte, err error) {
	id = fmt.Sprintf("12%017d", n)
	raw := make([]byte, 120)
	if _, err := rand.Read(raw); err != nil {
		return "", "", nil, err
	}
	token = "aW50ZXJhY3Rpb246" + base64.RawURLEncoding.EncodeToString(raw)
	user := fmt.Sprintf("15%017d", n)
	p := map[string]any{
		"id": id, "application_id": loadAppID, "type": 2, "token": token, "version": 1,
		"guild_id": a.guild, "channel_id": loadChannel, "app_permissions": appPerms,
		"locale": "en-US", "guild_locale": "en-US", "entitlements": []any{}, "context": 0,
		"authorizing_integration_owners": map[string]any{"0": a.guild},
		"channel":                        map[string]any{"id": loadChannel, "type": 0, "guild_id": a.guild, "name": "news"},
		"member": map[string]any{
			"user": map[string]any{"id": user, "username": "member" + strconv.FormatInt(n, 10),
				"discriminator": "0", "global_name": nil, "avatar": nil},
			"roles": []any{}, "permissions": memberPerms, "joined_at": "2024-01-02T03:04:05.000000+00:00",
			"nick": nil, "flags": 0, "pending": false, "mute": false, "deaf": false,
		},
		"data": map[string]any{"id": askCommand, "name": "ask", "type": 1,
			"options": []any{map[string]any{"name": "question", "type": 3, "value": question}}},
	}
	body, err = json.Marshal(p)
	return id, token, body, err
}

// post signs body with the application's key over the current time and posts it.
func (a *asker) post(ctx context.Context, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(a.priv, append([]byte(ts), body...))))
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Discord-Interactions/1.0 (+https://discord.com)")
	return a.client.Do(req)
}

// ping posts a PING and reports whether footnote answered PONG: the check Discord makes
// before it accepts an endpoint.
func (a *asker) ping(ctx context.Context) bool {
	resp, err := a.post(ctx, []byte(`{"id":"1","application_id":"`+loadAppID+`","type":1,"token":"ping","version":1}`))
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var out struct{ Type int }
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&out) == nil && out.Type == 1
}

// ask sends one /ask of phase and records how it was acknowledged. It returns the record.
func (a *asker) ask(ctx context.Context, phase int) (*record, error) {
	n := a.seq.Add(1)
	q := a.questions[int(n)%len(a.questions)]
	id, token, body, err := a.interaction(n, q)
	if err != nil {
		return nil, fmt.Errorf("build interaction: %w", err)
	}
	r := a.l.add(id, token, phase, time.Now())
	resp, err := a.post(ctx, body)
	if err != nil {
		a.l.acknowledged(r, ackNone, "transport: "+err.Error(), time.Now())
		return r, nil
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	at := time.Now()
	if err != nil || resp.StatusCode != http.StatusOK {
		a.l.acknowledged(r, ackNone, fmt.Sprintf("HTTP %d %s", resp.StatusCode, bytes.TrimSpace(data)), at)
		return r, nil
	}
	var out struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
		} `json:"data"`
	}
	switch {
	case json.Unmarshal(data, &out) != nil:
		a.l.acknowledged(r, ackNone, "not JSON: "+string(data), at)
	case out.Type == 5:
		a.l.acknowledged(r, ackDeferred, "", at)
	case out.Type == 4:
		a.l.acknowledged(r, ackImmediate, out.Data.Content, at)
	default:
		a.l.acknowledged(r, ackNone, fmt.Sprintf("response type %d", out.Type), at)
	}
	return r, nil
}

// Pauses of a simulated member.
const (
	// answerWait is how long a worker waits for an answer before it counts the interaction
	// as outstanding and asks again; the report still finds the answer if it comes later.
	answerWait = 30 * time.Second
	// refusalPause is how long a member told "busy, retry in a few seconds" waits before
	// asking again; retrying at once would turn the refusals into a busy loop that measures
	// the driver, not footnote.
	refusalPause = 2 * time.Second
)

// work asks, waits for the answer, and asks again, until ctx ends. An interaction is never
// cut by ctx: only new ones stop. With stopWhenRefused, it also stops once the endpoint
// gives no acknowledgement (it is shutting down).
func (a *asker) work(ctx context.Context, phase int, stopWhenRefused bool) {
	for ctx.Err() == nil {
		r, err := a.ask(context.WithoutCancel(ctx), phase)
		if err != nil {
			return
		}
		a.l.mu.Lock()
		ack := r.ack
		a.l.mu.Unlock()
		wait, pause := r.done, time.Duration(0)
		switch {
		case ack == ackNone && stopWhenRefused:
			return
		case ack != ackDeferred:
			wait, pause = nil, refusalPause
		}
		if wait != nil {
			pause = answerWait
		}
		t := time.NewTimer(pause)
		select {
		case <-wait:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
}
