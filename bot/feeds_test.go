package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestFeedsShowTheBackgroundPollFromTheDatabase(t *testing.T) {
	retry := time.Date(2026, 3, 2, 10, 5, 0, 0, time.UTC)
	feed := func(j *retrieval.Job) retrieval.Feed {
		return retrieval.Feed{URL: "https://news.example/feed.xml", Title: "News", Every: 30 * time.Minute,
			NextPoll: retry, Poll: j}
	}
	for _, tc := range []struct {
		name       string
		job        *retrieval.Job
		want, lack []string
	}{
		{"a feed without a poll job says nothing of one", nil, nil, []string{"poll queued", "polling now", "retrying"}},
		{"a queued poll says so", &retrieval.Job{Phase: retrieval.JobQueued}, []string{"· poll queued"}, nil},
		{"a running poll says so", &retrieval.Job{Phase: retrieval.JobRunning}, []string{"· polling now"}, nil},
		{"a retrying poll says when, which attempt, and why", &retrieval.Job{Phase: retrieval.JobRetrying, Attempt: 1, MaxAttempts: 3,
			ScheduledAt: retry, LastError: "record poll of feed 4: connection *reset*"},
			[]string{"poll retrying <t:1772445900:R> (attempt 2 of 3)", "\nPoll retrying after: record poll of feed 4: connection \\*reset\\*"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := feedEntry("", feed(tc.job))
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("entry %q lacks %q", got, w)
				}
			}
			for _, l := range tc.lack {
				if strings.Contains(got, l) {
					t.Errorf("entry %q has %q", got, l)
				}
			}
		})
	}
}
