package bot

import (
	"context"
	"strings"
)

// hold makes the fake Discord hold every REST call whose path contains key (an interaction
// token, say), after recording it, until release is closed: a slow round trip to Discord.
func (f *fakeDiscord) hold(key string, release <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.held == nil {
		f.held = make(map[string]<-chan struct{})
	}
	f.held[key] = release
}

// waitIfHeld waits while a call to path is held, or until the request is abandoned.
func (f *fakeDiscord) waitIfHeld(ctx context.Context, path string) {
	f.mu.Lock()
	var release <-chan struct{}
	for k, ch := range f.held {
		if strings.Contains(path, k) {
			release = ch
		}
	}
	f.mu.Unlock()
	if release == nil {
		return
	}
	select {
	case <-release:
	case <-ctx.Done():
	}
}
