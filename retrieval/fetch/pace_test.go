package fetch

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Background fetches from one site are spaced by HostDelay; a fetch someone waits for is
// not held back, but the background fetch after it waits its turn. Whether a fetch would
// wait is read without timing: under a context that is already cancelled, a fetch that must
// wait fails at once and one that need not goes through.
func TestUnattendedFetchesTakeTurnsPerSite(t *testing.T) {
	var mu sync.Mutex
	var starts []time.Time // when each request reached the site
	srv, ap := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	}))
	const delay = 300 * time.Millisecond
	f := New(Config{Allow: only(ap), HostDelay: delay})
	bg := Unattended(context.Background())
	begin := time.Now()
	for range 3 {
		if _, err := f.Fetch(bg, srv.URL+"/page"); err != nil {
			t.Fatal(err)
		}
	}
	// The third began at least two turns after the first did, so after begin + 2 delays.
	if took := time.Since(begin); took < 2*delay || len(starts) != 3 {
		t.Errorf("three background fetches from one site took %v (%d reached it), want at least %v", took, len(starts), 2*delay)
	}

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	// Its turn has not come: a background fetch would wait, so it fails with the context.
	g := New(Config{Allow: only(ap), HostDelay: time.Hour})
	if _, err := g.Fetch(bg, srv.URL+"/page"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Fetch(Unattended(cancelled), srv.URL+"/page"); !errors.Is(err, context.Canceled) {
		t.Errorf("a background fetch before its turn = %v, want it to wait (and fail with the cancelled context)", err)
	}
	// A fetch someone waits for does not wait, and the wait of the background fetch after
	// it counts from it.
	g = New(Config{Allow: only(ap), HostDelay: time.Hour})
	if _, err := g.Fetch(context.Background(), srv.URL+"/page"); err != nil {
		t.Fatal(err)
	}
	if err := g.pace.wait(cancelled, ap.Addr().String()); err != nil {
		t.Errorf("an attended fetch right after another waited: %v", err)
	}
	if err := g.pace.wait(Unattended(cancelled), ap.Addr().String()); !errors.Is(err, context.Canceled) {
		t.Errorf("a background fetch after an attended one = %v, want it to wait its turn", err)
	}
	// Another site's turn is its own.
	if err := g.pace.wait(Unattended(cancelled), "other.example"); err != nil {
		t.Errorf("a background fetch from another site waited: %v", err)
	}
	// No delay paces nothing.
	if err := New(Config{}).pace.wait(Unattended(cancelled), ap.Addr().String()); err != nil {
		t.Errorf("without HostDelay a fetch waited: %v", err)
	}
}
