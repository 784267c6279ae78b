package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	dg "github.com/bwmarrin/discordgo"
)

// An interaction's REST calls (its callback, the edits and the deletion of its original
// response, its follow-ups) go through discordgo's request machinery with rate-limit
// buckets of the interaction's own, which live and die with it. discordgo's own methods
// file them in the session's limiter, which does two things wrong for a busy bot:
//   - every edit of every interaction's original response shares one bucket
//     (EndpointWebhookToken("", "")), whose lock is held for the whole round trip to
//     Discord, so a process edits one answer at a time: at 100 ms to Discord, ten answers
//     a second however many workers it has, and the rest queue for seconds;
//   - the other calls get a bucket per interaction token in a map that is never emptied,
//     one entry per interaction for the life of the process.
// Discord keys these routes' limits by webhook id and token, that is per interaction, and
// does not count interaction endpoints against the global limit, so nothing is lost by
// keeping their buckets apart.

// newInteractionReplier returns the replier of interaction i, with rate-limit buckets of
// its own; initial sends the first response (nil: Discord's callback endpoint).
func newInteractionReplier(s *dg.Session, i *dg.Interaction, initial initialFunc) *interactionReplier {
	return &interactionReplier{s: s, i: i, initial: initial, limits: dg.NewRatelimiter()}
}

// interactionRequest sends one REST call of the interaction with a JSON body (none when
// data is nil), under the interaction's own bucket for the route. It returns discordgo's
// error (a *dg.RESTError for an HTTP error, which retryUnknown reads).
func (r *interactionReplier) interactionRequest(ctx context.Context, method, uri string, data any) error {
	var body []byte
	if data != nil {
		var err error
		if body, err = json.Marshal(data); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, routeOf(uri), err)
		}
	}
	bucket := r.limits.LockBucket(method + " " + routeOf(uri))
	_, err := r.s.RequestWithLockedBucket(method, uri, "application/json", body, bucket, 0, dg.WithContext(ctx))
	return err
}

// routeOf is uri without its query.
func routeOf(uri string) string {
	route, _, _ := strings.Cut(uri, "?")
	return route
}
