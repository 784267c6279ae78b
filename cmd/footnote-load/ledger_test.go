package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestOutcome(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	edit := func(ms int, text string) event { return event{at: at(ms), kind: "edit", text: text} }
	part := func(ms int, text string) event { return event{at: at(ms), kind: "followup", text: text} }
	notice := func(ms int, text string) event {
		return event{at: at(ms), kind: "followup", text: text, ephemeral: true}
	}
	del := event{at: at(5), kind: "delete"}
	for _, tc := range []struct {
		name   string
		r      record
		want   string
		wantAt time.Time
	}{
		{"an answer in one message is answered when it replaces the deferral",
			record{ack: ackDeferred, events: []event{edit(40, "“The ferry…” [1]")}}, outcomeAnswered, at(40)},
		{"an answer in three messages is answered when its last part arrives",
			record{ack: ackDeferred, events: []event{edit(40, "part 1"), part(60, "part 2"), part(80, "part 3")}}, outcomeAnswered, at(80)},
		{"a deferred interaction with no message is lost",
			record{ack: ackDeferred}, outcomeLost, time.Time{}},
		{"a restart notice after the deferral was deleted tells the member to retry",
			record{ack: ackDeferred, events: []event{del, notice(10, "footnote restarted before it could finish. Try again in a moment.")}}, outcomeRetry, at(10)},
		{"a settled reply followed by the notice counts the notice alone",
			record{ack: ackDeferred, events: []event{edit(9, "footnote couldn't finish this; the reason was shown to the member who asked."),
				notice(10, "footnote is restarting. Retry in a few seconds.")}}, outcomeRetry, at(10)},
		{"an answer edited twice is duplicated",
			record{ack: ackDeferred, events: []event{edit(40, "answer"), edit(50, "answer")}}, outcomeDuplicated, at(50)},
		{"an answer and a notice for one interaction are duplicated",
			record{ack: ackDeferred, events: []event{edit(40, "answer"), notice(50, "Something went wrong on footnote's side (error id 1).")}}, outcomeDuplicated, at(50)},
		{"an internal error is told as such",
			record{ack: ackDeferred, events: []event{del, notice(10, "Something went wrong on footnote's side (error id 1).")}}, outcomeError, at(10)},
		{"a busy refusal at once tells the member to retry",
			record{ack: ackImmediate, ackAt: at(3), immediate: "footnote is busy right now. Retry in a few seconds."}, outcomeRetry, at(3)},
		{"no acknowledgement is not acknowledged",
			record{ack: ackNone, ackNote: "HTTP 500 no response in time"}, outcomeUnacked, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, gotAt := tc.r.outcome()
			if got != tc.want || !gotAt.Equal(tc.wantAt) {
				t.Errorf("outcome = %q at %v, want %q at %v", got, gotAt.Sub(t0), tc.want, tc.wantAt.Sub(t0))
			}
		})
	}
}

func TestMessageCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want string // "" when Discord would take it
	}{
		{"a short message that pings nobody is taken", `{"content":"ok","allowed_mentions":{"parse":[]}}`, ""},
		{"content over 2,000 characters is refused", `{"content":"` + strings.Repeat("é", 2001) + `","allowed_mentions":{"parse":[]}}`, "content of 2001"},
		{"eleven embeds are refused", `{"embeds":[{},{},{},{},{},{},{},{},{},{},{}],"allowed_mentions":{"parse":[]}}`, "11 embeds"},
		{"a message without allowed_mentions may ping", `{"content":"hi"}`, "may ping"},
		{"a message allowing @everyone may ping", `{"content":"hi","allowed_mentions":{"parse":["everyone"]}}`, "may ping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m wireMessage
			if err := json.Unmarshal([]byte(tc.body), &m); err != nil {
				t.Fatal(err)
			}
			err := m.check()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("check = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
