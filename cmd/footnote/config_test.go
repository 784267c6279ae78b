package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		check   func(Config) bool // nil when an error is wanted
		wantErr string            // the variable the error line must start with
	}{
		{
			name: "an empty environment gives the offline defaults",
			env:  nil,
			check: func(c Config) bool {
				return c.DatabaseURL == "postgres://footnote_app@127.0.0.1:55432/footnote?sslmode=disable" && c.EmbedModel == "hash" && c.EmbedDims == 0 && c.ChatModel == "" &&
					c.ShardID == 0 && c.ShardCount == 1 && c.LogLevel == "" && !c.AllowPrivate &&
					c.MaxQuestionChars == 1000 && c.LocalPGPort == "55432" && c.AnswerTimeout == 20*time.Second &&
					c.ServeWorker && c.FeedConcurrency == 0
			},
		},
		{
			name:  "FOOTNOTE_SERVE_WORKER=false leaves the background jobs to footnote worker",
			env:   map[string]string{"FOOTNOTE_SERVE_WORKER": "false", "FOOTNOTE_FEED_CONCURRENCY": "9"},
			check: func(c Config) bool { return !c.ServeWorker && c.FeedConcurrency == 9 },
		},
		{
			name:    "FOOTNOTE_SERVE_WORKER must be true or false",
			env:     map[string]string{"FOOTNOTE_SERVE_WORKER": "sometimes"},
			wantErr: `FOOTNOTE_SERVE_WORKER: "sometimes" is not true or false`,
		},
		{
			name:    "FOOTNOTE_FEED_CONCURRENCY must not be negative",
			env:     map[string]string{"FOOTNOTE_FEED_CONCURRENCY": "-1"},
			wantErr: "FOOTNOTE_FEED_CONCURRENCY: -1 is negative",
		},
		{
			name: "FOOTNOTE_PGPORT moves the default database and the hints",
			env:  map[string]string{"FOOTNOTE_PGPORT": "55999"},
			check: func(c Config) bool {
				return c.DatabaseURL == "postgres://footnote_app@127.0.0.1:55999/footnote?sslmode=disable" &&
					c.DatabaseOwnerURL == "postgres://footnote@127.0.0.1:55999/footnote?sslmode=disable" && c.LocalPGPort == "55999"
			},
		},
		{
			name:  "the question length is read once, for the bot and the engine",
			env:   map[string]string{"FOOTNOTE_MAX_QUESTION_CHARS": "300"},
			check: func(c Config) bool { return c.MaxQuestionChars == 300 },
		},
		{
			name:  "the answer deadline is read as a duration",
			env:   map[string]string{"FOOTNOTE_ANSWER_TIMEOUT": "1m30s"},
			check: func(c Config) bool { return c.AnswerTimeout == 90*time.Second },
		},
		{
			name:  "the answer deadline may be given in seconds",
			env:   map[string]string{"FOOTNOTE_ANSWER_TIMEOUT": "45"},
			check: func(c Config) bool { return c.AnswerTimeout == 45*time.Second },
		},
		{
			name: "the recrawl schedule defaults to 1h, 1 day, 1 week, then monthly",
			env:  nil,
			check: func(c Config) bool {
				return fmt.Sprint(c.RecrawlSchedule) == "[1h0m0s 24h0m0s 168h0m0s 720h0m0s]"
			},
		},
		{
			name:  "the recrawl schedule takes durations and days",
			env:   map[string]string{"FOOTNOTE_RECRAWL_SCHEDULE": "30m, 2d,14d"},
			check: func(c Config) bool { return fmt.Sprint(c.RecrawlSchedule) == "[30m0s 48h0m0s 336h0m0s]" },
		},
		{name: "a recrawl step that is not a duration is refused by name", env: map[string]string{"FOOTNOTE_RECRAWL_SCHEDULE": "1h,soon"},
			wantErr: `FOOTNOTE_RECRAWL_SCHEDULE: "soon" is not a duration (a comma-separated list of durations such as 1h,24h,168h,720h or 1h,1d,7d,30d; the last step repeats)`},
		{name: "a recrawl step under a minute is refused with the range", env: map[string]string{"FOOTNOTE_RECRAWL_SCHEDULE": "10s,1h"},
			wantErr: "FOOTNOTE_RECRAWL_SCHEDULE: step 10s is out of range (1m0s to 8784h0m0s)"},
		{
			name:  "the import's wait for an unreachable database is read as a duration",
			env:   map[string]string{"FOOTNOTE_DB_WAIT": "5m"},
			check: func(c Config) bool { return c.DBWait == 5*time.Minute },
		},
		{
			name:  "the import's wait for the database defaults to a minute",
			env:   nil,
			check: func(c Config) bool { return c.DBWait == time.Minute },
		},
		{
			name:  "background fetches take a second per site by default",
			env:   nil,
			check: func(c Config) bool { return c.HostDelay == time.Second },
		},
		{
			name:  "the pace of background fetches is read as a duration or seconds, 0 for none",
			env:   map[string]string{"FOOTNOTE_FETCH_HOST_DELAY": "0"},
			check: func(c Config) bool { return c.HostDelay == 0 },
		},
		{
			name:  "the pace of background fetches takes milliseconds",
			env:   map[string]string{"FOOTNOTE_FETCH_HOST_DELAY": "250ms"},
			check: func(c Config) bool { return c.HostDelay == 250*time.Millisecond },
		},
		{name: "a pace that is not a duration is refused by name", env: map[string]string{"FOOTNOTE_FETCH_HOST_DELAY": "gently"},
			wantErr: `FOOTNOTE_FETCH_HOST_DELAY: "gently" is not a duration (such as 1s or 500ms; a bare number is seconds)`},
		{name: "a pace over a minute is refused with the range", env: map[string]string{"FOOTNOTE_FETCH_HOST_DELAY": "2m"},
			wantErr: "FOOTNOTE_FETCH_HOST_DELAY: 2m0s is out of range (0 to 1m0s; the default is 1s)"},
		{
			name: "DATABASE_URL is taken as given, and alone it migrates too",
			env:  map[string]string{"DATABASE_URL": "postgres://db.internal/footnote"},
			check: func(c Config) bool {
				return c.DatabaseURL == "postgres://db.internal/footnote" && c.DatabaseOwnerURL == ""
			},
		},
		{
			name: "without DATABASE_URL the local cluster's runtime role works and its owner migrates",
			env:  nil,
			check: func(c Config) bool {
				return c.DatabaseURL == "postgres://footnote_app@127.0.0.1:55432/footnote?sslmode=disable" &&
					c.DatabaseOwnerURL == "postgres://footnote@127.0.0.1:55432/footnote?sslmode=disable"
			},
		},
		{
			name: "DATABASE_OWNER_URL is taken as given beside DATABASE_URL",
			env:  map[string]string{"DATABASE_URL": "postgres://app@db/footnote", "DATABASE_OWNER_URL": "postgres://owner@db/footnote"},
			check: func(c Config) bool {
				return c.DatabaseURL == "postgres://app@db/footnote" && c.DatabaseOwnerURL == "postgres://owner@db/footnote"
			},
		},
		{
			name:  "without DATABASE_READ_URL every read goes to DATABASE_URL",
			env:   nil,
			check: func(c Config) bool { return c.DatabaseReadURLs == nil },
		},
		{
			name: "DATABASE_READ_URL takes one replica or several, separated by commas",
			env:  map[string]string{"DATABASE_READ_URL": "postgres://app:pw@replica1/footnote, postgresql://app:pw@replica2:5433/footnote?sslmode=disable"},
			check: func(c Config) bool {
				return fmt.Sprint(c.DatabaseReadURLs) == "[postgres://app:pw@replica1/footnote postgresql://app:pw@replica2:5433/footnote?sslmode=disable]"
			},
		},
		{
			name: "a DATABASE_READ_URL naming several hosts, which libpq tries in turn, stays one replica",
			env:  map[string]string{"DATABASE_READ_URL": "postgres://app@r1:5432,r2:5432/footnote?target_session_attrs=standby,postgres://app@r3/footnote"},
			check: func(c Config) bool {
				return fmt.Sprint(c.DatabaseReadURLs) == "[postgres://app@r1:5432,r2:5432/footnote?target_session_attrs=standby postgres://app@r3/footnote]"
			},
		},
		{name: "a DATABASE_READ_URL that is not a postgres URL is refused by its own name",
			env: map[string]string{"DATABASE_READ_URL": "mysql:hunter2@y/z"}, wantErr: "DATABASE_READ_URL: not a postgres:// URL (want postgres://"},
		{name: "a bad one of several read URLs is named by its place, without the URL",
			env:     map[string]string{"DATABASE_READ_URL": "postgres://app@r1/footnote,postgres://app:hunter2@r2:notaport/footnote"},
			wantErr: "DATABASE_READ_URL (URL 2 of 2): invalid port (want postgres://"},
		{name: "a DATABASE_OWNER_URL that is not a postgres URL is refused by its own name",
			env:     map[string]string{"DATABASE_URL": "postgres://app@db/footnote", "DATABASE_OWNER_URL": "mysql:x@y/z"},
			wantErr: "DATABASE_OWNER_URL: not a postgres:// URL"},
		{
			name: "an OpenAI key switches the default embedder to OpenAI's",
			env:  map[string]string{"OPENAI_API_KEY": "sk-test", "FOOTNOTE_CHAT_MODEL": "gpt-4o-mini"},
			check: func(c Config) bool {
				return c.EmbedModel == "text-embedding-3-small" && c.ChatModel == "gpt-4o-mini" && c.OpenAIKey == "sk-test"
			},
		},
		{
			name: "a local OpenAI-compatible server needs no key",
			env:  map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/v1", "FOOTNOTE_EMBED_MODEL": "nomic-embed-text", "FOOTNOTE_EMBED_DIMS": "768"},
			check: func(c Config) bool {
				return c.EmbedModel == "nomic-embed-text" && c.EmbedDims == 768 && c.OpenAIKey == ""
			},
		},
		{
			name:  "a wide model's 3,072 dimensions are accepted (stored as halfvec)",
			env:   map[string]string{"OPENAI_API_KEY": "sk-test", "FOOTNOTE_EMBED_MODEL": "text-embedding-3-large", "FOOTNOTE_EMBED_DIMS": "3072"},
			check: func(c Config) bool { return c.EmbedDims == 3072 },
		},
		{
			name:  "the hash embedder can be kept with OpenAI configured",
			env:   map[string]string{"OPENAI_API_KEY": "sk-test", "FOOTNOTE_EMBED_MODEL": "hash"},
			check: func(c Config) bool { return c.EmbedModel == "hash" },
		},
		{
			name: "shards, private fetching and log level are read",
			env:  map[string]string{"FOOTNOTE_SHARD_ID": "2", "FOOTNOTE_SHARD_COUNT": "4", "FOOTNOTE_ALLOW_PRIVATE": "true", "FOOTNOTE_LOG_LEVEL": "DEBUG"},
			check: func(c Config) bool {
				return c.ShardID == 2 && c.ShardCount == 4 && c.AllowPrivate && c.LogLevel == "DEBUG"
			},
		},
		{name: "embedding dimensions that are not a number are refused", env: map[string]string{"FOOTNOTE_EMBED_DIMS": "abc"}, wantErr: "FOOTNOTE_EMBED_DIMS"},
		{name: "an answer deadline that is not a duration is refused by name", env: map[string]string{"FOOTNOTE_ANSWER_TIMEOUT": "soon"}, wantErr: `FOOTNOTE_ANSWER_TIMEOUT: "soon" is not a duration (such as 20s, 45s or 1m; a bare number is seconds)`},
		{name: "a database wait that is not a duration is refused by name", env: map[string]string{"FOOTNOTE_DB_WAIT": "a while"}, wantErr: `FOOTNOTE_DB_WAIT: "a while" is not a duration (such as 30s, 1m or 5m; a bare number is seconds)`},
		{name: "a database wait over an hour is refused with the range", env: map[string]string{"FOOTNOTE_DB_WAIT": "2h"}, wantErr: "FOOTNOTE_DB_WAIT: 2h0m0s is out of range (1s to 1h0m0s; the default is 1m0s)"},
		{name: "an answer deadline under a second is refused with the range", env: map[string]string{"FOOTNOTE_ANSWER_TIMEOUT": "300ms"}, wantErr: "FOOTNOTE_ANSWER_TIMEOUT: 300ms is out of range (1s to 10m0s; the default is 20s)"},
		{name: "a rate limit that is not a number is refused", env: map[string]string{"FOOTNOTE_RATE_PER_MINUTE": "lots"}, wantErr: "FOOTNOTE_RATE_PER_MINUTE"},
		{name: "a negative worker count is refused", env: map[string]string{"FOOTNOTE_WORKERS": "-2"}, wantErr: "FOOTNOTE_WORKERS"},
		{name: "negative embedding dimensions are refused", env: map[string]string{"FOOTNOTE_EMBED_DIMS": "-1"}, wantErr: "FOOTNOTE_EMBED_DIMS"},
		{name: "embedding dimensions set to zero are refused", env: map[string]string{"FOOTNOTE_EMBED_DIMS": "0"}, wantErr: "FOOTNOTE_EMBED_DIMS: 0 is out of range (1-4000"},
		{name: "a question length over Discord's option limit is refused", env: map[string]string{"FOOTNOTE_MAX_QUESTION_CHARS": "6001"}, wantErr: "FOOTNOTE_MAX_QUESTION_CHARS: 6001 is over 6000"},
		{name: "a DATABASE_URL that is not a postgres URL is refused by name", env: map[string]string{"DATABASE_URL": "mysql:hunter2@y/z"}, wantErr: "DATABASE_URL: not a postgres:// URL (want postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable"},
		{name: "embedding dimensions beyond pgvector's index limit are refused", env: map[string]string{"FOOTNOTE_EMBED_DIMS": "4001"}, wantErr: "FOOTNOTE_EMBED_DIMS: 4001 is out of range (1-4000"},
		{name: "a model embedder without an OpenAI endpoint is refused", env: map[string]string{"FOOTNOTE_EMBED_MODEL": "text-embedding-3-small"}, wantErr: "FOOTNOTE_EMBED_MODEL"},
		{name: "a chat model without an OpenAI endpoint is refused", env: map[string]string{"FOOTNOTE_CHAT_MODEL": "gpt-4o-mini"}, wantErr: "FOOTNOTE_CHAT_MODEL"},
		{name: "a shard id that is not a number is refused", env: map[string]string{"FOOTNOTE_SHARD_ID": "one"}, wantErr: "FOOTNOTE_SHARD_ID"},
		{name: "a shard id outside the shard count is refused", env: map[string]string{"FOOTNOTE_SHARD_ID": "2", "FOOTNOTE_SHARD_COUNT": "2"}, wantErr: "FOOTNOTE_SHARD_ID"},
		{name: "a shard count of zero is refused by its own name", env: map[string]string{"FOOTNOTE_SHARD_COUNT": "0"}, wantErr: "FOOTNOTE_SHARD_COUNT: 0 is not a shard count (at least 1; 1, the default, runs one process for every guild)"},
		{name: "a shard id past the count names both", env: map[string]string{"FOOTNOTE_SHARD_ID": "3", "FOOTNOTE_SHARD_COUNT": "2"}, wantErr: "FOOTNOTE_SHARD_ID: 3 is not in 0..FOOTNOTE_SHARD_COUNT-1 (FOOTNOTE_SHARD_COUNT is 2)"},
		{name: "a negative count says what to set instead", env: map[string]string{"FOOTNOTE_GUILD_CONCURRENCY": "-1"}, wantErr: "FOOTNOTE_GUILD_CONCURRENCY: -1 is negative (0 or more; 0 = the default)"},
		{name: "an OpenAI base that is not a web address is refused by name", env: map[string]string{"OPENAI_BASE_URL": "notaurl"},
			wantErr: "OPENAI_BASE_URL: not a web address: no scheme: a web address starts with https:// or http:// (want an http or https URL, such as https://api.openai.com/v1 or http://localhost:11434/v1)"},
		{name: "an OpenAI base on another scheme is refused by name", env: map[string]string{"OPENAI_BASE_URL": "ftp://models.example/v1"}, wantErr: "OPENAI_BASE_URL: not a web address: only http and https"},
		{name: "a Discord API base that is not a web address is refused at start", env: map[string]string{"DISCORD_API_BASE": "discord.local"},
			wantErr: "DISCORD_API_BASE: not a web address: no scheme: a web address starts with https:// or http:// (want an http or https URL, such as https://discord.com/api/v10)"},
		{name: "a port that is not a number is refused by its name, not DATABASE_URL's", env: map[string]string{"FOOTNOTE_PGPORT": "abc"}, wantErr: `FOOTNOTE_PGPORT: "abc" is not a port (a number from 1 to 65535)`},
		{name: "a port out of range is refused", env: map[string]string{"FOOTNOTE_PGPORT": "70000"}, wantErr: `FOOTNOTE_PGPORT: "70000" is not a port (a number from 1 to 65535)`},
		{name: "a bad sslmode keeps pgconn's reason", env: map[string]string{"DATABASE_URL": "postgres://footnote:pw@db.example/footnote?sslmode=bogus"},
			wantErr: "DATABASE_URL: failed to configure TLS: sslmode is invalid (want postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=disable"},
		{name: "a bad port in DATABASE_URL keeps pgconn's reason", env: map[string]string{"DATABASE_URL": "postgres://footnote@db.example:notaport/footnote"}, wantErr: "DATABASE_URL: invalid port (want postgres://"},
		{name: "a private-fetch switch that is not a boolean is refused", env: map[string]string{"FOOTNOTE_ALLOW_PRIVATE": "yes please"}, wantErr: "FOOTNOTE_ALLOW_PRIVATE"},
		{name: "an unknown log level is refused", env: map[string]string{"FOOTNOTE_LOG_LEVEL": "verbose"}, wantErr: "FOOTNOTE_LOG_LEVEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := configFromEnv(func(k string) string {
				if k == "PGPASSFILE" && tt.env[k] == "" {
					// Named, so that the local URLs carry no passfile found in a checkout.
					return "/dev/null"
				}
				return tt.env[k]
			})
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("configFromEnv = %+v, want an error naming %s", c, tt.wantErr)
				}
				if msg := err.Error(); !strings.HasPrefix(msg, tt.wantErr) || strings.Contains(msg, "\n") {
					t.Errorf("error %q: want one line starting with %s", msg, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("configFromEnv: %v", err)
			}
			if !tt.check(c) {
				t.Errorf("configFromEnv = %+v", c)
			}
		})
	}
}

func TestConfigKeepsSecretsOutOfErrors(t *testing.T) {
	const secret = "sk-very-secret-key"
	for _, env := range []map[string]string{
		{"OPENAI_API_KEY": secret, "FOOTNOTE_EMBED_DIMS": "lots"},
		{"DATABASE_URL": "mysql:" + secret + "@y/z"},
		{"DATABASE_URL": "postgres://footnote:" + secret + "@db:notaport/footnote"},
		{"DATABASE_URL": "postgres://footnote:" + secret + "@db/footnote?sslmode=bogus"},
		{"DATABASE_URL": "postgres://footnote:" + secret + " x@db/footnote"},
		{"DATABASE_URL": "postgres://footnote:" + secret + "%zz@db/footnote"},
		{"DATABASE_URL": "host=db password=" + secret + " sslmode=bogus"},
		{"DATABASE_OWNER_URL": "postgres://footnote:" + secret + "@db:notaport/footnote"},
		{"OPENAI_BASE_URL": "ftp://user:" + secret + "@models.example/v1"},
	} {
		_, err := configFromEnv(func(k string) string { return env[k] })
		if err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("%v: error %v, want one that does not repeat the secret", env, err)
		}
	}
}
