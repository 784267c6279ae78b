package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/footnote-bot/footnote/bot"
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

// sweepDepartures runs runSweeps every sweepEvery on the engine, with reconcile (nil:
// none) before each sweep. It returns nil when ctx ends.
func (m *Main) sweepDepartures(ctx context.Context, reconcile func(context.Context) (int, int, error)) error {
	return runSweeps(ctx, sweepEvery, m.Log, reconcile, m.Engine.RemoveDue)
}

// runSweeps, at once and then every interval until ctx ends, first reconciles (when
// reconcile is not nil: the bot schedules the deletion of the collections of servers that
// removed it unseen, bot.ReconcileGuilds), then deletes the collections of servers that
// removed footnote longer ago than their grace period. A failed step is logged and tried
// again at the next tick; a reconcile before the bot knows its servers is not a failure.
// It returns nil when ctx ends.
func runSweeps(ctx context.Context, interval time.Duration, log *slog.Logger,
	reconcile func(context.Context) (int, int, error), removeDue func(context.Context, time.Time) ([]string, error)) error {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if reconcile != nil {
			_, _, err := reconcile(ctx)
			switch {
			case errors.Is(err, bot.ErrGuildsUnknown):
				log.Debug("servers not reconciled yet", "err", err)
			case err != nil && ctx.Err() == nil:
				log.Error("find the servers that removed footnote", "err", err)
			}
		}
		removed, err := removeDue(ctx, time.Now())
		for _, coll := range removed {
			log.Info("deleted the articles of a server that removed footnote", "guild_id", coll)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("delete the articles of servers that removed footnote", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
