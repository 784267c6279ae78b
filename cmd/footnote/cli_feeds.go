package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// feedItemJSON is track's and poll's --json line for one article.
type feedItemJSON struct {
	URL       string `json:"url"`
	Title     string `json:"title"`
	Published string `json:"published"` // YYYY-MM-DD, "" when unknown
	Status    string `json:"status"`
	Error     string `json:"error,omitempty"`
	// Notes say what footnote changed in the stored article, such as a title cut to its cap.
	Notes []string `json:"notes,omitempty"`
}

func (m *Main) cmdTrack(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("track", true)
	every := fs.Duration("every", 0, "how often to poll the feed (at least 5m; default: the interval it had, or 30m for a new feed)")
	asJSON := fs.Bool("json", false, "print one JSON line per new article")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return m.usageError("track")
	}
	if _, err := fetch.ParseWebURL(pos[0]); err != nil {
		return notWebAddress(pos[0], err)
	}
	if *every != 0 && *every < retrieval.MinFeedEvery {
		return fmt.Errorf("--every %s is too often: a feed is polled at most every %s", *every, retrieval.MinFeedEvery)
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	p, err := m.Engine.Track(ctx, *coll, pos[0], *every, "", "")
	if err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(m.Stdout, "tracking %s (%s), every %s\n", or(p.Feed.Title, p.Feed.URL), p.Feed.URL, p.Feed.Every)
	}
	printPoll(m.Stdout, *p, *asJSON)
	return nil
}

func (m *Main) cmdFeeds(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("feeds", true)
	asJSON := fs.Bool("json", false, "print one JSON line per feed")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return m.usageError("feeds")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	feeds, err := m.Engine.Feeds(ctx, *coll)
	if err != nil {
		return err
	}
	if len(feeds) == 0 && !*asJSON {
		fmt.Fprintln(m.Stdout, "no feeds tracked (`footnote track URL` follows one)")
	}
	for _, f := range feeds {
		if *asJSON {
			writeJSONLine(m.Stdout, map[string]any{"url": f.URL, "title": f.Title, "every": f.Every.String(),
				"last_success": stamp(f.LastSuccess), "last_error": f.LastError, "last_error_at": stamp(f.LastErrorAt),
				"next_poll": stamp(f.NextPoll), "articles": f.Articles, "failures": f.Failures, "paused": f.Paused,
				"poll": pollJobJSON(f.Poll), "channel": f.Channel, "unannounced": f.Unannounced})
			continue
		}
		fmt.Fprintf(m.Stdout, "%s\n  %s, every %s, %s\n", or(f.Title, f.URL), f.URL, f.Every, counted(f.Articles, "article"))
		fmt.Fprintf(m.Stdout, "  last success: %s\n", or(stamp(f.LastSuccess), "never"))
		if f.LastError != "" {
			fmt.Fprintf(m.Stdout, "  last error: %s: %s\n", stamp(f.LastErrorAt), f.LastError)
		}
		if f.Paused {
			fmt.Fprintf(m.Stdout, "  paused after %s in a row (`footnote track %s` resumes it)\n", counted(f.Failures, "failure"), shellQuote(f.URL))
		} else {
			fmt.Fprintf(m.Stdout, "  next poll: %s\n", stamp(f.NextPoll))
		}
		if j := f.Poll; j != nil {
			fmt.Fprintf(m.Stdout, "  poll job %d: %s\n", j.ID, pollJobText(*j))
		}
		if f.Channel != "" {
			fmt.Fprintf(m.Stdout, "  announced in channel %s", f.Channel)
			if f.Unannounced > 0 {
				fmt.Fprintf(m.Stdout, "; %s waiting to be announced", counted(f.Unannounced, "article"))
			}
			fmt.Fprintln(m.Stdout)
		}
	}
	return nil
}

// pollJobText is a feed's background poll job as `footnote feeds` shows it.
func pollJobText(j retrieval.Job) string {
	switch j.Phase {
	case retrieval.JobRetrying:
		return fmt.Sprintf("retrying at %s (attempt %d of %d) after: %s", stamp(j.ScheduledAt), j.Attempt+1, j.MaxAttempts, oneLineText(j.LastError, 300))
	case retrieval.JobRunning:
		return "running"
	}
	return "queued"
}

// pollJobJSON is a feed's background poll job in `footnote feeds --json`: null without one.
func pollJobJSON(j *retrieval.Job) any {
	if j == nil {
		return nil
	}
	return map[string]any{"id": j.ID, "state": j.Phase, "attempt": j.Attempt, "max_attempts": j.MaxAttempts,
		"last_error": j.LastError, "scheduled_at": stamp(j.ScheduledAt)}
}

func (m *Main) cmdUntrack(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("untrack", true)
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return m.usageError("untrack")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.Engine.Untrack(ctx, *coll, pos[0]); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "stopped tracking %s (its articles stay)\n", pos[0])
	return nil
}

func (m *Main) cmdPoll(ctx context.Context, args []string) error {
	fs, coll := m.newFlags("poll", true)
	all := fs.Bool("all", false, "poll every feed, due or not (still with conditional requests)")
	asJSON := fs.Bool("json", false, "print one JSON line per new article")
	pos, err := m.parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return m.usageError("poll")
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	polls, err := m.Engine.PollDue(ctx, *coll, *all)
	if err != nil {
		return err
	}
	if len(polls) == 0 && !*asJSON {
		fmt.Fprintln(m.Stdout, "no feed is due")
	}
	failed := 0
	for _, p := range polls {
		if !*asJSON {
			fmt.Fprintf(m.Stdout, "%s:\n", p.Feed.URL)
		}
		if p.Err != nil {
			failed++
			fmt.Fprintf(m.Stderr, "%s: %v\n", p.Feed.URL, oneLineErr(p.Err))
			if p.Paused {
				fmt.Fprintf(m.Stderr, "%s: paused after %s in a row\n", p.Feed.URL, counted(p.Feed.Failures, "failure"))
			}
			continue
		}
		printPoll(m.Stdout, p, *asJSON)
	}
	if failed > 0 && failed == len(polls) {
		return fmt.Errorf("poll: every feed failed (%d)", failed)
	}
	return nil
}

// printPoll prints a poll's new articles, one line each (or one JSON line each), then,
// without --json, the summary "3 new, 0 updated".
func printPoll(w io.Writer, p retrieval.FeedPoll, asJSON bool) {
	var added, updated int
	for _, it := range p.Items {
		switch it.Status {
		case retrieval.StatusAdded:
			added++
		case retrieval.StatusUpdated:
			updated++
		}
		if asJSON {
			writeJSONLine(w, feedItemJSON{URL: it.URL, Title: it.Title, Published: day(it.Published), Status: it.Status, Error: it.Error, Notes: it.Notes})
			continue
		}
		line := fmt.Sprintf("%s: %s", it.Status, or(it.Title, it.URL))
		if d := day(it.Published); d != "" {
			line += " (" + d + ")"
		}
		line += " " + it.URL
		if it.Error != "" {
			line += ": " + it.Error
		}
		fmt.Fprintln(w, line)
		for _, n := range it.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
	if !asJSON {
		note := ""
		if p.NotModified {
			note = " (not modified)"
		}
		fmt.Fprintf(w, "%d new, %d updated%s\n", added, updated, note)
	}
}

func writeJSONLine(w io.Writer, v any) {
	b, _ := json.Marshal(v)
	fmt.Fprintf(w, "%s\n", b)
}

// stamp is t in RFC 3339 (UTC, to the second), "" when zero.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// oneLineErr is err's message on one line.
func oneLineErr(err error) string {
	b := []byte(err.Error())
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}
