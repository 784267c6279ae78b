package bot

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/footnote-bot/footnote/retrieval"
)

func TestConsole(t *testing.T) {
	t.Run("typed commands run through the same handlers and print their replies", func(t *testing.T) {
		eng := newFakeEngine()
		eng.web["https://news.example/budget"] = fakePage{title: "Council passes budget", site: "news.example",
			published: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC), text: "The council approved the budget on Tuesday."}
		h := newHarness(t, eng)
		in := strings.NewReader(strings.Join([]string{
			"/add https://news.example/budget",
			"/ask When did the council approve the budget? since:2024-01-01",
			"/articles",
			"/passage 1",
			"/reindex",
			"/frobnicate",
			"/quit",
			"/ask this is never read",
		}, "\n"))
		var out strings.Builder
		if err := h.bot.RunConsole(context.Background(), "local", in, &out); err != nil {
			t.Fatal(err)
		}
		got := out.String()
		for _, want := range []string{
			"Added Council passes budget (news.example · 2 May 2024 · 1 passage)\n<https://news.example/budget>",
			"The council approved the budget on Tuesday. [1]\n[1] Council passes budget\n    news.example · 2 May 2024\n" +
				"    https://news.example/budget\n" + // the body quotes it already: not twice
				"  full passages: /passage 1",
			"Tracked articles: page 1 of 1 (1 in all)",
			"1. Council passes budget <https://news.example/budget> · news.example · 2 May 2024 · 1 passage",
			"Passage 1 in full:",
			"Reindexing this server's articles… Will embed 1 passage with hash-256.",
			"Reindex done in 1 ms: 1 article, 1 passage, 1 embedded.",
			"Unknown command. /help lists them.",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "**") || strings.Contains(got, "](") {
			t.Errorf("the console printed Discord Markdown:\n%s", got)
		}
		if a := eng.lastAsk(); a.coll != "local" || a.opts.Filter.Since.Year() != 2024 || eng.askCount() != 1 {
			t.Errorf("engine asked %+v (%d times)", a, eng.askCount())
		}
		if n := len(h.discord.recorded(nil)); n != 0 {
			t.Errorf("the console made %d REST calls", n)
		}
	})

	t.Run("errors are explained in the console too", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		var out strings.Builder
		err := h.bot.RunConsole(context.Background(), "", strings.NewReader("/remove https://news.example/none\n/ask\n"), &out)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"No tracked article has that link here.", "Ask a question, for example"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
	})

	t.Run("the console stops when its context ends", func(t *testing.T) {
		h := newHarness(t, newFakeEngine())
		ctx, cancel := context.WithCancel(context.Background())
		r, w := io.Pipe()
		defer w.Close()
		done := make(chan error, 1)
		go func() { done <- h.bot.RunConsole(ctx, "local", r, &strings.Builder{}) }()
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("RunConsole = %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("RunConsole kept running")
		}
	})
}

