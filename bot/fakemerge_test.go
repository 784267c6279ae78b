package bot

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Discord merges the embeds of one message that share a url into one (a gallery): only
// the first shows its title and description, the others give it at most their image. The
// fake Discord models it: every message it receives is checked, and a test fails when an
// embed carrying text would be hidden that way.

// mergeCheck collects the embeds hidden by merging, for one fake Discord.
type mergeCheck struct {
	mu     sync.Mutex
	hidden []string
}

// watchMerges makes t fail, at its end, when f received a message whose embeds merge.
func (f *fakeDiscord) watchMerges(t *testing.T) {
	t.Cleanup(func() {
		f.merges.mu.Lock()
		defer f.merges.mu.Unlock()
		for _, h := range f.merges.hidden {
			t.Errorf("Discord would hide an embed: %s", h)
		}
	})
}

// noteMerges records the embeds of c's message that Discord would hide.
func (f *fakeDiscord) noteMerges(c call) {
	msg := c
	if _, ok := c.Body["data"]; ok { // an interaction callback: the message is its data
		msg = c.data()
	}
	hidden := hiddenEmbeds(msg.embeds())
	if len(hidden) == 0 {
		return
	}
	f.merges.mu.Lock()
	defer f.merges.mu.Unlock()
	for _, e := range hidden {
		f.merges.hidden = append(f.merges.hidden, fmt.Sprintf("%s %s: %q (url %v)", c.Method, c.Path, e["title"], e["url"]))
	}
}

// hiddenEmbeds returns the embeds Discord would not show: those after the first with the
// same url that carry a title, description or fields.
func hiddenEmbeds(embeds []map[string]any) []map[string]any {
	seen := map[string]bool{}
	var hidden []map[string]any
	for _, e := range embeds {
		u, _ := e["url"].(string)
		if u == "" {
			continue
		}
		if seen[u] && hasText(e) {
			hidden = append(hidden, e)
		}
		seen[u] = true
	}
	return hidden
}

func hasText(e map[string]any) bool {
	for _, k := range []string{"title", "description"} {
		if s, _ := e[k].(string); strings.TrimSpace(s) != "" {
			return true
		}
	}
	fields, _ := e["fields"].([]any)
	return len(fields) > 0
}

// visibleEmbeds returns the embeds of the message Discord shows.
func (c call) visibleEmbeds() []map[string]any {
	seen := map[string]bool{}
	var out []map[string]any
	for _, e := range c.embeds() {
		u, _ := e["url"].(string)
		if u != "" && seen[u] {
			continue
		}
		seen[u] = true
		out = append(out, e)
	}
	return out
}

func TestFakeDiscordMergesEmbedsByURL(t *testing.T) {
	embeds := []map[string]any{
		{"title": "[1] A", "url": "https://a.example/x", "description": "> one"},
		{"title": "[2] A", "url": "https://a.example/x", "description": "> two"},
		{"title": "[3] B", "url": "https://b.example/y", "description": "> three"},
		{"title": "[4] no link", "description": "> four"},
		{"title": "[5] no link", "description": "> five"},
	}
	if h := hiddenEmbeds(embeds); len(h) != 1 || h[0]["title"] != "[2] A" {
		t.Errorf("hidden = %v, want only the second embed of a.example", h)
	}
	list := make([]any, len(embeds))
	for i, e := range embeds {
		list[i] = e
	}
	if v := (call{Body: map[string]any{"embeds": list}}).visibleEmbeds(); len(v) != 4 {
		t.Errorf("%d visible embeds, want 4", len(v))
	}
}
