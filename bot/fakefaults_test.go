package bot

import (
	"io"
	"net/http"
	"strings"
)

// fault makes the fake Discord fail the next n calls that match, the way Discord or a
// proxy in front of it does: with status, headers and body. "{auth}" in the body becomes
// the call's Authorization header, as an echoing proxy's error page shows it.
type fault struct {
	match  func(call) bool
	n      int // calls left to fail; -1 fails every one
	status int
	header map[string]string
	body   string
}

// failNext makes the next n calls matching match fail as ft says (n -1: all of them).
func (f *fakeDiscord) failNext(n int, match func(call) bool, ft fault) {
	ft.match, ft.n = match, n
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &ft)
}

// serveFault answers c with the first fault that matches it, and reports whether it did.
func (f *fakeDiscord) serveFault(w http.ResponseWriter, r *http.Request, c call) bool {
	f.mu.Lock()
	var hit *fault
	for _, ft := range f.faults {
		if ft.n != 0 && ft.match(c) {
			hit = ft
			if ft.n > 0 {
				ft.n--
			}
			break
		}
	}
	f.mu.Unlock()
	if hit == nil {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	for k, v := range hit.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(hit.status)
	_, _ = io.WriteString(w, strings.ReplaceAll(hit.body, "{auth}", r.Header.Get("Authorization")))
	return true
}
