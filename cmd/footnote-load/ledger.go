package main

import (
	"strings"
	"sync"
	"time"
)

// ledger holds every interaction the driver sent and every message the fake Discord
// received for it, so that each interaction can be matched to exactly one final message.
type ledger struct {
	mu      sync.Mutex
	byToken map[string]*record
	// strays are REST calls for no interaction the driver sent, or of a kind footnote
	// should not make over the HTTP transport (such as the gateway's callback endpoint).
	strays []string
	// invalid are messages Discord would refuse or that would ping someone.
	invalid []string
	// unknown404 counts edits and follow-ups that reached the fake Discord before the
	// interaction's deferral did, answered 404 as Discord does.
	unknown404 int
}

func newLedger() *ledger { return &ledger{byToken: make(map[string]*record)} }

// ackKind is what the HTTP response to an interaction was.
type ackKind int

const (
	ackNone      ackKind = iota // no response yet, a transport error, or an HTTP error
	ackDeferred                 // type 5: "thinking…", the answer comes by REST
	ackImmediate                // type 4: a message at once (refusals: busy, rate limited)
)

// record is one interaction: what was sent, how it was acknowledged, and what followed.
type record struct {
	id, token string
	phase     int
	sent      time.Time
	ackAt     time.Time // when the HTTP response was read
	ack       ackKind
	ackNote   string // the HTTP status or transport error when not acknowledged
	immediate string // an immediate reply's text
	events    []event
	deleted   bool          // the original response was deleted
	done      chan struct{} // closed at the first final message
}

// event is one message (or deletion) the fake Discord received for an interaction.
type event struct {
	at        time.Time
	kind      string // "edit", "followup" or "delete"
	text      string
	ephemeral bool
}

// add registers an interaction before it is sent, so that no REST call can outrun it.
func (l *ledger) add(id, token string, phase int, sent time.Time) *record {
	r := &record{id: id, token: token, phase: phase, sent: sent, done: make(chan struct{})}
	l.mu.Lock()
	l.byToken[token] = r
	l.mu.Unlock()
	return r
}

// acknowledged records the HTTP response to an interaction.
func (l *ledger) acknowledged(r *record, kind ackKind, note string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.ack, r.ackAt = kind, at
	switch kind {
	case ackImmediate:
		r.immediate = note
		r.finish()
	case ackNone:
		r.ackNote = note
		r.finish()
	}
}

// finish closes r.done once; l.mu is held.
func (r *record) finish() {
	select {
	case <-r.done:
	default:
		close(r.done)
	}
}

// Notices footnote sends instead of an answer (bot/errors.go), by what they tell the member.
var notices = []struct{ prefix, kind string }{
	{"footnote is busy right now.", outcomeRetry},
	{"footnote is restarting.", outcomeRetry},
	{"footnote restarted before it could finish.", outcomeRetry},
	{"You're going faster than footnote allows", outcomeRateLimited},
	{"Something went wrong on footnote's side", outcomeError},
	{"footnote couldn't finish this;", outcomeSettled}, // a public "thinking…" that could not be deleted
}

// Outcomes of an interaction.
const (
	outcomeAnswered    = "answered"
	outcomeRetry       = "told to retry"
	outcomeRateLimited = "rate limited"
	outcomeError       = "internal error"
	outcomeSettled     = "settled" // part of an error's path, never final alone
	outcomeOther       = "other notice"
	outcomeLost        = "lost"
	outcomeUnacked     = "not acknowledged"
	outcomeDuplicated  = "duplicated"
)

// noticeKind returns what a message tells the member when it is one of footnote's notices,
// and "" when it is (part of) an answer.
func noticeKind(text string) string {
	for _, n := range notices {
		if strings.HasPrefix(text, n.prefix) {
			return n.kind
		}
	}
	return ""
}

// isFinal reports whether a message ends an interaction for the member waiting on it: an
// answer (its first part replaces "thinking…") or a notice other than the settling one.
func isFinal(e event) bool {
	if e.kind == "delete" {
		return false
	}
	k := noticeKind(e.text)
	if k == "" {
		return e.kind == "edit"
	}
	return k != outcomeSettled
}

// outcome says how an interaction ended and when: the time of its last answer part, or of
// its notice. An interaction with both an answer and a notice, or two answers, or two
// notices, is duplicated.
func (r *record) outcome() (string, time.Time) {
	switch r.ack {
	case ackNone:
		return outcomeUnacked, time.Time{}
	case ackImmediate:
		if k := noticeKind(r.immediate); k != "" {
			return k, r.ackAt
		}
		return outcomeOther, r.ackAt
	}
	var answers, parts int
	var last time.Time
	var kinds []string
	for _, e := range r.events {
		if e.kind == "delete" {
			continue
		}
		switch k := noticeKind(e.text); {
		case k == outcomeSettled:
		case k != "":
			kinds = append(kinds, k)
			last = e.at
		case e.kind == "edit":
			answers++
			parts++
			last = e.at
		case !e.ephemeral: // a further part of the answer
			parts++
			last = e.at
		default:
			kinds = append(kinds, outcomeOther)
			last = e.at
		}
	}
	switch {
	case answers > 1, len(kinds) > 1, answers == 1 && len(kinds) > 0:
		return outcomeDuplicated, last
	case answers == 0 && parts > 0: // a later part with no first one
		return outcomeOther, last
	case answers == 1:
		return outcomeAnswered, last
	case len(kinds) == 1:
		return kinds[0], last
	}
	return outcomeLost, time.Time{}
}

// inFlight counts the interactions of phase that were deferred and have had no final
// message yet.
func (l *ledger) inFlight(phase int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.byToken {
		if r.phase == phase && r.ack == ackDeferred && !r.isDone() {
			n++
		}
	}
	return n
}

func (r *record) isDone() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// records returns the interactions of phase.
func (l *ledger) records(phase int) []*record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*record
	for _, r := range l.byToken {
		if r.phase == phase {
			out = append(out, r)
		}
	}
	return out
}
