package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/footnote-bot/footnote/retrieval"
)

// command is one subcommand: how to run it, and what its --help and the usage say.
type command struct {
	name     string
	synopsis string // flags and arguments, as the usage lists them
	summary  string // one line: what it does
	detail   string // more, for --help; may be ""
	example  string
	run      func(*Main, context.Context, []string) error
}

// commands lists the subcommands in the order the usage shows them. (A function, not a
// variable: the commands' code reads the list back for its help.)
func commands() []command {
	return []command{
		{name: "migrate", summary: "apply the database migrations (every other command applies them too)",
			detail: "They run as DATABASE_OWNER_URL when it is set (the role that owns footnote's tables), which then\n" +
				"grants DATABASE_URL's role what footnote works with: rows, never tables. With DATABASE_URL alone,\n" +
				"that role migrates; a role that may not (footnote's runtime role) starts only once they are applied.\n",
			example: "footnote migrate", run: (*Main).cmdMigrate},
		{name: "import", synopsis: "[--collection C] FILE.jsonl", summary: "add the articles of a JSON Lines file, one article a line (- reads standard input)",
			detail: "Each line is one JSON object:\n" +
				`  {"url": "https://news.example/story", "title": "…", "published": "2024-05-02", "text": "…"}` + "\n" +
				"url and text are required; published (YYYY-MM-DD or RFC 3339), title, site and byline are optional.\n" +
				"Lines end at LF, CRLF or CR. A bad line (not exactly one JSON object, not UTF-8) is reported with its\n" +
				fmt.Sprintf("number and skipped; a title over %d characters, a site over %d or a byline over %d is cut, with a warning.\n",
					retrieval.MaxTitleChars, retrieval.MaxSiteChars, retrieval.MaxBylineChars) +
				"The import exits 1 when every line fails, and when the input holds no article at all (empty, or blank lines\n" +
				"only), so a script notices an export that produced nothing. When the database stays unreachable for\n" +
				fmt.Sprintf("FOOTNOTE_DB_WAIT (%v), the import stops with exit status %d; run it again to resume.",
					retrieval.DefaultOutageWait, exitTempFail),
			example: "footnote import --collection 123456789012345678 articles.jsonl", run: (*Main).cmdImport},
		{name: "add", synopsis: "[--collection C] URL|FILE", summary: "add one article: fetched from a link, or read from a .txt, .md or .html file",
			example: "footnote add https://news.example/2024/05/tram-extension", run: (*Main).cmdAdd},
		{name: "search", synopsis: "[--collection C] [-k 10] [--since DATE] [--source SITE] [--json] [--batch [--parallel N]] [QUERY]", summary: "print the passages that best match QUERY, best first",
			detail:  "--batch reads JSON lines {\"id\",\"question\"} from standard input and prints one JSON line for each;\nit exits 1 when every line failed, 0 when at least one was answered. --parallel N answers N lines\nat once, as a server answers members who ask together; the output keeps the input's order.",
			example: `footnote search -k 5 "tram extension opening date"`, run: (*Main).cmdSearch},
		{name: "ask", synopsis: "[--collection C] [--since DATE] [--source SITE] [--json] [--batch [--parallel N]] [QUESTION]",
			summary: "answer QUESTION with quotes from the articles, each cited with its link",
			detail:  "--batch reads JSON lines {\"id\",\"question\"} from standard input and prints one JSON answer line for each;\nit exits 1 when every line failed, 0 when at least one was answered. --parallel N answers N lines\nat once; the output keeps the input's order.",
			example: `footnote ask --since 2024-01-01 "When will the tram extension open?"`, run: (*Main).cmdAsk},
		{name: "track", synopsis: "[--collection C] [--every DURATION] [--json] URL",
			summary: "follow an RSS, Atom or JSON feed (or a page that advertises one) and poll it once at once",
			detail: "Prints one line per new article and a summary (\"3 new, 0 updated\"); --json prints one JSON line\n" +
				"per article {\"url\",\"title\",\"published\",\"status\"}. --every is 30m by default, at least 5m.\n" +
				"Tracking a feed again changes its interval and resumes it if it was paused.",
			example: "footnote track --every 1h https://news.example/feed.xml", run: (*Main).cmdTrack},
		{name: "feeds", synopsis: "[--collection C] [--json]", summary: "list the followed feeds: last success, last error, next poll, articles",
			example: "footnote feeds --json", run: (*Main).cmdFeeds},
		{name: "gaps", synopsis: "[--collection C] [--since DATE] [--limit N] [--json]",
			summary: "list what members asked that the articles don't answer: questions footnote abstained on, answers marked 👎",
			detail: "A question asked in other words (the same content words, the same kind of answer asked for) is one line with\n" +
				"the others, shown as last asked, most asked first, then most recent; who asked is not shown. --json prints one JSON line per question {\"question\",\"asked\",\"last\",\"not_covered\",\n" +
				"\"unhelpful\"}. --limit is 50 by default, at most 200.",
			example: "footnote gaps --since 2026-11-01", run: (*Main).cmdGaps},
		{name: "untrack", synopsis: "[--collection C] URL", summary: "stop following a feed (its articles stay)",
			example: "footnote untrack https://news.example/feed.xml", run: (*Main).cmdUntrack},
		{name: "poll", synopsis: "[--collection C] [--all] [--json]", summary: "poll, once, every feed that is due (every unpaused feed with --all), and exit",
			detail: "Requests are conditional (If-None-Match, If-Modified-Since) even with --all. A feed whose background poll\n" +
				"is running is left out. A failing feed is reported on standard error; poll exits 1 only when every feed\npolled failed.",
			example: "footnote poll --all", run: (*Main).cmdPoll},
		{name: "recrawl", synopsis: "[--collection C] [--due | --all] [--json] [URL]",
			summary: "fetch again, once, the articles added from a link whose recrawl is due (every one with --all, or the one at URL), and exit",
			detail: "Articles added from a link are fetched again after 1h, 1 day, 1 week, then monthly (FOOTNOTE_RECRAWL_SCHEDULE).\n" +
				"Requests are conditional (If-None-Match, If-Modified-Since). Prints one line per article with its status\n" +
				"(unchanged, updated, gone, removed or failed) and a summary; --json prints one JSON line per article\n" +
				"{\"url\",\"title\",\"status\"} (+ \"passages\", \"embedded\", \"next\", \"error\"). A page that answers 404 or 410 is\n" +
				"marked no longer online, or removed when the server's /settings gone_pages says so. Files and imported\n" +
				"lines are never recrawled. recrawl exits 1 only when every article it fetched failed.",
			example: "footnote recrawl --all --collection 123456789012345678", run: (*Main).cmdRecrawl},
		{name: "remove", synopsis: "[--collection C] URL | --all", summary: "remove one article by its link, or every article of the collection",
			example: "footnote remove https://news.example/2024/05/tram-extension", run: (*Main).cmdRemove},
		{name: "reindex", synopsis: "[--collection C]", summary: "embed and tokenise the collection's passages again (after changing FOOTNOTE_EMBED_MODEL)",
			detail: "The reindex is a background job (one per collection at a time: asking again follows the one under way).\n" +
				"This command follows it on standard error until it is done, and works the reindex queue itself meanwhile,\n" +
				"so it needs no other worker; a running `footnote worker` or `serve` may take the job instead. The job first\n" +
				"says what it will do (with a model on a server, about how many tokens it will send, at 4 characters a token),\n" +
				"then fills the new embedding space while the old one keeps answering, switches, and deletes the old space's\n" +
				"vectors. Interrupted, the job goes back to the queue and resumes where it stopped.",
			example: "footnote reindex --collection default", run: (*Main).cmdReindex},
		{name: "eval", synopsis: "--questions FILE.jsonl [--unanswerable FILE.jsonl] [--collection C] [--signals FILE.jsonl] [--json]",
			summary: "measure retrieval and answers on questions with known answers",
			detail:  "Each line of --questions is {\"id\",\"question\",\"answers\":[…],\"evidences\":[…],\"url\"}; of --unanswerable, {\"id\",\"question\"}.\nA question whose url is not an article of the collection must abstain, like the --unanswerable ones:\nthe report counts how many did, and prints a row of the split-half table.",
			example: "footnote eval --questions ../shared/data/squad-dev/questions.jsonl", run: (*Main).cmdEval},
		{name: "calibrate", synopsis: "--fit C [--judged] [--write retrieval/rank.go] SIGNALS.jsonl...",
			summary: "fit the second coverage check on collection C's lines of eval --signals files",
			detail:  "Fits a logistic model of whether a quoted answer should be given, on collection C's lines only,\nsets its threshold so that at most 2% of C's answerable questions abstain, prints the Go constants\nand a table of every collection of the files (the ones not fitted on are the honest estimate).\n--write puts the constants into the BEGIN/END calibrate block of rank.go; with --judged, the model that also weighs\nthe judge's cosine (signals recorded with FOOTNOTE_JUDGE_URL), into the calibrate judged block.",
			example: "footnote calibrate --fit A signals-A.jsonl signals-B.jsonl", run: (*Main).cmdCalibrate},
		{name: "serve", synopsis: "[--http ADDR] [--no-worker]", summary: "run the Discord bot: over the gateway (DISCORD_TOKEN), or as an HTTP interactions endpoint (--http, DISCORD_PUBLIC_KEY)",
			detail: "It also works the background jobs (feed polls, reindexes, the sweep of departed servers) as `footnote worker`\n" +
				"does, unless --no-worker or FOOTNOTE_SERVE_WORKER=false.",
			example: "DISCORD_TOKEN=… footnote serve", run: (*Main).cmdServe},
		{name: "worker", summary: "work the background jobs (feed polls, reindexes, the sweep of departed servers) without Discord's gateway, until SIGINT or SIGTERM",
			detail: "Any number of workers and `serve` processes share the jobs through the database. With DISCORD_TOKEN,\n" +
				"new feed articles are announced, reindex progress is posted and the servers footnote is in are listed (to find\n" +
				"those that removed it unseen, before each sweep) over Discord's REST API. On SIGINT or SIGTERM,\n" +
				"running jobs get " + shutdownGrace.String() + " to finish; the rest go back to the queue.",
			example: "footnote worker", run: (*Main).cmdWorker},
		{name: "jobs", synopsis: "[--json]", summary: "list the background jobs by kind: queued, running, retrying, failed and done, with the last failure's error",
			detail:  "--json prints one line per kind: {\"kind\",\"queued\",\"running\",\"retrying\",\"failed\",\"done\",\"last_error\",\"last_error_at\",\"retry_error\"}.",
			example: "footnote jobs --json", run: (*Main).cmdJobs},
		{name: "invite", summary: "print the link that adds footnote to a server, with the permissions it needs (DISCORD_APP_ID or DISCORD_TOKEN)",
			example: "DISCORD_APP_ID=… footnote invite", run: (*Main).cmdInvite},
		{name: "console", synopsis: "[--collection C]", summary: "type the bot's slash commands in a terminal, without Discord",
			example: "footnote console", run: (*Main).cmdConsole},
		{name: "version", summary: "print footnote's version (also --version)", example: "footnote version", run: (*Main).cmdVersion},
	}
}

