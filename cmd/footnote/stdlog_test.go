package main

import (
	"bufio"
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	dg "github.com/bwmarrin/discordgo"
)

// logLine matches one line of footnote's structured log at WARN whose message starts with
// msg (quoted when it has spaces, as slog's text handler writes it).
func logLine(msg string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^time=\S+ level=WARN msg="?` + regexp.QuoteMeta(msg))
}

func TestHTTPServerMessagesGoToTheLog(t *testing.T) {
	var buf syncBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	srv := newHTTPServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
		w.WriteHeader(http.StatusOK) // net/http complains through the server's ErrorLog
	}), logger)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	want := logLine("http: superfluous response.WriteHeader call")
	waitFor(t, 5*time.Second, "net/http's message in the log", func() bool { return want.MatchString(buf.String()) })
}

// unsolicited serves one HTTP request on a raw connection, then sends bytes nobody asked
// for; they start with extra, which the client's transport quotes in its complaint.
func unsolicited(t *testing.T, extra string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
			return
		}
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"+extra)
		_, _ = io.Copy(io.Discard, c) // until the client hangs up
	}()
	return "http://" + ln.Addr().String() + "/"
}

// TestStandardLogGoesToTheLog checks that main's Main (StdLog) sends what libraries write to
// the standard logger, such as net/http's complaint about an unsolicited response, into
// footnote's structured log, at WARN, with secrets masked.
func TestStandardLogGoesToTheLog(t *testing.T) {
	// The standard logger and slog's default are process-wide: put them back.
	oldOut, oldFlags, oldDefault := log.Writer(), log.Flags(), slog.Default()
	t.Cleanup(func() {
		dg.Logger = nil
		slog.SetDefault(oldDefault)
		slog.SetLogLoggerLevel(slog.LevelInfo)
		log.SetOutput(oldOut)
		log.SetFlags(oldFlags)
	})
	const token = "MTE0NjA4.GaBcDe.standard-logger-secret-token"
	var stdout, stderr syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, StdLog: true}
	env := map[string]string{"DISCORD_APP_ID": "123", "DISCORD_TOKEN": token}
	if code := m.Run(context.Background(), []string{"invite"}, func(k string) string { return env[k] }); code != 0 {
		t.Fatalf("invite: exit %d: %s", code, stderr.String())
	}

	url := unsolicited(t, "HTTP/1.1 200 OK\r\nX-Echo: Bot "+token+"\r\n")
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	want := logLine("Unsolicited response received on idle HTTP channel")
	waitFor(t, 5*time.Second, "net/http's complaint in footnote's log", func() bool { return want.MatchString(stderr.String()) })

	log.Printf("a library's own line")
	slog.Info("slog's default logger")
	// discordgo's lines: an error is a warning, secrets masked; its failure to decode an
	// interaction footnote decodes itself (every 👎 form) is not logged at info.
	if dg.Logger == nil {
		t.Fatal("discordgo's lines are not routed")
	}
	dg.Logger(dg.LogError, 1, "error connecting to gateway %s, %s", "wss://gateway.example", "Bot "+token)
	dg.Logger(dg.LogError, 1, "error unmarshalling %s event, %s", "INTERACTION_CREATE", "unknown component type: 18")
	out := stderr.String()
	if strings.Contains(out, "unknown component type") {
		t.Errorf("discordgo's failure to decode a form reached the log:\n%s", out)
	}
	for _, re := range []*regexp.Regexp{logLine("a library's own line"), regexp.MustCompile(`(?m)^time=\S+ level=INFO msg="slog's default logger"`),
		logLine("discordgo: error connecting to gateway wss://gateway.example, Bot [REDACTED]")} {
		if !re.MatchString(out) {
			t.Errorf("the log has no line matching %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, token) {
		t.Errorf("the token reached the log:\n%s", out)
	}
}
