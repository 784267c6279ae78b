package bot

import (
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestProgressLine(t *testing.T) {
	tests := []struct {
		name        string
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{"at the start there is an empty bar and the count", 0, 5000, 0,
			"▱▱▱▱▱▱▱▱▱▱ 0 / 5,000 passages"},
		{"within the first second the rate is not shown yet", 300, 5000, 800 * time.Millisecond,
			"▱▱▱▱▱▱▱▱▱▱ 300 / 5,000 passages"},
		{"a quarter done shows two cells, the rate and the time left", 1234, 5000, 6 * time.Second,
			"▰▰▱▱▱▱▱▱▱▱ 1,234 / 5,000 passages · 206/s · about 18 s left"},
		{"minutes left are rounded to minutes", 1000, 10000, 20 * time.Second,
			"▰▱▱▱▱▱▱▱▱▱ 1,000 / 10,000 passages · 50/s · about 3 min left"},
		{"hours left are given with their minutes", 600, 100000, 5 * time.Minute,
			"▱▱▱▱▱▱▱▱▱▱ 600 / 100,000 passages · 2.0/s · about 13 h 48 min left"},
		{"a slow job's rate keeps a decimal", 12, 40, 5 * time.Second,
			"▰▰▰▱▱▱▱▱▱▱ 12 / 40 passages · 2.4/s · about 12 s left"},
		{"when everything is done there is no time left", 40, 40, 5 * time.Second,
			"▰▰▰▰▰▰▰▰▰▰ 40 / 40 passages · 8.0/s"},
		{"one passage is one, not ones", 0, 1, 0,
			"▱▱▱▱▱▱▱▱▱▱ 0 / 1 passage"},
		{"without a total there is no bar and no time left", 1234, 0, 2 * time.Second,
			"1,234 passages · 617/s"},
		{"more done than announced fills the bar and no more", 60, 50, 2 * time.Second,
			"▰▰▰▰▰▰▰▰▰▰ 60 / 50 passages · 30/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProgressLine(tt.done, tt.total, "passage", tt.elapsed); got != tt.want {
				t.Errorf("ProgressLine(%d, %d, %v) = %q, want %q", tt.done, tt.total, tt.elapsed, got, tt.want)
			}
		})
	}
}

func TestProgressDoneLine(t *testing.T) {
	tests := []struct {
		name string
		done int
		took time.Duration
		want string
	}{
		{"a very quick job shows milliseconds", 1, 35 * time.Millisecond, "▰▰▰▰▰▰▰▰▰▰ 1 passage in 35 ms"},
		{"a quick job shows tenths of a second and no rate", 3, 420 * time.Millisecond, "▰▰▰▰▰▰▰▰▰▰ 3 passages in 0.4 s"},
		{"seconds", 5000, 24 * time.Second, "▰▰▰▰▰▰▰▰▰▰ 5,000 passages in 24 s · 208/s"},
		{"minutes and seconds", 7016, 72 * time.Second, "▰▰▰▰▰▰▰▰▰▰ 7,016 passages in 1 min 12 s · 97/s"},
		{"hours and minutes", 1_000_000, 2*time.Hour + 5*time.Minute + 20*time.Second, "▰▰▰▰▰▰▰▰▰▰ 1,000,000 passages in 2 h 5 min · 133/s"},
		{"nothing done", 0, 2 * time.Second, "▰▰▰▰▰▰▰▰▰▰ 0 passages in 2.0 s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ProgressDoneLine(tt.done, "passage", tt.took); got != tt.want {
				t.Errorf("ProgressDoneLine(%d, %v) = %q, want %q", tt.done, tt.took, got, tt.want)
			}
		})
	}
}

func TestReindexPlanText(t *testing.T) {
	tests := []struct {
		name string
		plan retrieval.ReindexPlan
		want string
	}{
		{"a remote model says how many tokens it will send",
			retrieval.ReindexPlan{Passages: 7016, ToEmbed: 7016, Tokens: 1_234_567, Remote: true, Space: "text-embedding-3-small/1536"},
			"Will embed 7,016 passages with text-embedding-3-small/1536 (about 1.2 million tokens, counting 4 characters a token)."},
		{"tens of thousands of tokens are rounded to thousands",
			retrieval.ReindexPlan{Passages: 300, ToEmbed: 300, Tokens: 48_712, Remote: true, Space: "nomic-embed-text/768"},
			"Will embed 300 passages with nomic-embed-text/768 (about 49,000 tokens, counting 4 characters a token)."},
		{"the offline embedder costs no tokens, so none are counted",
			retrieval.ReindexPlan{Passages: 300, ToEmbed: 300, Tokens: 48_712, Space: "footnote-hash-v2/256"},
			"Will embed 300 passages with footnote-hash-v2/256."},
		{"a keyword rebuild comes first",
			retrieval.ReindexPlan{Passages: 300, ToRelex: 300, ToEmbed: 1, Tokens: 120, Remote: true, Space: "m/8"},
			"Will rebuild the keyword index of 300 passages, then embed 1 passage with m/8 (about 120 tokens, counting 4 characters a token)."},
		{"nothing to do says so",
			retrieval.ReindexPlan{Passages: 300, Space: "m/8"},
			"Nothing to rebuild or embed: 300 passages already in m/8."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReindexPlanText(tt.plan); got != tt.want {
				t.Errorf("ReindexPlanText = %q, want %q", got, tt.want)
			}
		})
	}
}
