package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

const (
	// sweepEvery is how often serve deletes the collections of servers whose grace period
	// (FOOTNOTE_GUILD_GRACE) has run out. Each sweep is one indexed query when nothing is
	// due; a longer interval only lets a deletion come that much later than its date.
	sweepEvery = time.Hour
	// minGuildGrace is the shortest FOOTNOTE_GUILD_GRACE accepted: shorter, a server that
	// removes footnote by mistake could lose its articles before anyone notices.
	minGuildGrace = time.Hour
)

// guildGrace reads FOOTNOTE_GUILD_GRACE: a number of days ("30d"), a Go duration ("720h")
// or a bare number of days; "" is retrieval.DefaultGuildGrace.
func guildGrace(v string) (time.Duration, error) {
	if v == "" {
		return retrieval.DefaultGuildGrace, nil
	}
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(strings.TrimSuffix(v, "d")); nerr == nil {
		d, err = time.Duration(n)*24*time.Hour, nil
	}
	if err != nil {
		return 0, fmt.Errorf("FOOTNOTE_GUILD_GRACE: %q is not a duration (such as 30d, 7d or 72h; a bare number is days)", v)
	}
	if d < minGuildGrace {
		return 0, fmt.Errorf("FOOTNOTE_GUILD_GRACE: %v is under %v (the default is %d days)", d, minGuildGrace,
			int(retrieval.DefaultGuildGrace/(24*time.Hour)))
	}
	return d, nil
}

// sweepDepartures deletes, at once and then every sweepEvery until ctx ends, the
// collections of servers that removed footnote longer ago than their grace period. A failed
// sweep is logged and tried again at the next tick. It returns nil when ctx ends.
func (m *Main) sweepDepartures(ctx context.Context) error {
	tick := time.NewTicker(sweepEvery)
	defer tick.Stop()
	for {
		removed, err := m.Engine.RemoveDue(ctx, time.Now())
		for _, coll := range removed {
			m.Log.Info("deleted the articles of a server that removed footnote", "guild_id", coll)
		}
		if err != nil && ctx.Err() == nil {
			m.Log.Error("delete the articles of servers that removed footnote", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
