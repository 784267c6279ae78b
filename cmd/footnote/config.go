package main

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

// Settings that more than one part of footnote reads: each has its one home here and is
// handed to the bot and the engine alike.
const (
	// defaultMaxQuestionChars bounds a question, for the bot (Discord's /ask option is
	// declared with it) and the engine (which refuses longer ones from the command line too).
	defaultMaxQuestionChars = retrieval.DefaultMaxQuestionChars
	// maxQuestionChars is Discord's limit on a string option.
	maxQuestionChars = bot.MaxOptionChars
	// shutdownGrace bounds how long in-flight answers may take to finish at shutdown.
	shutdownGrace = 20 * time.Second
)

// Config is footnote's configuration. It comes from the environment alone (configFromEnv);
// a command's flags choose what that command does (which collection, how many results,
// JSON or text) and never override a setting held here.
type Config struct {
	// DatabaseURL (DATABASE_URL) is the role footnote's processes work as: on a split
	// set-up the runtime role, which row-level security confines to one collection per
	// transaction (migration 015).
	DatabaseURL string
	// DatabaseOwnerURL (DATABASE_OWNER_URL) is the role that owns footnote's tables and
	// runs the migrations, which then grant DatabaseURL's role what it needs; "" when
	// DatabaseURL's role migrates too (one URL, as before the split).
	DatabaseOwnerURL string
	// DatabaseReadURLs (DATABASE_READ_URL, one URL or several separated by commas) are
	// streaming replicas of DatabaseURL's database that serve searches and listings;
	// none when unset.
	DatabaseReadURLs []string
	LocalPGPort      string // the port of the cluster `make db` starts (FOOTNOTE_PGPORT), for hints

	OpenAIKey     string
	OpenAIBaseURL string
	EmbedModel    string // "hash" (default without OpenAI) or a model on the OpenAI-compatible server
	EmbedDims     int
	ChatModel     string // "" = extractive answers only
	// JudgeURL (FOOTNOTE_JUDGE_URL) is an OpenAI-compatible /v1 base whose embeddings model
	// JudgeModel (FOOTNOTE_JUDGE_MODEL, default retrieval.JudgeModel) judges each answer's
	// first quote (retrieval.Config.Judge); "" = no judge. `make judge` serves one.
	JudgeURL   string
	JudgeModel string

	AllowPrivate bool // let URLs reach private and loopback addresses

	DiscordToken     string
	DiscordAppID     string
	DiscordPublicKey string
	DiscordAPIBase   string
	AdminRole        string
	DevGuild         string
	ShardID          int
	ShardCount       int
	MetricsAddr      string
	// GuildGrace (FOOTNOTE_GUILD_GRACE) is how long a server's articles are kept after it
	// removes footnote (departures.go).
	GuildGrace time.Duration
	// QuestionRetention (FOOTNOTE_QUESTION_RETENTION) is how long members' questions and
	// the feedback on their answers are kept; 0 keeps them.
	QuestionRetention time.Duration

	RatePerMinute    int // commands per member per minute (bot default when 0)
	GuildConcurrency int // requests in flight per guild
	Workers          int // requests in flight in all
	MaxQuestionChars int // longest question accepted, by the bot and the engine alike
	// AnswerTimeout bounds a whole question (retrieval, embedding, chat); past it the
	// answer is extractive and says the model was slow.
	AnswerTimeout time.Duration
	// RecrawlSchedule (FOOTNOTE_RECRAWL_SCHEDULE) is the wait before each recrawl of an
	// article added from a link, the last step repeating.
	RecrawlSchedule []time.Duration
	// DBWait (FOOTNOTE_DB_WAIT) is how long an import waits for an unreachable database
	// before it stops and says to run it again.
	DBWait time.Duration
	// HostDelay (FOOTNOTE_FETCH_HOST_DELAY, default 1s) is the least time between two
	// background fetches (recrawls, scheduled feed polls) from one site (fetch.Config).
	HostDelay time.Duration

	// ServeWorker (FOOTNOTE_SERVE_WORKER, default true) is whether `footnote serve` also
	// works the background jobs; false (or serve --no-worker) leaves them to `footnote
	// worker` processes.
	ServeWorker bool
	// FeedConcurrency (FOOTNOTE_FEED_CONCURRENCY) is how many feeds one process polls at
	// once (jobs.DefaultFeedConcurrency when 0).
	FeedConcurrency int

	LogLevel string
}