func TestConsoleQuestions(t *testing.T) {
	budget := "The council approved the budget on Tuesday.\n\nThe budget funds a new library branch."
	newEngine := func() *fakeEngine {
		eng := newFakeEngine()
		eng.add("local", retrieval.Article{URL: "https://news.example/budget", Title: "Council passes budget",
			Site: "news.example", Text: budget})
		return eng
	}
	run := func(t *testing.T, eng *fakeEngine, lines ...string) string {
		t.Helper()
		var out strings.Builder
		h := newHarness(t, eng)
		if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader(strings.Join(lines, "\n")), &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}

	t.Run("a line without a leading slash is asked as /ask", func(t *testing.T) {
		eng := newEngine()
		out := run(t, eng, "What did the council approve?")
		if a := eng.lastAsk(); eng.askCount() != 1 || a.question != "What did the council approve?" || a.coll != "local" {
			t.Fatalf("engine asked %+v (%d times)", a, eng.askCount())
		}
		if !strings.Contains(out, "The council approved the budget on Tuesday. [1]") {
			t.Errorf("no answer printed:\n%s", out)
		}
	})

	t.Run("each question follows up the previous one until /new", func(t *testing.T) {
		eng := newEngine()
		run(t, eng, "/ask What did the council approve?", "And what does it fund?", "/new", "Who is the mayor?", "/ask")
		var got []string
		for _, a := range eng.allAsks() {
			got = append(got, a.question+" <- "+a.opts.Previous)
		}
		want := []string{
			"What did the council approve? <- ",
			"And what does it fund? <- What did the council approve?",
			"Who is the mayor? <- ",
		}
		if !slices.Equal(got, want) {
			t.Errorf("asked (question <- previous):\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("/passage n shows the passage the last answer calls [n]", func(t *testing.T) {
		eng := newEngine()
		out := run(t, eng, "What does the budget do?", "/passage 2")
		if !strings.Contains(out, "full passages: /passage 1, /passage 2") {
			t.Fatalf("the answer does not list its passages by number:\n%s", out)
		}
		_, shown, ok := strings.Cut(out, "Passage 2 in full:")
		if !ok || !strings.Contains(shown, "The budget funds a new library branch.") ||
			strings.Contains(shown, "The council approved") {
			t.Errorf("/passage 2 did not show the second passage:\n%s", out)
		}
	})

	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"/passage before any answer says to ask first", []string{"/passage 1"},
			"There is no answer with passages yet: ask a question, then /passage 1 shows its source [1] in full."},
		{"/passage with a number the last answer lacks names the numbers it has",
			[]string{"What does the budget do?", "/passage 3"}, `The last answer has no passage "3": give one of 1, 2.`},
		{"/new says what it did", []string{"/new"}, "The next question starts a new topic."},
		{"/passage without a number asks for one", []string{"What does the budget do?", "/passage"},
			"Give the number of a passage: /passage 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if out := run(t, newEngine(), tc.lines...); !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

func TestConsoleAddFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	note := write("budget.md", "# Council passes budget\n\nThe council approved the budget on Tuesday.")
	big := write("big.txt", strings.Repeat("word ", 300))
	spaced := write("two  spaces.md", "Two  spaces")
	for _, tc := range []struct {
		name, line, want string
	}{
		{"a local Markdown file is added through the engine", "/add file:" + note,
			"Added Council passes budget (publication date unknown · 2 passages)"},
		{"a path with repeated spaces is kept as typed", "/add file:" + spaced,
			"Added Two  spaces (publication date unknown · 1 passage)"},
		{"a quoted path is read without its quotes", `/add file:"` + spaced + `"`,
			"Added Two  spaces (publication date unknown · 1 passage)"},
		{"file: without a path asks for one", "/add file:", "Give a path: /add file:PATH"},
		{"a file that isn't there is explained, with the path", "/add file:" + filepath.Join(dir, "none.txt"),
			"footnote can't read that file (open " + filepath.Join(dir, "none.txt") +
				": no such file or directory). Give the path of a .txt, .md or .html file on this machine."},
		{"a file of another type is refused before it is read", "/add file:" + filepath.Join(dir, "photo.png"),
			"footnote can't read that kind of file. Upload a .txt, .md or .html file."},
		{"a file over the size limit is refused", "/add file:" + big, "That file is too large: the limit is 1 KB."},
		{"a link and a file at once are refused", "/add https://news.example/a file:" + note,
			"Give either a link (url:) or a file (file:) to add, not both."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := newFakeEngine()
			h := newHarness(t, eng, func(c *Config) { c.MaxFileBytes = 1 << 10 })
			var out strings.Builder
			if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader(tc.line), &out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out.String())
			}
		})
	}
	t.Run("a different file with the name of one added before is added beside it, and the reply names the other", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "budget.md")
		if err := os.WriteFile(other, []byte("# Budget, revised\n\nThe council revised the budget."), 0o600); err != nil {
			t.Fatal(err)
		}
		eng := newFakeEngine()
		h := newHarness(t, eng)
		var out strings.Builder
		if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader("/add file:"+note+"\n/add file:"+other), &out); err != nil {
			t.Fatal(err)
		}
		first := retrieval.FileURL("budget.md", []byte("# Council passes budget\n\nThe council approved the budget on Tuesday."))
		for _, want := range []string{"Added Budget, revised",
			"The file is new, so it did not replace the other file of the same name: `" + first +
				"`. If this one replaces it, remove the old one with /remove."} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
		if _, n, _ := eng.ListArticles(context.Background(), "local", "", 0, 10); n != 2 {
			t.Errorf("%d articles tracked, want both", n)
		}
	})
	t.Run("the same file added again is unchanged", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		var out strings.Builder
		if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader("/add file:"+note+"\n/add file:"+note), &out); err != nil {
			t.Fatal(err)
		}
		if want := "Already tracked, unchanged: Council passes budget"; !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	})
	t.Run("the added file is tracked by its content and shown by its name", func(t *testing.T) {
		eng := newFakeEngine()
		h := newHarness(t, eng)
		if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader("/add file:"+note), io.Discard); err != nil {
			t.Fatal(err)
		}
		arts, n, err := eng.ListArticles(context.Background(), "local", "", 0, 10)
		want := retrieval.FileURL("budget.md", []byte("# Council passes budget\n\nThe council approved the budget on Tuesday."))
		if err != nil || n != 1 || arts[0].URL != want || !strings.HasSuffix(want, "/budget.md") {
			t.Errorf("tracked %+v (%d), %v", arts, n, err)
		}
	})
}

