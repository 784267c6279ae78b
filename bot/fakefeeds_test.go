package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

// The fake engine follows no feeds: the feed commands are tested on the real engine
// (track_test.go); these let fakeEngine stand for Engine.

func (e *fakeEngine) Track(context.Context, string, string, time.Duration, string, string) (*retrieval.FeedPoll, error) {
	return nil, fmt.Errorf("%w: the fake engine follows no feeds", retrieval.ErrFetch)
}

func (e *fakeEngine) Feeds(context.Context, string) ([]retrieval.Feed, error) { return nil, nil }

func (e *fakeEngine) Untrack(context.Context, string, string) error { return retrieval.ErrNotFound }

func (e *fakeEngine) AnnounceFeed(context.Context, string, int64, retrieval.AnnounceFunc) (int, bool, error) {
	return 0, false, nil
}

func (e *fakeEngine) Gaps(context.Context, string, time.Time, int) ([]retrieval.Gap, error) {
	return nil, nil
}