// configFromEnv reads the environment. It fails with one line naming the variable that is
// invalid and what it should be.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:      or(getenv("DATABASE_URL"), retrieval.LocalDatabaseURL(getenv, "footnote")),
		DatabaseOwnerURL: getenv("DATABASE_OWNER_URL"),
		LocalPGPort:      or(getenv("FOOTNOTE_PGPORT"), retrieval.DefaultPGPort),
		OpenAIKey:        getenv("OPENAI_API_KEY"),
		OpenAIBaseURL:    getenv("OPENAI_BASE_URL"),
		EmbedModel:       getenv("FOOTNOTE_EMBED_MODEL"),
		ChatModel:        getenv("FOOTNOTE_CHAT_MODEL"),
		JudgeURL:         getenv("FOOTNOTE_JUDGE_URL"),
		JudgeModel:       or(getenv("FOOTNOTE_JUDGE_MODEL"), retrieval.JudgeModel),
		DiscordToken:     getenv("DISCORD_TOKEN"),
		DiscordAppID:     getenv("DISCORD_APP_ID"),
		DiscordPublicKey: getenv("DISCORD_PUBLIC_KEY"),
		DiscordAPIBase:   getenv("DISCORD_API_BASE"),
		AdminRole:        getenv("FOOTNOTE_ADMIN_ROLE"),
		DevGuild:         getenv("FOOTNOTE_DEV_GUILD"),
		MetricsAddr:      getenv("FOOTNOTE_METRICS_ADDR"),
		LogLevel:         getenv("FOOTNOTE_LOG_LEVEL"), // "" = info, warn for the console
	}
	// The port comes first: unset, DATABASE_URL is built from it.
	if v := getenv("FOOTNOTE_PGPORT"); v != "" {
		if p, err := strconv.Atoi(v); err != nil || p < 1 || p > 65535 {
			return c, fmt.Errorf("FOOTNOTE_PGPORT: %q is not a port (a number from 1 to 65535)", v)
		}
	}
	// Without DATABASE_URL, footnote's own cluster (`make db`): its runtime role works, its
	// owner migrates. A DATABASE_URL alone does both, as it always did.
	if c.DatabaseOwnerURL == "" && getenv("DATABASE_URL") == "" {
		c.DatabaseOwnerURL = retrieval.LocalOwnerURL(getenv, "footnote")
	}
	var err error
	if err = checkDatabaseURL("DATABASE_URL", c.DatabaseURL); err != nil {
		return c, err
	}
	if c.DatabaseOwnerURL != "" {
		if err := checkDatabaseURL("DATABASE_OWNER_URL", c.DatabaseOwnerURL); err != nil {
			return c, err
		}
	}
	if c.DatabaseReadURLs, err = readURLs(getenv("DATABASE_READ_URL")); err != nil {
		return c, err
	}
	for _, v := range []struct{ name, value, example string }{
		{"OPENAI_BASE_URL", c.OpenAIBaseURL, "https://api.openai.com/v1 or http://localhost:11434/v1"},
		{"FOOTNOTE_JUDGE_URL", c.JudgeURL, "http://127.0.0.1:8089/v1, which make judge serves"},
		{"DISCORD_API_BASE", c.DiscordAPIBase, "https://discord.com/api/v10"},
	} {
		if v.value == "" {
			continue
		}
		// The value is not repeated: a base URL may carry credentials.
		if _, err := fetch.ParseWebURL(v.value); err != nil {
			return c, fmt.Errorf("%s: not a web address: %s (want an http or https URL, such as %s)", v.name, strings.TrimPrefix(err.Error(), fetch.ErrInvalidURL.Error()+": "), v.example)
		}
	}
	if c.EmbedDims, err = intEnv(getenv, "FOOTNOTE_EMBED_DIMS", 0); err != nil {
		return c, err
	}
	// Unset means "ask the model"; set, it must be a size pgvector can index (as halfvec
	// above retrieval.MaxVectorDims).
	if getenv("FOOTNOTE_EMBED_DIMS") != "" && (c.EmbedDims < 1 || c.EmbedDims > retrieval.MaxEmbedDims) {
		return c, fmt.Errorf("FOOTNOTE_EMBED_DIMS: %d is out of range (1-%d, pgvector's HNSW limit; unset, the model's own size is used)",
			c.EmbedDims, retrieval.MaxEmbedDims)
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"FOOTNOTE_RATE_PER_MINUTE", &c.RatePerMinute},
		{"FOOTNOTE_GUILD_CONCURRENCY", &c.GuildConcurrency},
		{"FOOTNOTE_WORKERS", &c.Workers},
		{"FOOTNOTE_MAX_QUESTION_CHARS", &c.MaxQuestionChars},
		{"FOOTNOTE_FEED_CONCURRENCY", &c.FeedConcurrency},
	} {
		if *v.dst, err = intEnv(getenv, v.name, 0); err != nil {
			return c, err
		}
		if *v.dst < 0 {
			return c, fmt.Errorf("%s: %d is negative (0 or more; 0 = the default)", v.name, *v.dst)
		}
	}
	if c.AnswerTimeout, err = answerTimeout(getenv("FOOTNOTE_ANSWER_TIMEOUT")); err != nil {
		return c, err
	}
	if c.DBWait, err = dbWait(getenv("FOOTNOTE_DB_WAIT")); err != nil {
		return c, err
	}
	if c.HostDelay, err = hostDelay(getenv("FOOTNOTE_FETCH_HOST_DELAY")); err != nil {
		return c, err
	}
	if c.GuildGrace, err = guildGrace(getenv("FOOTNOTE_GUILD_GRACE")); err != nil {
		return c, err
	}
	if c.QuestionRetention, err = questionRetention(getenv("FOOTNOTE_QUESTION_RETENTION")); err != nil {
		return c, err
	}
	if c.RecrawlSchedule, err = recrawlSchedule(getenv("FOOTNOTE_RECRAWL_SCHEDULE")); err != nil {
		return c, err
	}
	if c.ShardID, err = intEnv(getenv, "FOOTNOTE_SHARD_ID", 0); err != nil {
		return c, err
	}
	if c.ShardCount, err = intEnv(getenv, "FOOTNOTE_SHARD_COUNT", 1); err != nil {
		return c, err
	}
	if v := getenv("FOOTNOTE_ALLOW_PRIVATE"); v != "" {
		if c.AllowPrivate, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("FOOTNOTE_ALLOW_PRIVATE: %q is not true or false", v)
		}
	}
	c.ServeWorker = true
	if v := getenv("FOOTNOTE_SERVE_WORKER"); v != "" {
		if c.ServeWorker, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("FOOTNOTE_SERVE_WORKER: %q is not true or false (false leaves the background jobs to `footnote worker`)", v)
		}
	}
	openai := c.OpenAIKey != "" || c.OpenAIBaseURL != ""
	if c.EmbedModel == "" {
		c.EmbedModel = "hash"
		if openai {
			c.EmbedModel = "text-embedding-3-small"
		}
	}
	if c.EmbedModel != "hash" && !openai {
		return c, fmt.Errorf("FOOTNOTE_EMBED_MODEL: %q needs OPENAI_BASE_URL or OPENAI_API_KEY (or use \"hash\", the offline embedder)", c.EmbedModel)
	}
	if c.JudgeURL != "" && c.JudgeModel != retrieval.JudgeModel {
		// The check's judged constants are fitted to one encoder's cosines (rank.go).
		return c, fmt.Errorf("FOOTNOTE_JUDGE_MODEL: %q is not %q, the encoder the coverage check was fitted for (refit it on signals recorded with your encoder: footnote calibrate --judged)", c.JudgeModel, retrieval.JudgeModel)
	}
	if c.ChatModel != "" && !openai {
		return c, fmt.Errorf("FOOTNOTE_CHAT_MODEL: %q needs OPENAI_BASE_URL or OPENAI_API_KEY", c.ChatModel)
	}
	if c.MaxQuestionChars == 0 {
		c.MaxQuestionChars = defaultMaxQuestionChars
	}
	if c.MaxQuestionChars > maxQuestionChars {
		return c, fmt.Errorf("FOOTNOTE_MAX_QUESTION_CHARS: %d is over %d, Discord's limit for a command option", c.MaxQuestionChars, maxQuestionChars)
	}
	if c.ShardCount < 1 {
		return c, fmt.Errorf("FOOTNOTE_SHARD_COUNT: %d is not a shard count (at least 1; 1, the default, runs one process for every guild)", c.ShardCount)
	}
	if c.ShardID < 0 || c.ShardID >= c.ShardCount {
		return c, fmt.Errorf("FOOTNOTE_SHARD_ID: %d is not in 0..FOOTNOTE_SHARD_COUNT-1 (FOOTNOTE_SHARD_COUNT is %d)", c.ShardID, c.ShardCount)
	}
	switch strings.ToLower(c.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("FOOTNOTE_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	return c, nil
}

// databaseURLShape is what DATABASE_URL should look like, for the errors that refuse one.
const databaseURLShape = "want postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable, special characters in the password %-escaped"

// checkDatabaseURL returns nil when pgconn accepts dsn, else one line naming the variable
// name (DATABASE_URL or DATABASE_OWNER_URL) with pgconn's reason and the shape wanted. The
// line never holds the URL: pgconn's own message quotes it, and the password can survive
// its masking in a malformed one.
func checkDatabaseURL(name, dsn string) error {
	_, err := pgconn.ParseConfig(dsn)
	if err == nil {
		return nil
	}
	var pce *pgconn.ParseConfigError
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") && !strings.Contains(dsn, "=") ||
		!errors.As(err, &pce) {
		return errors.New(name + ": not a postgres:// URL (" + databaseURLShape + ")")
	}
	// pce's message is "cannot parse `URL`: REASON" or "… REASON (CAUSE)"; CAUSE can
	// quote the URL again (url.Parse's errors do), so only its last part is kept.
	full, cause := pce.Error(), pce.Unwrap()
	if cause != nil {
		full = strings.TrimSuffix(full, " ("+cause.Error()+")")
		var ue *url.Error
		if errors.As(cause, &ue) {
			cause = ue.Err
		}
	}
	reason := full[strings.LastIndex(full, "`: ")+len("`: "):]
	if cause != nil {
		reason += ": " + cause.Error()
	}
	return fmt.Errorf("%s: %s (%s)", name, reason, databaseURLShape)
}

// Bounds of FOOTNOTE_ANSWER_TIMEOUT: below a second no model answers in time, so every
// answer would be extractive with a note (unset FOOTNOTE_CHAT_MODEL says that better);
// above ten minutes a member has long given up, and a hung server holds a worker again.
const (
	minAnswerTimeout = time.Second
	maxAnswerTimeout = 10 * time.Minute
)

// answerTimeout reads FOOTNOTE_ANSWER_TIMEOUT: a Go duration ("20s", "1m30s") or a number
// of seconds; "" is the engine's default.
func answerTimeout(v string) (time.Duration, error) {
	return durationSetting("FOOTNOTE_ANSWER_TIMEOUT", v, "such as 20s, 45s or 1m", retrieval.DefaultAnswerTimeout, minAnswerTimeout, maxAnswerTimeout)
}

// durationSetting reads the setting name's value v: a Go duration or a number of seconds
// (examples shows some in its error), def when v is "", refused outside lo to hi.
func durationSetting(name, v, examples string, def, lo, hi time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if n, nerr := strconv.Atoi(v); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration (%s; a bare number is seconds)", name, v, examples)
	}
	if d < lo || d > hi {
		low := lo.String()
		if lo == 0 {
			low = "0"
		}
		return 0, fmt.Errorf("%s: %v is out of range (%s to %v; the default is %v)", name, d, low, hi, def)
	}
	return d, nil
}

