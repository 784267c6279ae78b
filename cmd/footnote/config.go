package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/bot"
	"github.com/footnote-bot/footnote/retrieval"
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

// Config is footnote's configuration: environment first, flags override.
type Config struct {
	DatabaseURL string
	LocalPGPort string // the port of the cluster `make db` starts (FOOTNOTE_PGPORT), for hints

	OpenAIKey     string
	OpenAIBaseURL string
	EmbedModel    string // "hash" (default without OpenAI) or a model on the OpenAI-compatible server
	EmbedDims     int
	ChatModel     string // "" = extractive answers only

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

	RatePerMinute    int // commands per member per minute (bot default when 0)
	GuildConcurrency int // requests in flight per guild
	Workers          int // requests in flight in all
	MaxQuestionChars int // longest question accepted, by the bot and the engine alike

	LogLevel string
}

// configFromEnv reads the environment. It fails with one line naming the variable that is
// invalid and what it should be.
func configFromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:      or(getenv("DATABASE_URL"), retrieval.LocalDatabaseURL(getenv, "footnote")),
		LocalPGPort:      or(getenv("FOOTNOTE_PGPORT"), retrieval.DefaultPGPort),
		OpenAIKey:        getenv("OPENAI_API_KEY"),
		OpenAIBaseURL:    getenv("OPENAI_BASE_URL"),
		EmbedModel:       getenv("FOOTNOTE_EMBED_MODEL"),
		ChatModel:        getenv("FOOTNOTE_CHAT_MODEL"),
		DiscordToken:     getenv("DISCORD_TOKEN"),
		DiscordAppID:     getenv("DISCORD_APP_ID"),
		DiscordPublicKey: getenv("DISCORD_PUBLIC_KEY"),
		DiscordAPIBase:   getenv("DISCORD_API_BASE"),
		AdminRole:        getenv("FOOTNOTE_ADMIN_ROLE"),
		DevGuild:         getenv("FOOTNOTE_DEV_GUILD"),
		MetricsAddr:      getenv("FOOTNOTE_METRICS_ADDR"),
		LogLevel:         getenv("FOOTNOTE_LOG_LEVEL"), // "" = info, warn for the console
	}
	// pgconn's own message quotes the URL (password masked, but not the rest): name the
	// variable and the shape instead.
	if _, err := pgconn.ParseConfig(c.DatabaseURL); err != nil {
		return c, errors.New("DATABASE_URL: not a postgres:// URL (want postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable, special characters in the password %-escaped)")
	}
	var err error
	if c.EmbedDims, err = intEnv(getenv, "FOOTNOTE_EMBED_DIMS", 0); err != nil {
		return c, err
	}
	// Unset means "ask the model"; set, it must be a size pgvector can index.
	if getenv("FOOTNOTE_EMBED_DIMS") != "" && (c.EmbedDims < 1 || c.EmbedDims > 2000) {
		return c, fmt.Errorf("FOOTNOTE_EMBED_DIMS: %d is out of range (1-2000, pgvector's HNSW limit; unset, the model's own size is used)", c.EmbedDims)
	}
	for _, v := range []struct {
		name string
		dst  *int
	}{
		{"FOOTNOTE_RATE_PER_MINUTE", &c.RatePerMinute},
		{"FOOTNOTE_GUILD_CONCURRENCY", &c.GuildConcurrency},
		{"FOOTNOTE_WORKERS", &c.Workers},
		{"FOOTNOTE_MAX_QUESTION_CHARS", &c.MaxQuestionChars},
	} {
		if *v.dst, err = intEnv(getenv, v.name, 0); err != nil {
			return c, err
		}
		if *v.dst < 0 {
			return c, fmt.Errorf("%s: %d is negative", v.name, *v.dst)
		}
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
	if c.ChatModel != "" && !openai {
		return c, fmt.Errorf("FOOTNOTE_CHAT_MODEL: %q needs OPENAI_BASE_URL or OPENAI_API_KEY", c.ChatModel)
	}
	if c.MaxQuestionChars == 0 {
		c.MaxQuestionChars = defaultMaxQuestionChars
	}
	if c.MaxQuestionChars > maxQuestionChars {
		return c, fmt.Errorf("FOOTNOTE_MAX_QUESTION_CHARS: %d is over %d, Discord's limit for a command option", c.MaxQuestionChars, maxQuestionChars)
	}
	if c.ShardCount < 1 || c.ShardID < 0 || c.ShardID >= c.ShardCount {
		return c, fmt.Errorf("FOOTNOTE_SHARD_ID: %d is not in 0..FOOTNOTE_SHARD_COUNT-1 (FOOTNOTE_SHARD_COUNT is %d; it must be at least 1)", c.ShardID, c.ShardCount)
	}
	switch strings.ToLower(c.LogLevel) {
	case "", "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("FOOTNOTE_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel)
	}
	return c, nil
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
