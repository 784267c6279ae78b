package bot

import (
	"io"
	"net/http"
	"strings"
)

// refuseFollowup makes Discord refuse the nth follow-up (1: the first) of the interaction
// with token, with 403 Missing Permissions.
func (f *fakeDiscord) refuseFollowup(token string, nth int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refusedFollowup == nil {
		f.refusedFollowup = make(map[string]int)
	}
	f.refusedFollowup[token] = nth
}

// refusesFollowup reports whether c, already recorded, is a follow-up to refuse.
func (f *fakeDiscord) refusesFollowup(c call) bool {
	token := c.Path[strings.LastIndex(c.Path, "/")+1:]
	if !followupOf(token)(c) {
		return false
	}
	f.mu.Lock()
	nth, ok := f.refusedFollowup[token]
	f.mu.Unlock()
	return ok && len(f.recorded(followupOf(token))) == nth
}

// refusedAsFollowup answers c with 403 Missing Permissions when it is the follow-up to
// refuse, and reports whether it did.
func (f *fakeDiscord) refusedAsFollowup(w http.ResponseWriter, c call) bool {
	if !f.refusesFollowup(c) {
		return false
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, `{"message": "Missing Permissions", "code": 50013}`)
	return true
}
