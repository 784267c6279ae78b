package main

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

// closedURL returns a base URL on which nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "http://" + l.Addr().String() + "/v1"
}

func TestEmbedderStartupErrors(t *testing.T) {
	tests := []struct {
		name    string
		base    func(t *testing.T) string
		key     string
		want    []string
		notWant string
	}{
		{
			name: "a server that is not running names OPENAI_BASE_URL and says to start it",
			base: closedURL,
			want: []string{"cannot get a test embedding of FOOTNOTE_EMBED_MODEL nomic-embed-text from OPENAI_BASE_URL http://127.0.0.1:",
				"connection refused", "; start the embedding server, or correct OPENAI_BASE_URL"},
		},
		{
			name: "a rejected key says to check OPENAI_API_KEY",
			base: func(t *testing.T) string { return oaitest.New(t, oaitest.Reply{Status: 401}).URL },
			key:  "sk-wrong",
			want: []string{"from OPENAI_BASE_URL http://127.0.0.1:", "status code: 401", "; check OPENAI_API_KEY"},
		},
		{
			name: "an unknown model or path says to check the model and the /v1",
			base: func(t *testing.T) string { return oaitest.New(t, oaitest.Reply{Status: 404}).URL },
			want: []string{"status code: 404", "; check that the server has FOOTNOTE_EMBED_MODEL and that OPENAI_BASE_URL ends in /v1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A startup deadline cuts the retries short; the last attempt's error still shows.
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			m := &Main{Config: Config{OpenAIBaseURL: tt.base(t), OpenAIKey: tt.key, EmbedModel: "nomic-embed-text"}}
			_, err := m.embedder(ctx)
			if err == nil {
				t.Fatal("embedder succeeded, want an error")
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\nwant it to contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q has more than one line", msg)
			}
		})
	}
	t.Run("no OPENAI_BASE_URL names OpenAI's, the default", func(t *testing.T) {
		err := probeError(Config{EmbedModel: "text-embedding-3-small"}, context.DeadlineExceeded)
		if want := "from OPENAI_BASE_URL https://api.openai.com/v1 (the default): context deadline exceeded; start"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q, want it to contain %q", err, want)
		}
	})
}
