package jobs

import (
	"context"
	"log/slog"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/footnote-bot/footnote/retrieval"
)

// pollingEngine is an engine whose feed poll returns p.
type pollingEngine struct {
	Engine
	p *retrieval.FeedPoll
}

func (e pollingEngine) PollFeedByID(context.Context, int64) (*retrieval.FeedPoll, error) {
	return e.p, nil
}

// AnnounceFeed posts the poll's articles, as if they were the ones waiting.
func (e pollingEngine) AnnounceFeed(ctx context.Context, _ string, _ int64, post retrieval.AnnounceFunc) (int, bool, error) {
	return post(ctx, *e.p)
}

func TestAPollJobWhoseFeedWasUntrackedMidwayAnnouncesNothing(t *testing.T) {
	added := retrieval.FeedItem{URL: "https://quay.example/a/1", Title: "Note 1", Status: retrieval.StatusAdded}
	tests := []struct {
		name     string
		poll     retrieval.FeedPoll
		announce int
	}{
		{"a feed still tracked announces its new article",
			retrieval.FeedPoll{Feed: retrieval.Feed{Channel: "chan-1"}, Items: []retrieval.FeedItem{added}}, 1},
		{"a feed untracked while it was polled announces nothing and ends the job without an error",
			retrieval.FeedPoll{Feed: retrieval.Feed{Channel: "chan-1"}, Items: []retrieval.FeedItem{added}, Untracked: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &announcer{}
			w := &pollFeedWorker{engine: pollingEngine{p: &tt.poll}, announcer: a, log: slog.New(slog.DiscardHandler)}
			job := &river.Job[PollFeedArgs]{JobRow: &rivertype.JobRow{ID: 1}, Args: PollFeedArgs{FeedID: 7}}
			if err := w.Work(context.Background(), job); err != nil {
				t.Errorf("Work = %v, want no error", err)
			}
			if got := len(a.seen()); got != tt.announce {
				t.Errorf("%d polls announced, want %d", got, tt.announce)
			}
		})
	}
}
