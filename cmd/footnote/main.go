// Command footnote answers questions about the news articles a community tracks, with
// numbered citations quoted verbatim from the articles. See README.md for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	dg "github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/footnote-bot/footnote/migrations"
	"github.com/footnote-bot/footnote/retrieval"
	"github.com/footnote-bot/footnote/retrieval/answer"
	"github.com/footnote-bot/footnote/retrieval/embed"
	"github.com/footnote-bot/footnote/retrieval/fetch"
	"github.com/footnote-bot/footnote/retrieval/jobs"
	"github.com/footnote-bot/footnote/retrieval/oai"
	"github.com/footnote-bot/footnote/retrieval/redact"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// Only the process routes the standard logger (StdLog): it is global.
	m := &Main{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, StdLog: true}
	stopProfiles := startProfiles(os.Getenv("FOOTNOTE_PROFILE_DIR"), os.Args[1:])
	code := m.Run(ctx, os.Args[1:], os.Getenv)
	stop()
	stopProfiles()
	os.Exit(code)
}

// Run runs the command in args on m's streams, reports its error on Stderr in one line
// (secrets masked, as everything m writes), and returns the exit status.
func (m *Main) Run(ctx context.Context, args []string, getenv func(string) string) int {
	err := m.run(ctx, args, getenv)
	if err == nil {
		return 0
	}
	report(m.Stderr, err)
	return exitCode(err)
}

// flush writes what the streams' redactors hold back (an unfinished last word).
func flush(streams ...io.Writer) {
	for _, w := range streams {
		if f, ok := w.(interface{ Flush() error }); ok {
			_ = f.Flush()
		}
	}
}

var errUsage = errors.New("usage")

// exitTempFail is the exit status of a command stopped by a database outage: sysexits'
// EX_TEMPFAIL, "try again later", so a script can tell it from bad input (1) and misuse (2).
const exitTempFail = 75

func exitCode(err error) int {
	switch {
	case errors.Is(err, errUsage):
		return 2
	case retrieval.IsUnavailable(err):
		return exitTempFail
	}
	return 1
}

// run is main without the process and without the final error line: tests call it with
// their own arguments and streams, and check the error it returns.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) error {
	m := &Main{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	return m.run(ctx, args, getenv)
}

// run runs the command in args. Before anything is written, m's streams start masking the
// secrets found in the environment (see secrets), so that no error, log line or answer
// shows one, whatever a server sent back. Help and the version need no configuration;
// every other command reads it first.
func (m *Main) run(ctx context.Context, args []string, getenv func(string) string) error {
	m.redact = redact.New(secrets(getenv)...)
	m.Stdout, m.Stderr = m.redact.Writer(m.Stdout), m.redact.Writer(m.Stderr)
	defer flush(m.Stdout, m.Stderr) // report's line, after, ends in a newline: nothing is held then
	stdout, stderr := m.Stdout, m.Stderr
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return errUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return nil
	case "help":
		if len(rest) == 0 || isHelpFlag(rest[0]) { // `footnote help --help` is the usage too
			fmt.Fprint(stdout, usage())
			return nil
		}
		name, rest = rest[0], []string{"--help"}
	case "-version", "--version":
		name = "version"
	}
	cmd, ok := findCommand(name)
	if !ok {
		fmt.Fprintf(stderr, "footnote: unknown command %q\n\n%s", name, usage())
		return errUsage
	}
	if wantsHelp(rest) {
		return ignoreHelp(cmd.run(m, ctx, []string{"--help"}))
	}
	if cmd.name == "version" {
		return cmd.run(m, ctx, rest)
	}
	cfg, err := configFromEnv(getenv)
	if err != nil {
		return err
	}
	m.Config = cfg
	level := cfg.LogLevel
	if level == "" {
		// The console shares the terminal with its answers: only warnings and errors there.
		level = "info"
		if name == "console" {
			level = "warn"
		}
	}
	m.Log = slog.New(m.redact.Handler(newHandler(stderr, level)))
	if m.StdLog {
		routeStandardLog(m.Log)
	}
	defer m.Close()
	return ignoreHelp(cmd.run(m, ctx, rest))
}

// ignoreHelp turns errHelp (help printed as asked) into success.
func ignoreHelp(err error) error {
	if errors.Is(err, errHelp) {
		return nil
	}
	return err
}

