package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// Discord answers 429 when footnote goes too fast, with how long to wait in the JSON body
// (retry_after, seconds) and the headers (Retry-After, X-RateLimit-Reset-After), and 5xx
// when it is having trouble. Left to discordgo, a 429 is retried after the body's
// retry_after only, however long and whatever the request's context (an hour-long global
// limit blocks the call for an hour), a 429 without that field (Cloudflare's) is retried
// at once and for ever, a 502 at once, and other 5xx never. restRetry, on the session's
// client, replaces that with one policy: wait what Discord asks, within bounds, then give up
// with an error the member is told to retry after (discordUnavailable).

const (
	// restRetries bounds the retries of one REST call: four attempts over a few seconds
	// ride out a rate limit or a blip of Discord's API without holding a member long.
	restRetries = 3
	// maxRestWait is the longest footnote waits before retrying one call. A longer
	// retry_after (a global or Cloudflare limit) is not waited out: the call fails at
	// once and the member is told to try again. Longer would deliver more answers late,
	// holding a worker (and the "thinking…" reply) all that time.
	maxRestWait = 10 * time.Second
	// restBackoff is the first pause after a 5xx without Retry-After; it doubles with
	// each retry (0.25 s, 0.5 s, 1 s).
	restBackoff = 250 * time.Millisecond
	// defaultRateLimitWait is the pause after a 429 that says nothing of how long to wait.
	defaultRateLimitWait = time.Second
)

// restRetry is an http.RoundTripper that retries what Discord asks to be retried: a 429
// after its retry_after; a 502 or 503 (Discord's edge did not reach the API) after a
// growing pause; a 500 or 504 likewise, but only for methods that do the same when
// repeated (GET, PUT, PATCH, DELETE: Discord's edits replace), since a POST may have
// gone through. When the retries run out, or the wait would pass maxRestWait or the
// request's context, it returns a *discordUnavailableError for 429, 502 and 503; other
// statuses go back to discordgo as they came.
type restRetry struct {
	next http.RoundTripper
}

func (t *restRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(req.Context())
			if req.GetBody != nil {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
		}
		resp, err := t.next.RoundTrip(r)
		if err != nil || !retryable(req.Method, resp.StatusCode) {
			return resp, err
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		wait := retryWait(resp, body, attempt)
		resend := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if attempt == restRetries || wait > maxRestWait || !resend {
			return giveUp(resp, body, wait)
		}
		timer := time.NewTimer(wait)
		select {
		case <-req.Context().Done():
			timer.Stop()
			return nil, errors.Join(req.Context().Err(), &discordUnavailableError{status: resp.StatusCode, wait: wait})
		case <-timer.C:
		}
	}
}

// retryable reports whether a reply of status to method is worth another attempt.
func retryable(method string, status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable:
		return true
	case http.StatusInternalServerError, http.StatusGatewayTimeout:
		return method != http.MethodPost
	}
	return false
}

// retryWait is how long to wait before retrying after resp (whose body is body), the
// reply to attempt (0: the first): for a 429 the body's retry_after, else the
// Retry-After or X-RateLimit-Reset-After header, else defaultRateLimitWait; for a 5xx the
// Retry-After header, else restBackoff doubled per attempt.
func retryWait(resp *http.Response, body []byte, attempt int) time.Duration {
	if resp.StatusCode == http.StatusTooManyRequests {
		var limit struct {
			RetryAfter *float64 `json:"retry_after"`
		}
		if json.Unmarshal(body, &limit) == nil && limit.RetryAfter != nil {
			return seconds(*limit.RetryAfter)
		}
		for _, h := range []string{"Retry-After", "X-RateLimit-Reset-After"} {
			if s, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get(h)), 64); err == nil {
				return seconds(s)
			}
		}
		return defaultRateLimitWait
	}
	if s, err := strconv.ParseFloat(strings.TrimSpace(resp.Header.Get("Retry-After")), 64); err == nil {
		return seconds(s)
	}
	return restBackoff << attempt
}

// seconds converts Discord's seconds (fractional) to a duration; a negative or absurd
// value waits nothing or forever, which maxRestWait turns into giving up.
func seconds(s float64) time.Duration {
	switch {
	case s <= 0 || math.IsNaN(s):
		return 0
	case s > float64(math.MaxInt64/int64(time.Second)):
		return math.MaxInt64
	}
	return time.Duration(s * float64(time.Second))
}

// giveUp ends the retries after resp: a *discordUnavailableError for a rate limit or an
// unreachable API, else resp itself (with its body, read already, restored) for discordgo
// to turn into a RESTError.
func giveUp(resp *http.Response, body []byte, wait time.Duration) (*http.Response, error) {
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable:
		return nil, &discordUnavailableError{status: resp.StatusCode, wait: wait}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, nil
}

// discordUnavailableError is a REST call Discord kept refusing: rate limited, or its API
// unreachable. The member is told to try again (explain).
type discordUnavailableError struct {
	status int
	wait   time.Duration // what Discord asked to wait before the next attempt
}

func (e *discordUnavailableError) Error() string {
	if e.status == http.StatusTooManyRequests {
		return fmt.Sprintf("discord: rate limited (HTTP 429), retry after %v", e.wait.Round(time.Millisecond))
	}
	return fmt.Sprintf("discord: unavailable (HTTP %d)", e.status)
}

// discordUnavailable reports whether err is Discord refusing for now what it may take
// later: a call restRetry gave up on, or a 429 or 5xx reply to one it did not retry.
func discordUnavailable(err error) bool {
	var u *discordUnavailableError
	var re *dg.RESTError
	var rl *dg.RateLimitError
	return errors.As(err, &u) || errors.As(err, &rl) ||
		errors.As(err, &re) && re.Response != nil && (re.Response.StatusCode == http.StatusTooManyRequests || re.Response.StatusCode >= 500)
}
