// Package oaitest is a fake OpenAI-compatible server for tests: it speaks the wire format
// of /v1/embeddings and /v1/chat/completions, answers from a script, and records what it
// was sent.
package oaitest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Reply scripts one response. Status 0 means a good reply: for a chat completion, a message
// of Content; for embeddings, the vectors described at Server.
type Reply struct {
	Status     int           // an error status to reply with; 0 means success
	RetryAfter string        // the Retry-After header, when not ""
	Delay      time.Duration // wait this long first (or until the client gives up)
	Content    string        // a chat reply's message
	// Body, when not "", is the raw reply body, sent with Status (200 when 0) instead of the
	// scripted one: garbage for a client to choke on, or an error that quotes the request
	// ("{auth}" in it becomes the request's Authorization header, as an echoing proxy does).
	Body string
	// Respond, when set, makes a good chat reply's message from the request's system and
	// user messages, in place of Content: a model that does what it reads.
	Respond func(system, user string) string
}

// AuthEcho is the placeholder in Reply.Body that becomes the request's Authorization header.
const AuthEcho = "{auth}"

// Failing returns a reply of an error status that asks for an immediate retry
// (Retry-After: 0), so tests of retries do not wait for backoff.
func Failing(status int) Reply { return Reply{Status: status, RetryAfter: "0"} }

// Request is what the server saw of one request.
type Request struct {
	Path string         // the URL path, e.g. /v1/embeddings
	Auth string         // the Authorization header
	Body map[string]any // the JSON body
}

// Server is a fake OpenAI-compatible server. Replies are used in order and the last one
// repeats; with none, every reply is good. A good embeddings reply gives the text "text N"
// a vector of length 3 along axis N of "dimensions" (default 8) and lists the data in
// reverse order, so clients must sort by index.
type Server struct {
	// URL is the base URL to configure a client with, ending in /v1.
	URL string

	mu      sync.Mutex
	replies []Reply
	reqs    []Request
}

// New starts a server that replies per replies and stops when the test ends.
func New(t testing.TB, replies ...Reply) *Server {
	t.Helper()
	s := &Server{replies: replies}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL + "/v1"
	return s
}

// Requests returns a copy of what the server has been sent, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Check fails t unless the server saw wantRequests requests and err is as wanted: one
// containing wantErr, or nil when wantErr is "". It reports whether the call succeeded, so
// that the caller goes on to check the reply.
func (s *Server) Check(t testing.TB, err error, wantErr string, wantRequests int) bool {
	t.Helper()
	if n := len(s.Requests()); n != wantRequests {
		t.Errorf("server saw %d requests, want %d", n, wantRequests)
	}
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("error %v, want none", err)
	case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
		t.Fatalf("error %v, want one containing %q", err, wantErr)
	}
	return err == nil
}

// ServeHTTP answers one request from the script.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || (r.URL.Path != "/v1/embeddings" && r.URL.Path != "/v1/chat/completions") {
		http.NotFound(w, r)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, Request{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body})
	var rep Reply
	if len(s.replies) > 0 {
		rep = s.replies[0]
		if len(s.replies) > 1 {
			s.replies = s.replies[1:]
		}
	}
	s.mu.Unlock()
	if rep.Delay > 0 {
		select {
		case <-time.After(rep.Delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if rep.RetryAfter != "" {
		w.Header().Set("Retry-After", rep.RetryAfter)
	}
	if rep.Body != "" {
		w.WriteHeader(cmp.Or(rep.Status, http.StatusOK))
		_, _ = io.WriteString(w, strings.ReplaceAll(rep.Body, AuthEcho, r.Header.Get("Authorization")))
		return
	}
	if rep.Status != 0 {
		w.WriteHeader(rep.Status)
		fmt.Fprintf(w, `{"error":{"message":"status %d","type":"invalid_request_error","param":null,"code":null}}`, rep.Status)
		return
	}
	if r.URL.Path == "/v1/chat/completions" {
		content := rep.Content
		if rep.Respond != nil {
			content = rep.Respond(message(body, "system"), message(body, "user"))
		}
		json.NewEncoder(w).Encode(chatReply(body, content))
		return
	}
	json.NewEncoder(w).Encode(embeddingsReply(body))
}

// message returns the content of the first message of role in a chat request's body.
func message(body map[string]any, role string) string {
	msgs, _ := body["messages"].([]any)
	for _, m := range msgs {
		if m, ok := m.(map[string]any); ok && m["role"] == role {
			s, _ := m["content"].(string)
			return s
		}
	}
	return ""
}

func chatReply(body map[string]any, content string) map[string]any {
	return map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1700000000, "model": body["model"],
		"choices": []map[string]any{{
			"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content},
		}},
		"usage": map[string]int{"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
	}
}

func embeddingsReply(body map[string]any) map[string]any {
	dims := 8
	if d, ok := body["dimensions"].(float64); ok {
		dims = int(d)
	}
	inputs, _ := body["input"].([]any)
	data := make([]map[string]any, 0, len(inputs))
	for i := len(inputs) - 1; i >= 0; i-- {
		s, _ := inputs[i].(string)
		n, _ := strconv.Atoi(strings.TrimPrefix(s, "text "))
		vec := make([]float32, dims)
		vec[n%dims] = 3
		data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": vec})
	}
	return map[string]any{
		"object": "list", "data": data, "model": body["model"],
		"usage": map[string]int{"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
	}
}

// Texts returns n texts "text 0" … "text N-1", which a good embeddings reply maps to
// distinct axes.
func Texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "text " + strconv.Itoa(i)
	}
	return out
}