// Bounds of FOOTNOTE_RECRAWL_SCHEDULE: a step is at least retrieval.MinRecrawlStep and at
// most a year (beyond it an article is, in effect, never checked again: leave it out),
// and a schedule has at most maxRecrawlSteps steps, more than any slowing schedule needs.
const (
	maxRecrawlStep  = 366 * 24 * time.Hour
	maxRecrawlSteps = 20
)

// recrawlSchedule reads FOOTNOTE_RECRAWL_SCHEDULE: steps separated by commas, each a Go
// duration ("1h", "168h") or a number of days ("30d"); "" is the engine's default.
func recrawlSchedule(v string) ([]time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return retrieval.DefaultRecrawlSchedule(), nil
	}
	const shape = "a comma-separated list of durations such as 1h,24h,168h,720h or 1h,1d,7d,30d; the last step repeats"
	steps := strings.Split(v, ",")
	if len(steps) > maxRecrawlSteps {
		return nil, fmt.Errorf("FOOTNOTE_RECRAWL_SCHEDULE: %d steps, at most %d (%s)", len(steps), maxRecrawlSteps, shape)
	}
	out := make([]time.Duration, 0, len(steps))
	for _, f := range steps {
		f = strings.TrimSpace(f)
		d, err := time.ParseDuration(f)
		if n, nerr := strconv.Atoi(strings.TrimSuffix(f, "d")); nerr == nil && strings.HasSuffix(f, "d") {
			d, err = time.Duration(n)*24*time.Hour, nil
		}
		if err != nil {
			return nil, fmt.Errorf("FOOTNOTE_RECRAWL_SCHEDULE: %q is not a duration (%s)", f, shape)
		}
		if d < retrieval.MinRecrawlStep || d > maxRecrawlStep {
			return nil, fmt.Errorf("FOOTNOTE_RECRAWL_SCHEDULE: step %s is out of range (%s to %s)", f, retrieval.MinRecrawlStep, maxRecrawlStep)
		}
		out = append(out, d)
	}
	return out, nil
}

