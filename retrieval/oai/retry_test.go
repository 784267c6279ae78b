package oai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name, in string
		want     time.Duration
		wantOK   bool
	}{
		{"seconds are read as a delay", "7", 7 * time.Second, true},
		{"an HTTP date is read as a time to wait for", now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second, true},
		{"a missing header gives no hint", "", 0, false},
		{"garbage gives no hint", "soon", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	srv := oaitest.New(t, oaitest.Reply{Status: 429, RetryAfter: "1"}, oaitest.Reply{})
	c, err := New(Config{BaseURL: srv.URL}, "test-embed", Retry{MaxRetries: 1})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.CreateEmbeddings(context.Background(), embeddingRequest(1)); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 900*time.Millisecond {
		t.Errorf("retry came after %v, want about the 1s the server asked for", took)
	}
}

func TestBackoffGrowsWithinItsCap(t *testing.T) {
	base, maxWait := 500*time.Millisecond, 4*time.Second
	for attempt, want := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second} {
		t.Run(fmt.Sprintf("attempt %d waits between half and all of %v", attempt, want), func(t *testing.T) {
			for range 50 {
				if d := backoff(base, maxWait, attempt); d < want/2 || d > want {
					t.Fatalf("backoff = %v, want within [%v, %v]", d, want/2, want)
				}
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil is not retried", nil, false},
		{"a cancelled context is not retried", fmt.Errorf("call: %w", context.Canceled), false},
		{"an attempt's own deadline is retried", fmt.Errorf("call: %w", context.DeadlineExceeded), true},
		{"a malformed reply is not retried", errors.New("server returned 2 vectors for 3 texts"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Retryable(tt.err); got != tt.want {
				t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}