func findCommand(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage is the top-level help: every command with its flags, and where configuration comes from.
func usage() string {
	var b strings.Builder
	b.WriteString("footnote answers questions about the articles you track, with quoted citations.\n\nusage:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %s\n      %s\n", strings.TrimSpace("footnote "+c.name+" "+c.synopsis), c.summary)
	}
	b.WriteString("\n`footnote COMMAND --help` shows a command's flags and an example.\n" +
		"Configuration comes from the environment (DATABASE_URL, OPENAI_*, FOOTNOTE_*, DISCORD_*); see README.md.\n")
	return b.String()
}

// errHelp is --help given to a command: the help is printed, and footnote exits 0.
var errHelp = errors.New("help")

// newFlags starts the flag set of command name; with collection it has --collection.
// Its messages go to stderr; --help is printed by parseFlags.
func (m *Main) newFlags(name string, collection bool) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {}
	coll := new(string)
	if collection {
		fs.StringVar(coll, "collection", retrieval.DefaultCollection, "collection (a Discord guild id, or \"default\")")
	}
	return fs, coll
}

// parseFlags parses fs from args, allowing flags after positional arguments
// (`footnote ask "question" --json`), and returns the positional ones. --help before the
// first positional argument prints the command's help to stdout (errHelp); after one it is
// a word like any other. A bad flag prints its usage to stderr (errUsage).
func (m *Main) parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		// After a positional argument a help flag is a word (`ask what does -h mean`):
		// flags are parsed only up to the next one.
		var words []string
		if len(pos) > 0 {
			if i := slices.IndexFunc(args, isHelpFlag); i >= 0 {
				args, words = args[:i], args[i:]
			}
		}
		if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
			m.printHelp(fs)
			return nil, errHelp
		} else if err != nil {
			return nil, m.usageError(fs.Name())
		}
		args = slices.Concat(fs.Args(), words)
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// usageError prints command name's synopsis to stderr and returns errUsage.
func (m *Main) usageError(name string) error {
	c, _ := findCommand(name)
	fmt.Fprintf(m.Stderr, "usage: %s\n`footnote %s --help` says more.\n", strings.TrimSpace("footnote "+c.name+" "+c.synopsis), c.name)
	return errUsage
}

