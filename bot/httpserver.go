package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

const (
	// maxInteractionBytes bounds a request body; real interactions are a few KB.
	maxInteractionBytes = 1 << 20
	// maxSignatureAge is how far a signed timestamp may be from now, either way: an older
	// signature is a replay.
	maxSignatureAge = 5 * time.Minute
)

// HTTPHandler serves Discord's HTTP interactions at POST /interactions. Every request must
// carry a valid Ed25519 signature (cfg.PublicKey) over a timestamp within five minutes of
// now; otherwise it is answered 401 and nothing runs. PING is answered PONG. Everything
// else goes to the same handlers as the gateway, and their first response (a deferral, or
// an immediate reply) is the body of the HTTP response, as Discord requires for
// interactions it sends over HTTP (its callback endpoint is for gateway interactions only);
// edits and follow-ups then go through the REST API.
func (b *Bot) HTTPHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /interactions", b.serveInteraction)
	return mux
}

func (b *Bot) serveInteraction(w http.ResponseWriter, r *http.Request) {
	if b.pubKey == nil {
		b.log.Warn("interaction refused: no public key configured (DISCORD_PUBLIC_KEY)")
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxInteractionBytes)
	if !dg.VerifyInteraction(r, b.pubKey) {
		b.metrics.interactions.WithLabelValues("signature", outcomeRefused).Inc()
		http.Error(w, "invalid request signature", http.StatusUnauthorized)
		return
	}
	if !fresh(r.Header.Get("X-Signature-Timestamp"), b.now()) {
		b.metrics.interactions.WithLabelValues("signature", outcomeRefused).Inc()
		http.Error(w, "stale request signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad interaction", http.StatusBadRequest)
		return
	}
	i, err := decodeInteraction(body)
	if err != nil {
		http.Error(w, "bad interaction", http.StatusBadRequest)
		return
	}
	if i.Type == dg.InteractionPing {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(dg.InteractionResponse{Type: dg.InteractionResponsePong})
		return
	}
	ack := &bodyAck{resp: make(chan *dg.InteractionResponse, 1), written: make(chan struct{})}
	defer close(ack.written)
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The handler outlives this request: its work goes on after the response is sent.
		b.handleInteraction(context.WithoutCancel(r.Context()), i, ack.send)
	}()
	var resp *dg.InteractionResponse
	select {
	case resp = <-ack.resp:
	case <-done:
		select {
		case resp = <-ack.resp:
		default:
			w.WriteHeader(http.StatusNoContent) // an interaction footnote does not handle
			return
		}
	case <-time.After(ackWindow):
		ack.err = errors.New("bot: no response within Discord's window")
		b.log.Error("interaction not acknowledged in time", "interaction_id", i.ID)
		http.Error(w, "no response in time", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		ack.err = fmt.Errorf("bot: write interaction response: %w", err)
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// ackWindow is how long the endpoint waits for a handler's first response: Discord gives
// three seconds from sending the interaction.
const ackWindow = 2500 * time.Millisecond

// bodyAck carries an interaction's first response from its handler into the HTTP
// response body.
type bodyAck struct {
	once    sync.Once
	resp    chan *dg.InteractionResponse // the first response, buffered
	written chan struct{}                // closed when the HTTP response is done
	err     error                        // set before written closes
}

// send hands the first response to the HTTP handler and waits until it is written. A
// second response is an error: Discord takes one initial response per interaction.
func (a *bodyAck) send(ctx context.Context, resp *dg.InteractionResponse) error {
	first := false
	a.once.Do(func() { first = true })
	if !first {
		return errors.New("bot: interaction already acknowledged")
	}
	a.resp <- resp
	select {
	case <-a.written:
		return a.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// fresh reports whether ts (unix seconds) is within maxSignatureAge of now.
func fresh(ts string, now time.Time) bool {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(sec, 0))
	return d <= maxSignatureAge && d >= -maxSignatureAge
}