func newHandler(w io.Writer, level string) slog.Handler {
	var l slog.Level
	_ = l.UnmarshalText([]byte(strings.ToUpper(level)))
	return slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})
}

// routeStandardLog sends what goes to the standard library's logger (net/http's
// "Unsolicited response received on idle HTTP channel", discordgo's errors) and to
// slog's default logger into log, as warnings, with log's redaction. It changes
// process-wide state, so only main asks for it (Main.StdLog), once.
func routeStandardLog(log *slog.Logger) {
	slog.SetLogLoggerLevel(slog.LevelWarn)
	slog.SetDefault(log) // also points the log package's output at log's handler
	dg.Logger = discordgoLog(log)
}

// discordgoLog sends discordgo's own lines into log: its errors and warnings as warnings
// (as the standard logger took them before), its information and debugging at their
// levels. footnote decodes INTERACTION_CREATE itself, from the raw event, and logs what
// it cannot read (bot's onInteraction), so discordgo's failure to decode one, as it fails
// on every 👎 form ("unknown component type: 18": it knows no modal Label), is debugging.
func discordgoLog(log *slog.Logger) func(msgL, caller int, format string, a ...any) {
	return func(msgL, _ int, format string, a ...any) {
		msg := fmt.Sprintf(format, a...)
		level := slog.LevelDebug
		switch {
		case strings.HasPrefix(msg, "error unmarshalling INTERACTION_CREATE event"):
		case msgL <= dg.LogWarning:
			level = slog.LevelWarn
		case msgL == dg.LogInformational:
			level = slog.LevelInfo
		}
		log.Log(context.Background(), level, "discordgo: "+msg)
	}
}

// secretVars are the variables whose whole value is a secret.
var secretVars = []string{"DISCORD_TOKEN", "OPENAI_API_KEY"}

// secrets returns the secret values in the environment: the token and the key, and the
// passwords in DATABASE_URL and DATABASE_OWNER_URL (or in PGPASSWORD or the pgpass file,
// which pgx reads when a URL has none), OPENAI_BASE_URL and DISCORD_API_BASE.
func secrets(getenv func(string) string) []string {
	var out []string
	for _, v := range secretVars {
		out = append(out, getenv(v))
	}
	dsns := []string{getenv("DATABASE_URL"), getenv("DATABASE_OWNER_URL")}
	if reads, err := readURLs(getenv("DATABASE_READ_URL")); err == nil {
		dsns = append(dsns, reads...)
	}
	for _, dsn := range dsns {
		if dsn != "" {
			if cfg, err := pgconn.ParseConfig(dsn); err == nil {
				out = append(out, cfg.Password)
			}
		}
	}
	for _, v := range []string{"OPENAI_BASE_URL", "DISCORD_API_BASE"} {
		if u, err := url.Parse(getenv(v)); err == nil && u.User != nil {
			p, _ := u.User.Password()
			out = append(out, p)
		}
	}
	return out
}

// Main holds what a command runs on; Open builds it, Close tears it down in reverse order.
type Main struct {
	Config Config
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Log    *slog.Logger
	// StdLog routes the standard logger and slog's default into Log (routeStandardLog);
	// main sets it, tests leave it off.
	StdLog bool

	redact *redact.Redactor // masks secrets in all m writes: its streams, its log, the bot's errors

	Store  *retrieval.Store
	Engine *retrieval.Engine
	Jobs   *jobs.Client // the background jobs, for the commands that open them (openJobs)
}

