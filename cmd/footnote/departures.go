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

// minGuildGrace is the shortest FOOTNOTE_GUILD_GRACE accepted: shorter, a server that
// removes footnote by mistake could lose its articles before anyone notices. (The sweep
// that deletes what is due is a background job: retrieval/jobs, sweep_departures.)
const minGuildGrace = time.Hour

// guildGrace reads FOOTNOTE_GUILD_GRACE: a number of days ("30d"), a Go duration ("720h")
// or a bare number of days; "" is retrieval.DefaultGuildGrace.
func guildGrace(v string) (time.Duration, error) {
	if v == "" {
		return retrieval.DefaultGuildGrace, nil
	}
	d, ok := daysOrDuration(v)
	if !ok {
		return 0, fmt.Errorf("FOOTNOTE_GUILD_GRACE: %q is not a duration (such as 30d, 7d or 72h; a bare number is days)", v)
	}
	if d < minGuildGrace {
		return 0, fmt.Errorf("FOOTNOTE_GUILD_GRACE: %v is under %v (the default is %d days)", d, minGuildGrace,
			int(retrieval.DefaultGuildGrace/(24*time.Hour)))
	}
	return d, nil
}

// questionRetention reads FOOTNOTE_QUESTION_RETENTION as guildGrace reads its variable;
// "" or 0 keeps the questions for good. A day is the least: the questions feed /gaps.
func questionRetention(v string) (time.Duration, error) {
	if v == "" || v == "0" || v == "0d" {
		return 0, nil
	}
	d, ok := daysOrDuration(v)
	if !ok {
		return 0, fmt.Errorf("FOOTNOTE_QUESTION_RETENTION: %q is not a duration (such as 90d or 720h; a bare number is days; 0 keeps them)", v)
	}
	if d < 24*time.Hour {
		return 0, fmt.Errorf("FOOTNOTE_QUESTION_RETENTION: %v is under a day (0 keeps the questions for good)", d)
	}
	return d, nil
}

// daysOrDuration reads a number of days ("30d", or bare "30") or a Go duration ("72h").
func daysOrDuration(v string) (time.Duration, bool) {
	if n, err := strconv.Atoi(strings.TrimSuffix(v, "d")); err == nil {
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(v)
	return d, err == nil
}

// guildReconciler is the departures sweep's Reconciler (retrieval/jobs) on the bot: before
// each sweep, bot.ReconcileGuilds schedules the deletion of the servers that removed
// footnote unseen. It knows footnote's servers from this process's gateway (its shard's,
// since the connection's READY) or, without a gateway here, from Discord's REST listing
// (DISCORD_TOKEN); a process that has neither skips the reconcile rather than guess.
type guildReconciler struct {
	b   *bot.Bot
	log *slog.Logger
}

// ReconcileGuilds reconciles, returning nil when this process cannot know the servers
// (bot.ErrGuildsUnknown: the sweep goes on, and a later one reconciles) and the bot's
// error otherwise.
func (r *guildReconciler) ReconcileGuilds(ctx context.Context) error {
	_, _, err := r.b.ReconcileGuilds(ctx)
	if errors.Is(err, bot.ErrGuildsUnknown) {
		r.log.Debug("servers not reconciled here: this process does not know them", "err", err)
		return nil
	}
	return err
}
