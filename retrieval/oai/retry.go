package oai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Retry is the retry policy footnote uses for every call to an OpenAI-compatible server:
// a rate limit (429), a server error (5xx), a network error or an attempt that ran out of
// its own Timeout is tried again after an exponential, jittered backoff; any other 4xx and
// any malformed reply are final.
type Retry struct {
	MaxRetries int           // retries after the first attempt; 0 or less means none
	Timeout    time.Duration // bound on each attempt; 0 means only ctx bounds it
	Base       time.Duration // first backoff; 0 means 500ms
	Cap        time.Duration // longest wait between attempts, Retry-After included; 0 means 20s
}

// Do runs op until it succeeds, fails with an error Retryable rejects, or the retries run
// out, giving each attempt a context bounded by Timeout. It returns nil on success, else
// the last attempt's error (wrapped with the attempt count), or ctx's error joined with the
// last attempt's when ctx ends first. A Retry-After header (seconds or an HTTP date) on a
// failed reply replaces the computed backoff, within Cap, when op's request went through a
// Client (whose transport reports the header).
func (r Retry) Do(ctx context.Context, op func(ctx context.Context) error) error {
	base, maxWait := r.Base, r.Cap
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if maxWait <= 0 {
		maxWait = 20 * time.Second
	}
	for attempt := 0; ; attempt++ {
		h := &hint{}
		err := r.attempt(context.WithValue(ctx, hintKey{}, h), op)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w; last attempt: %w", ctx.Err(), err)
		}
		if attempt >= r.MaxRetries || !Retryable(err) {
			return fmt.Errorf("after %s: %w", attempts(attempt+1), err)
		}
		wait := backoff(base, maxWait, attempt)
		if h.ok {
			wait = min(h.after, maxWait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w; last attempt: %w", ctx.Err(), err)
		case <-t.C:
		}
	}
}

func (r Retry) attempt(ctx context.Context, op func(ctx context.Context) error) error {
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	return op(ctx)
}

// backoff is base·2^attempt, capped, with "equal jitter": a random point in its upper half.
func backoff(base, maxWait time.Duration, attempt int) time.Duration {
	d := base << min(attempt, 20)
	if d <= 0 || d > maxWait {
		d = maxWait
	}
	half := d / 2
	return half + rand.N(half+1)
}

// Retryable reports whether err is worth another attempt: a 429 or 5xx reply from the
// server, a network error, a connection cut mid-reply, or an attempt's own deadline. It
// returns false for nil, for cancellation and for everything else.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if code, ok := StatusCode(err); ok {
		return code == http.StatusTooManyRequests || code >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var urlErr *url.Error
	var netErr net.Error
	return errors.As(err, &urlErr) || errors.As(err, &netErr)
}

// StatusCode returns the HTTP status of the server's error reply that err wraps, and false
// when err carries none (a network error, a timeout, a malformed reply).
func StatusCode(err error) (int, bool) {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) && apiErr.HTTPStatusCode > 0 {
		return apiErr.HTTPStatusCode, true
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) && reqErr.HTTPStatusCode > 0 {
		return reqErr.HTTPStatusCode, true
	}
	return 0, false
}

// withRetryAfter returns a shallow copy of hc (a new client when hc is nil) whose transport
// reports each reply's Retry-After header to Retry.Do; go-openai's errors do not carry
// headers, so this is how the server's wish reaches the backoff. It never fails.
func withRetryAfter(hc *http.Client) *http.Client {
	c := &http.Client{}
	if hc != nil {
		*c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = retryAfterTransport{base: base}
	return c
}

type hintKey struct{}

// hint carries one attempt's Retry-After. RoundTrip runs on the goroutine that called
// Client.Do, inside the attempt, so no lock is needed.
type hint struct {
	after time.Duration
	ok    bool
}

type retryAfterTransport struct{ base http.RoundTripper }

func (t retryAfterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 400 {
		return resp, err
	}
	if h, ok := req.Context().Value(hintKey{}).(*hint); ok {
		h.after, h.ok = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return resp, nil
}

// parseRetryAfter reads a Retry-After value: delay seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(min(s, 3600)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// attempts is "1 attempt", "2 attempts": n and the noun, plural when n is not 1.
func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}
