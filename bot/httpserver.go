package bot

import (
	"encoding/json"
	"net/http"
	"strconv"
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
// now; otherwise it is answered 401 and nothing runs. PING is answered PONG in the body;
// everything else goes to the same handlers as the gateway, is acknowledged through the
// interaction callback endpoint, and the request is answered 202 Accepted.
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
	var i dg.Interaction
	if err := json.NewDecoder(r.Body).Decode(&i); err != nil {
		http.Error(w, "bad interaction", http.StatusBadRequest)
		return
	}
	if i.Type == dg.InteractionPing {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(dg.InteractionResponse{Type: dg.InteractionResponsePong})
		return
	}
	b.handleInteraction(r.Context(), &i)
	w.WriteHeader(http.StatusAccepted)
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
