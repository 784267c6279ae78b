package bot

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
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
			"/passage 2",
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
			"Added **Council passes budget** (news.example · 2 May 2024 · 1 passage)",
			"The council approved the budget on Tuesday. [1]\n[1] Council passes budget — news.example · 2 May 2024\n" +
				"    https://news.example/budget\n" + // the body quotes it already: not twice
				"  full passages: /passage 2 (1)",
			"Tracked articles: page 1 of 1 (1 in all)",
			"Passage 1 in full:",
			"Reindex done in 1ms: 1 article, 1 passage, 1 embedded.",
			"Unknown command. /help lists them.",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("output lacks %q:\n%s", want, got)
			}
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

func TestConsoleOptions(t *testing.T) {
	names := []string{"question", "since", "source"}
	for _, tc := range []struct {
		in, want string
	}{
		{"what happened?", "map[question:what happened?]"},
		{"what happened? since:2024-01-01 source:bbc.co.uk", "map[question:what happened? since:2024-01-01 source:bbc.co.uk]"},
		{"question:why so? since: 2024-02-02", "map[question:why so? since:2024-02-02]"},
		{"see https://x.example/a:b", "map[question:see https://x.example/a:b]"},
	} {
		t.Run(fmt.Sprintf("%q is parsed into options", tc.in), func(t *testing.T) {
			if got := fmt.Sprint(consoleOptions(tc.in, names)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