// Open applies migrations, connects to Postgres and builds the engine from the
// configuration. It fails with a message naming what could not be reached.
func (m *Main) Open(ctx context.Context) error {
	if err := m.migrate(ctx); err != nil {
		return err
	}
	store, err := retrieval.OpenStore(ctx, m.Config.DatabaseURL, 0, retrieval.WithReplicas(m.Config.DatabaseReadURLs, m.Log))
	if err != nil {
		return databaseError(m.Config.DatabaseURL, m.Config.LocalPGPort, err)
	}
	m.Store = store
	emb, err := m.embedder(ctx)
	if err != nil {
		return err
	}
	var ans retrieval.Answerer = answer.Extractive{}
	// Requests for an overview are quoted article by article offline; an LLM gets them
	// itself, flagged (Evidence.Request), to summarise with citations, and falls back to
	// the same overview when it fails.
	var overview retrieval.Answerer = answer.Overview{}
	if m.Config.ChatModel != "" {
		overview = nil
		chat, err := answer.NewChat(answer.ChatConfig{Config: m.openAI(), Model: m.Config.ChatModel})
		if err != nil {
			return fmt.Errorf("FOOTNOTE_CHAT_MODEL: %w", err)
		}
		ans = answer.NewLLM(chat, answer.Extractive{}, m.Log)
	}
	var judge embed.Embedder
	if m.Config.JudgeURL != "" {
		// One short request per question: the engine bounds it (judgeTimeout) and goes on
		// without the judge when it fails, so no retries here.
		j, err := embed.NewOpenAI(embed.OpenAIConfig{Config: oai.Config{BaseURL: m.Config.JudgeURL, MaxRetries: -1}, Model: m.Config.JudgeModel})
		if err != nil {
			return fmt.Errorf("FOOTNOTE_JUDGE_URL: %w", err)
		}
		judge = j
	}
	m.Engine, err = retrieval.New(ctx, store, retrieval.Config{
		Embedder: emb,
		Judge:    judge,
		Answerer: ans,
		Overview: overview,
		// The fetcher shares robots.txt files and each site's pace with footnote's other
		// processes through the database.
		Fetcher: fetch.New(fetch.Config{AllowPrivate: m.Config.AllowPrivate, HostDelay: m.Config.HostDelay, Sites: store}),
		Log:     m.Log,

		MaxQuestionChars: m.Config.MaxQuestionChars,
		AnswerTimeout:    m.Config.AnswerTimeout,
		RecrawlSchedule:  m.Config.RecrawlSchedule,
		OutageWait:       m.Config.DBWait,
	})
	return err
}

// openAI is how the embedder and the chat model reach the OpenAI-compatible server.
func (m *Main) openAI() oai.Config {
	return oai.Config{BaseURL: m.Config.OpenAIBaseURL, APIKey: m.Config.OpenAIKey}
}

// migrate applies the pending migrations as the owner (DATABASE_OWNER_URL), which grants
// DATABASE_URL's role its privileges; with DATABASE_URL alone, as that role. A database it
// cannot reach or log in to fails with one line naming the variable and the fix.
func (m *Main) migrate(ctx context.Context) error {
	if m.Config.DatabaseOwnerURL == "" {
		return databaseError(m.Config.DatabaseURL, m.Config.LocalPGPort, migrations.Up(ctx, m.Config.DatabaseURL, m.Log))
	}
	var runtime string
	if cfg, err := pgconn.ParseConfig(m.Config.DatabaseURL); err == nil {
		runtime = cfg.User
	}
	err := migrations.Up(ctx, m.Config.DatabaseOwnerURL, m.Log, migrations.GrantTo(runtime))
	return urlError("DATABASE_OWNER_URL", m.Config.DatabaseOwnerURL, m.Config.LocalPGPort, err)
}

func (m *Main) embedder(ctx context.Context) (embed.Embedder, error) {
	if m.Config.EmbedModel == "hash" {
		return embed.NewHash(m.Config.EmbedDims), nil
	}
	o, err := embed.NewOpenAI(embed.OpenAIConfig{Config: m.openAI(), Model: m.Config.EmbedModel, Dims: m.Config.EmbedDims})
	if err != nil {
		return nil, fmt.Errorf("FOOTNOTE_EMBED_MODEL: %w", err)
	}
	if m.Config.EmbedDims == 0 {
		// The space (and its index) needs the size before the first passage is stored.
		if _, err := o.Probe(ctx); err != nil {
			return nil, probeError(m.Config, err)
		}
	}
	return o, nil
}

// Close releases what Open and openJobs acquired, in reverse order. Jobs still running
// (a command that returned early) are cancelled at once and handed back to the queue.
func (m *Main) Close() {
	if m.Jobs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), stopDeadline)
		if err := m.Jobs.Stop(ctx, 0); err != nil {
			m.Log.Warn("stop background jobs", "err", err)
		}
		cancel()
		m.Jobs.Close()
	}
	if m.Store != nil {
		m.Store.Close()
	}
}