// printHelp writes a command's help: synopsis, what it does, its flags and an example.
func (m *Main) printHelp(fs *flag.FlagSet) {
	c, _ := findCommand(fs.Name())
	w := m.Stdout
	fmt.Fprintf(w, "usage: %s\n\n%s.\n", strings.TrimSpace("footnote "+c.name+" "+c.synopsis), capitalize(c.summary))
	if c.detail != "" {
		fmt.Fprintf(w, "\n%s\n", c.detail)
	}
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprintln(w, "\nflags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(m.Stderr)
	}
	fmt.Fprintf(w, "\nexample:\n  %s\n", c.example)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// wantsHelp reports whether args ask for help: -h, -help or --help among the flags before
// the first positional argument (`footnote ask what does -h mean` asks a question).
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch {
		case isHelpFlag(a):
			return true
		case a == "--" || a == "-" || !strings.HasPrefix(a, "-"):
			return false
		}
	}
	return false
}

func isHelpFlag(a string) bool { return a == "-h" || a == "-help" || a == "--help" }

func (m *Main) cmdVersion(_ context.Context, args []string) error {
	fs, _ := m.newFlags("version", false)
	if pos, err := m.parseFlags(fs, args); err != nil {
		return err
	} else if len(pos) > 0 {
		return m.usageError("version")
	}
	printVersion(m.Stdout)
	return nil
}

func printVersion(w io.Writer) {
	bi, ok := debug.ReadBuildInfo()
	fmt.Fprintln(w, "footnote", version(bi, ok))
}

// version is the module version footnote was built at (go install …@v1.2.0), else the
// commit and its time from the build's VCS stamp, else "devel".
func version(bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "-dirty"
			}
		}
	}
	if rev == "" {
		return "devel"
	}
	v := rev[:min(12, len(rev))] + dirty
	if at != "" {
		v += " (" + at + ")"
	}
	return v
}
