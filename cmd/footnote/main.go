// Command footnote answers questions about the news articles a community tracks, with
// numbered citations quoted verbatim from the articles. See README.md for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "footnote:", err)
			if errors.Is(err, retrieval.ErrBlockedAddr) {
				fmt.Fprintln(os.Stderr, "footnote: (private and loopback addresses are refused; FOOTNOTE_ALLOW_PRIVATE=true allows them)")
			}
		}
		os.Exit(exitCode(err))
	}
}

var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

const usage = `footnote: answers questions about the articles you track, with quoted citations.

usage:
  footnote migrate
  footnote import  [--collection C] FILE.jsonl
  footnote add     [--collection C] URL|FILE
  footnote search  [--collection C] [-k 10] [--json] [--batch] [QUERY]
  footnote ask     [--collection C] [--json] [--batch] [QUESTION]
  footnote remove  [--collection C] URL | --all
  footnote reindex [--collection C]
  footnote eval    --questions FILE.jsonl [--collection C] [--json]
  footnote serve   [--http ADDR]
  footnote console [--collection C]

Configuration comes from the environment (DATABASE_URL, OPENAI_*, FOOTNOTE_*, DISCORD_*);
see README.md.
`

// run is main without the process: tests call it with their own arguments and streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	cmd, rest := args[0], args[1:]
	level := cfg.LogLevel
	if level == "" {
		// The console shares the terminal with its answers: only warnings and errors there.
		level = "info"
		if cmd == "console" {
			level = "warn"
		}
	}
	m.Log = newLogger(stderr, level)
	commands := map[string]func(context.Context, []string) error{
		"migrate": m.cmdMigrate, "import": m.cmdImport, "add": m.cmdAdd, "search": m.cmdSearch,
		"ask": m.cmdAsk, "remove": m.cmdRemove, "reindex": m.cmdReindex, "eval": m.cmdEval,
		"serve": m.cmdServe, "console": m.cmdConsole,
	}
	f, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "footnote: unknown command %q\n\n%s", cmd, usage)
		return errUsage
	}
	defer m.Close()
	return f(ctx, rest)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(strings.ToUpper(level)))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// Main holds what a command runs on; Open builds it, Close tears it down in reverse order.
type Main struct {
	Config Config
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger

	Store  *retrieval.Store
	Engine *retrieval.Engine
}

// Open applies migrations, connects to Postgres and builds the engine from the
// configuration. It fails with a message naming what could not be reached.
func (m *Main) Open(ctx context.Context) error {
	if err := m.migrate(ctx); err != nil {
		return err
	}
	store, err := retrieval.OpenStore(ctx, m.Config.DatabaseURL, 0)
	if err != nil {
		return databaseError(m.Config.DatabaseURL, m.Config.LocalPGPort, err)
	}
	m.Store = store
	emb, err := m.embedder(ctx)
	if err != nil {
		return err
	}
	var ans retrieval.Answerer = answer.Extractive{}
	if m.Config.ChatModel != "" {
		chat, err := answer.NewChat(answer.ChatConfig{BaseURL: m.Config.OpenAIBaseURL, APIKey: m.Config.OpenAIKey, Model: m.Config.ChatModel})
		if err != nil {
			return fmt.Errorf("FOOTNOTE_CHAT_MODEL: %w", err)
		}
		ans = answer.NewLLM(chat, answer.Extractive{}, m.Log)
	}
	m.Engine, err = retrieval.New(ctx, store, retrieval.Config{
		Embedder: emb,
		Answerer: ans,
		Fetcher:  fetch.New(fetch.Config{AllowPrivate: m.Config.AllowPrivate}),
		Log:      m.Log,

		MaxQuestionChars: m.Config.MaxQuestionChars,
	})
	return err
}

// migrate applies the pending migrations; a database it cannot reach or log in to fails
// with one line naming DATABASE_URL and the fix.
func (m *Main) migrate(ctx context.Context) error {
	return databaseError(m.Config.DatabaseURL, m.Config.LocalPGPort, migrations.Up(ctx, m.Config.DatabaseURL, m.Log))
}

func (m *Main) embedder(ctx context.Context) (embed.Embedder, error) {
	if m.Config.EmbedModel == "hash" {
		return embed.NewHash(m.Config.EmbedDims), nil
	}
	o, err := embed.NewOpenAI(embed.OpenAIConfig{BaseURL: m.Config.OpenAIBaseURL, APIKey: m.Config.OpenAIKey,
		Model: m.Config.EmbedModel, Dims: m.Config.EmbedDims})
	if err != nil {
		return nil, fmt.Errorf("FOOTNOTE_EMBED_MODEL: %w", err)
	}
	if m.Config.EmbedDims == 0 {
		// The space (and its index) needs the size before the first passage is stored.
		if _, err := o.Probe(ctx); err != nil {
			return nil, fmt.Errorf("FOOTNOTE_EMBED_MODEL: probe %s at OPENAI_BASE_URL: %w", m.Config.EmbedModel, err)
		}
	}
	return o, nil
}

// Close releases what Open acquired, in reverse order.
func (m *Main) Close() {
	if m.Store != nil {
		m.Store.Close()
	}
}