// Bounds of FOOTNOTE_DB_WAIT: under a second not even a restart is waited out; over an
// hour a script waits on an outage someone has to fix anyway.
const (
	minDBWait = time.Second
	maxDBWait = time.Hour
)

// dbWait reads FOOTNOTE_DB_WAIT: a Go duration ("1m", "90s") or a number of seconds; "" is
// the engine's default.
func dbWait(v string) (time.Duration, error) {
	return durationSetting("FOOTNOTE_DB_WAIT", v, "such as 30s, 1m or 5m", retrieval.DefaultOutageWait, minDBWait, maxDBWait)
}

// defaultHostDelay is FOOTNOTE_FETCH_HOST_DELAY's default: a site is fetched in the
// background no faster than a page a second, the pace of a polite crawler; maxHostDelay
// keeps a feed's items (two minutes for them all) from being starved by it.
const (
	defaultHostDelay = time.Second
	maxHostDelay     = time.Minute
)

// hostDelay reads FOOTNOTE_FETCH_HOST_DELAY: a Go duration ("2s", "500ms") or a number of
// seconds, 0 to pace nothing; "" is defaultHostDelay.
func hostDelay(v string) (time.Duration, error) {
	return durationSetting("FOOTNOTE_FETCH_HOST_DELAY", v, "such as 1s or 500ms", defaultHostDelay, 0, maxHostDelay)
}

func intEnv(getenv func(string) string, name string, def int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a whole number", name, v)
	}
	return n, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
