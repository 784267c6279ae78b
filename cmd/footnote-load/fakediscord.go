package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Discord's limits on a message (discordgo enforces none; footnote must).
const (
	maxContentChars    = 2000
	maxEmbeds          = 10
	maxEmbedTotalChars = 6000
	maxDescription     = 4096
	maxEmbedTitle      = 256
)

// fakeDiscord is the part of Discord's REST API an HTTP-interactions bot uses, on a real
// listener that `footnote serve` reaches through DISCORD_API_BASE: editing and deleting the
// original response (PATCH/DELETE /webhooks/{app}/{token}/messages/@original) and follow-ups
// (POST /webhooks/{app}/{token}). Like Discord it answers 404 Unknown Webhook until it has
// the interaction's deferral (here: until the driver has read the HTTP response), 404
// Unknown Message for an edit of a deleted response, and 400 for a message over its limits.
// Every call waits latency first, standing for the round trip to Discord.
type fakeDiscord struct {
	l       *ledger
	latency time.Duration
	srv     *http.Server
	url     string
	msgs    atomic.Int64
}

// startFakeDiscord listens on a free loopback port and serves until close.
func startFakeDiscord(l *ledger, latency time.Duration) (*fakeDiscord, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake discord: listen: %w", err)
	}
	f := &fakeDiscord{l: l, latency: latency, url: "http://" + ln.Addr().String()}
	f.srv = &http.Server{Handler: f, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

// wireMessage is the part of a message body the fake checks and records.
type wireMessage struct {
	Content         *string          `json:"content"`
	Embeds          []wireEmbed      `json:"embeds"`
	Flags           int              `json:"flags"`
	AllowedMentions *json.RawMessage `json:"allowed_mentions"`
}

type wireEmbed struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Fields      []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"fields"`
	Footer *struct {
		Text string `json:"text"`
	} `json:"footer"`
	Author *struct {
		Name string `json:"name"`
	} `json:"author"`
}

const ephemeralFlag = 1 << 6

func (f *fakeDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, `{"message": "bad body", "code": 0}`, http.StatusBadRequest)
		return
	}
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, "/api/"); ok {
		if _, after, ok := strings.Cut(rest, "/"); ok { // drop the version
			path = after
		}
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	original := len(parts) == 5 && parts[0] == "webhooks" && parts[3] == "messages" && parts[4] == "@original"
	switch {
	case original && r.Method == http.MethodPatch:
		f.message(w, r, parts[2], "edit", body)
	case original && r.Method == http.MethodDelete:
		f.delete(w, parts[2])
	case len(parts) == 3 && parts[0] == "webhooks" && r.Method == http.MethodPost:
		f.message(w, r, parts[2], "followup", body)
	default:
		f.stray(r.Method + " " + path)
		writeError(w, http.StatusNotFound, 0, "404: Not Found")
	}
}

func writeError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"message": msg, "code": code})
}

func (f *fakeDiscord) stray(what string) {
	f.l.mu.Lock()
	f.l.strays = append(f.l.strays, what)
	f.l.mu.Unlock()
}

// known returns the deferred interaction of token, or writes Discord's 404 and returns nil.
// l.mu is held.
func (f *fakeDiscord) known(w http.ResponseWriter, token string) *record {
	rec := f.l.byToken[token]
	switch {
	case rec == nil:
		f.l.strays = append(f.l.strays, "a message for an interaction never sent")
	case rec.ack == ackDeferred:
		return rec
	case rec.ack == ackNone:
		f.l.unknown404++ // the deferral is not in yet
	default:
		f.l.strays = append(f.l.strays, "a message for an interaction answered at once")
	}
	writeError(w, http.StatusNotFound, 10015, "Unknown Webhook")
	return nil
}

func (f *fakeDiscord) message(w http.ResponseWriter, r *http.Request, token, kind string, body []byte) {
	var m wireMessage
	if err := json.Unmarshal(body, &m); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	if err := m.check(); err != nil {
		f.l.mu.Lock()
		f.l.invalid = append(f.l.invalid, kind+": "+err.Error())
		f.l.mu.Unlock()
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	now := time.Now()
	f.l.mu.Lock()
	rec := f.known(w, token)
	if rec == nil {
		f.l.mu.Unlock()
		return
	}
	if kind == "edit" && rec.deleted {
		f.l.mu.Unlock()
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	e := event{at: now, kind: kind, ephemeral: m.Flags&ephemeralFlag != 0}
	if m.Content != nil {
		e.text = *m.Content
	}
	rec.events = append(rec.events, e)
	if isFinal(e) {
		rec.finish()
	}
	f.l.mu.Unlock()
	if kind == "followup" && r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": fmt.Sprintf("5%017d", f.msgs.Add(1)), "type": 19, "channel_id": loadChannel,
		"content": e.text, "flags": m.Flags, "embeds": []any{}, "components": []any{},
		"author": map[string]any{"id": loadAppID, "username": "footnote", "bot": true},
	})
}

func (f *fakeDiscord) delete(w http.ResponseWriter, token string) {
	f.l.mu.Lock()
	rec := f.known(w, token)
	if rec == nil {
		f.l.mu.Unlock()
		return
	}
	if rec.deleted {
		f.l.mu.Unlock()
		writeError(w, http.StatusNotFound, 10008, "Unknown Message")
		return
	}
	rec.deleted = true
	rec.events = append(rec.events, event{at: time.Now(), kind: "delete"})
	f.l.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// check returns what Discord would refuse in m, or what would ping someone.
func (m wireMessage) check() error {
	var errs []error
	if m.Content != nil && utf8.RuneCountInString(*m.Content) > maxContentChars {
		errs = append(errs, fmt.Errorf("content of %d characters", utf8.RuneCountInString(*m.Content)))
	}
	if len(m.Embeds) > maxEmbeds {
		errs = append(errs, fmt.Errorf("%d embeds", len(m.Embeds)))
	}
	total := 0
	for _, e := range m.Embeds {
		n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
		if utf8.RuneCountInString(e.Title) > maxEmbedTitle || utf8.RuneCountInString(e.Description) > maxDescription {
			errs = append(errs, errors.New("an embed's title or description over its limit"))
		}
		for _, fl := range e.Fields {
			n += utf8.RuneCountInString(fl.Name) + utf8.RuneCountInString(fl.Value)
		}
		if e.Footer != nil {
			n += utf8.RuneCountInString(e.Footer.Text)
		}
		if e.Author != nil {
			n += utf8.RuneCountInString(e.Author.Name)
		}
		total += n
	}
	if total > maxEmbedTotalChars {
		errs = append(errs, fmt.Errorf("embeds of %d characters in all", total))
	}
	if m.AllowedMentions == nil {
		errs = append(errs, errors.New("no allowed_mentions: the message may ping"))
	} else {
		var am struct {
			Parse *[]string `json:"parse"`
		}
		if json.Unmarshal(*m.AllowedMentions, &am) != nil || am.Parse == nil || len(*am.Parse) != 0 {
			errs = append(errs, errors.New("allowed_mentions is not an empty parse list: the message may ping"))
		}
	}
	return errors.Join(errs...)
}

// shutdown stops the fake Discord, waiting (bounded by ctx) for calls in progress.
func (f *fakeDiscord) shutdown(ctx context.Context) { _ = f.srv.Shutdown(ctx) }
