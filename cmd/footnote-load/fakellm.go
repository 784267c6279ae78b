package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"
)

// fakeLLM is an OpenAI-compatible chat endpoint (POST /v1/chat/completions) that takes
// latency to answer: a slow model, which makes answers outlast footnote's shutdown grace.
// Its reply cites passage [1]; whatever footnote's checks keep of it, the member gets an
// answer.
type fakeLLM struct {
	srv *http.Server
	url string // ends in /v1, as OPENAI_BASE_URL
}

func startFakeLLM(latency time.Duration) (*fakeLLM, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake LLM: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-load", "object": "chat.completion", "created": time.Now().Unix(), "model": "load-llm",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": "The articles report it [1]."}}},
			"usage": map[string]any{"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
		})
	})
	f := &fakeLLM{srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, url: "http://" + ln.Addr().String() + "/v1"}
	go func() { _ = f.srv.Serve(ln) }()
	return f, nil
}

func (f *fakeLLM) close() { _ = f.srv.Close() }
