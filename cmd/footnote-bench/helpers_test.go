package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeShared makes a shared folder as the bench reads it, small: two squad-dev articles
// with three questions about them, bbc BBC-like articles, a synth-corpus that writes
// distinct articles, and a score-retrieval that prints a fixed hit@1 of 0.5.
func fakeShared(t *testing.T, bbc int) string {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, content string, mode os.FileMode) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	line := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	squad := line(map[string]string{"url": "https://en.wikipedia.org/wiki/Harbour", "title": "Harbour", "published": "2010-01-01",
		"text": "The harbour of Kelport opened in 1843.\n\nIts lighthouse was built by the engineer Ada Brunel in 1851."}) +
		line(map[string]string{"url": "https://en.wikipedia.org/wiki/Tram", "title": "Tram", "published": "2010-01-01",
			"text": "The tram line to the airport opens in 2027.\n\nIt costs 120 million euros."})
	write("data/squad-dev/articles.jsonl", squad, 0o644)
	var qs strings.Builder
	for i, q := range []string{"When did the harbour of Kelport open?", "Who built the lighthouse?", "When does the tram line open?"} {
		qs.WriteString(line(map[string]any{"id": fmt.Sprintf("q%d", i), "question": q, "answers": []string{"x"}, "evidences": []string{"x"},
			"url": "https://en.wikipedia.org/wiki/Harbour"}))
	}
	write("data/squad-dev/questions.jsonl", qs.String(), 0o644)
	var b strings.Builder
	for i := range bbc {
		b.WriteString(line(map[string]string{"url": fmt.Sprintf("https://news.example/bbc/%d", i), "title": fmt.Sprintf("Council budget %d", i),
			"published": "2005-03-04", "text": fmt.Sprintf("The council passed budget number %d on Tuesday after a long debate.", i)}))
	}
	write("data/bbc/articles.jsonl", b.String(), 0o644)
	write("tools/synth-corpus", `#!/bin/sh
i=$1; end=$(($1 + $2))
while [ "$i" -lt "$end" ]; do
  printf '{"url":"https://news.example/synth/%d","title":"Ferry %d","published":"2005-01-02","text":"Ferry number %d crosses the bay every morning with %d passengers."}\n' "$i" "$i" "$i" "$i"
  i=$((i + 1))
done
`, 0o755)
	write("tools/score-retrieval", "#!/bin/sh\necho '{\"hit@1\": 0.5, \"hit@3\": 0.5, \"n\": 3}'\n", 0o755)
	return dir
}
