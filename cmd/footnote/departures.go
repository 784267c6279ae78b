package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

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