func TestConsoleHelp(t *testing.T) {
	var out strings.Builder
	h := newHarness(t, newFakeEngine())
	if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader("/help"), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"a line that doesn't start with / is asked as /ask <question>,\n                             word for word",
		"a file is\n                             tracked by its content: the same file again is unchanged, and\n                             another file with the same name is added beside it",
		`an option is name:value, its value one word or "in quotes"; file: takes the`,
		"rest of the line as typed. The command's other words are its question, link or query.",
		"/ask <question> [since:YYYY-MM-DD] [source:<site>]",
		"follows up the one before",
		"/new ", "/passage <n>", "/add <url>", "/add file:<path>", "/articles [<query>] [page:<n>]",
		"/remove <url>", "/reindex", "/settings [name:value …]", "/help, /quit",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("/help lacks %q:\n%s", want, out.String())
		}
	}
}

func TestConsoleOptions(t *testing.T) {
	ask := []string{"question", "since", "source"}
	add := []string{"url", "file"}
	for _, tc := range []struct {
		in    string
		names []string
		want  string
	}{
		{"what happened?", ask, "map[question:what happened?]"},
		{"what happened? since:2024-01-01 source:bbc.co.uk", ask, "map[question:what happened? since:2024-01-01 source:bbc.co.uk]"},
		{"question:why so? since: 2024-02-02", ask, "map[question:why so? since:2024-02-02]"},
		{"see https://x.example/a:b", ask, "map[question:see https://x.example/a:b]"},
		{"since:yesterday festival", ask, "map[question:festival since:yesterday]"},
		{`source:"news example" what   happened?`, ask, "map[question:what happened? source:news example]"},
		{"since: source:bbc.co.uk who?", ask, "map[question:who? since: source:bbc.co.uk]"},
		{"file:/tmp/my  notes.md", add, "map[file:/tmp/my  notes.md]"},
		{`file:"/tmp/my  notes.md" https://news.example/a`, add, "map[file:/tmp/my  notes.md url:https://news.example/a]"},
		{"file:", add, "map[file:]"},
		{"now", nil, "map[]"},
	} {
		t.Run(fmt.Sprintf("%q is parsed into options", tc.in), func(t *testing.T) {
			if got := fmt.Sprint(consoleOptions(tc.in, tc.names)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestConsoleBareLineIsTheQuestion(t *testing.T) {
	eng := newFakeEngine()
	h := newHarness(t, eng)
	line := "what did source: the council say since:2024 about it?"
	if err := h.bot.RunConsole(context.Background(), "local", strings.NewReader(line), io.Discard); err != nil {
		t.Fatal(err)
	}
	a := eng.lastAsk()
	if eng.askCount() != 1 || a.question != line || a.opts.Filter != (retrieval.Filter{}) {
		t.Errorf("engine asked %q with filter %+v (%d times), want the line word for word and no filter", a.question, a.opts.Filter, eng.askCount())
	}
}

func TestTerminalText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"bold markers are dropped", "Added **Council passes budget** (news.example)", "Added Council passes budget (news.example)"},
		{"a link shows its text and its address", "1. [Council \\[draft\\]](https://news.example/a) · news.example",
			"1. Council [draft] <https://news.example/a> · news.example"},
		{"escaped characters lose their backslash", `2 \* 3 \_x\_ \# \\`, `2 * 3 _x_ # \`},
		{"a bracket that opens no link stays", "[1] Council [x] (y)", "[1] Council [x] (y)"},
		{"escaped article text reads as the article wrote it", escapeMarkdown(`see [x](y) \ *z*`), `see [x](y) \ *z*`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := terminalText(tc.in); got != tc.want {
				t.Errorf("terminalText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
