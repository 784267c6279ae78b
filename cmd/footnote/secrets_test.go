package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/footnote-bot/footnote/retrieval/oai/oaitest"
	"github.com/footnote-bot/footnote/retrieval/redact"
	"github.com/footnote-bot/footnote/retrieval/retrievaltest"
)

// syncBuffer is a bytes.Buffer safe to write from a running command and read from the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// secretSet is a bot token, an API key and a database password, fresh for each test so
// that a match can only come from a leak.
type secretSet struct{ token, key, dbPassword string }

func newSecrets(t *testing.T) secretSet {
	t.Helper()
	r := func(n int) string {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(b)
	}
	return secretSet{
		token:      "MTE" + r(10) + ".Gx" + r(3) + "." + r(16),
		key:        "sk-test-" + r(16),
		dbPassword: "pw-" + r(10),
	}
}

func (s secretSet) all() []string { return []string{s.token, s.key, s.dbPassword} }

// leaks returns the secrets out holds, as "name in where" lines.
func (s secretSet) leaks(where, out string) []string {
	var found []string
	for name, v := range map[string]string{"DISCORD_TOKEN": s.token, "OPENAI_API_KEY": s.key, "database password": s.dbPassword} {
		if strings.Contains(out, v) {
			found = append(found, name+" in "+where)
		}
	}
	return found
}

// withPassword returns dsn with password set in its user info.
func withPassword(t *testing.T, dsn, password string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), password)
	return u.String()
}

// guildID returns a random guild id (a Discord snowflake) for a test's collection.
func guildID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return fmt.Sprintf("8%017d", n%1e17)
}

// otherDatabase returns dsn naming database name instead.
func otherDatabase(t *testing.T, dsn, name string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// waitFor polls cond every 10 ms for up to d and fails the test when it never holds.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// secretCase is one error path: a command run with the secrets in its environment.
type secretCase struct {
	name string
	env  map[string]string // on top of the secrets and the test database
	args []string
	// drive, when set, runs the command itself (in the background) and returns what the
	// members would have seen; stdout and stderr are the command's streams.
	drive    func(t *testing.T, env func(string) string, stdout, stderr *syncBuffer) string
	want     string // the output must hold this: the path was reached
	succeeds bool   // the command answers despite the failure (exit 0)
}

// TestSecretsNeverReachOutput drives every error path footnote has that a server's answer
// can fill (Discord REST errors whose body echoes the Authorization header, an
// OpenAI-compatible server whose errors quote the key, a database that cannot be reached
// with a password in its URL, pages that fail to download from a link carrying the key)
// and checks that no secret appears in anything footnote wrote: standard output, standard
// error (logs and error lines), and the messages it sent to Discord.
func TestSecretsNeverReachOutput(t *testing.T) {
	retrievaltest.Store(t)
	sec := newSecrets(t)
	// A cluster with passwords (.ci/db's) takes only the real one, which is then the secret
	// to keep (pgx reads it from the pgpass file); a trust cluster takes the made-up one.
	if cfg, err := pgx.ParseConfig(retrievaltest.DSN()); err == nil && cfg.Password != "" {
		sec.dbPassword = cfg.Password
	}
	dsn := withPassword(t, retrievaltest.DSN(), sec.dbPassword)
	coll := guildID(t) // a guild's collection, so that the bot can be asked about it too
	keyEcho := `{"error":{"message":"Incorrect API key provided: ` + oaitest.AuthEcho + `; key ` + sec.key + `","type":"invalid_request_error","code":"invalid_api_key"}}`
	llm := oaitest.New(t, oaitest.Reply{Status: http.StatusUnauthorized, Body: keyEcho})
	embedder := oaitest.New(t, oaitest.Reply{Status: http.StatusInternalServerError, RetryAfter: "0", Body: keyEcho})
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no such page "+r.URL.String(), http.StatusInternalServerError)
	}))
	defer site.Close()
	discord := newEchoDiscord(t, http.StatusInternalServerError)
	forbidding := newEchoDiscord(t, http.StatusForbidden)
	articles := filepath.Join(t.TempDir(), "articles.jsonl")
	if err := os.WriteFile(articles, []byte(corpus), 0o644); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"DATABASE_URL": dsn, "DISCORD_TOKEN": sec.token, "OPENAI_API_KEY": sec.key,
		"FOOTNOTE_EMBED_MODEL": "hash", "DISCORD_API_BASE": discord.srv.URL, "FOOTNOTE_ALLOW_PRIVATE": "true"}
	chat := map[string]string{"OPENAI_BASE_URL": llm.URL, "FOOTNOTE_CHAT_MODEL": "test-model"}
	t.Cleanup(func() {
		for _, c := range []string{coll, coll + "_emb"} {
			_, _, _ = cli{env: base}.run(t, "", "remove", "--collection", c, "--all")
		}
	})
	cli{env: base}.must(t, "", "import", "--collection", coll, articles)

	cases := []secretCase{
		{name: "invite when Discord's 500 echoes the token", args: []string{"invite"},
			want: "upstream refused"},
		{name: "invite when Discord's 403 echoes the token", args: []string{"invite"},
			env: map[string]string{"DISCORD_API_BASE": forbidding.srv.URL}, want: "upstream refused"},
		{name: "serve over the gateway when Discord's error echoes the token", args: []string{"serve"},
			want: "upstream refused"},
		{name: "ask when the model's error quotes the key", env: chat,
			args: []string{"ask", "--collection", coll, "When will the Westfield tram extension open?"},
			want: "Incorrect API key provided", succeeds: true},
		{name: "the console when the model's error quotes the key", env: chat,
			drive: func(t *testing.T, env func(string) string, stdout, stderr *syncBuffer) string {
				err := run(context.Background(), []string{"console", "--collection", coll},
					strings.NewReader("When will the Westfield tram extension open?\n/quit\n"), stdout, stderr, env)
				if err != nil {
					t.Errorf("console: %v", err)
				}
				return ""
			},
			want: "Incorrect API key provided"},
		{name: "start-up when the embedding server's error quotes the key",
			env:  map[string]string{"OPENAI_BASE_URL": embedder.URL, "FOOTNOTE_EMBED_MODEL": "text-embedding-3-small"},
			args: []string{"search", "--collection", coll, "tram"}, want: "cannot get a test embedding"},
		{name: "import when the embedding server's errors quote the key",
			env: map[string]string{"OPENAI_BASE_URL": embedder.URL, "FOOTNOTE_EMBED_MODEL": "text-embedding-3-small",
				"FOOTNOTE_EMBED_DIMS": "8"},
			args: []string{"import", "--collection", coll + "_emb", articles}, want: "Incorrect API key provided"},
		{name: "a database URL with a password that cannot connect",
			env:  map[string]string{"DATABASE_URL": "postgres://footnote:" + sec.dbPassword + "@127.0.0.1:1/footnote?sslmode=disable&connect_timeout=5"},
			args: []string{"search", "tram"}, want: "connection refused"},
		{name: "a database URL with a password naming a database that does not exist",
			env:  map[string]string{"DATABASE_URL": otherDatabase(t, dsn, "footnote_no_such_database")},
			args: []string{"search", "tram"}, want: "does not exist"},
		{name: "a key=value database setting with a password that cannot connect",
			env:  map[string]string{"DATABASE_URL": "host=127.0.0.1 port=1 user=footnote password=" + sec.dbPassword + " dbname=x sslmode=disable connect_timeout=5"},
			args: []string{"search", "tram"}, want: "DATABASE_URL"},
		{name: "add when the site fails and the link carries the key",
			args: []string{"add", "--collection", coll, site.URL + "/story?api_key=" + sec.key + "&token=" + url.QueryEscape(sec.token)},
			want: "server answered 500"},
		{name: "add when the site cannot be reached and the link carries the token",
			args: []string{"add", "--collection", coll, "http://127.0.0.1:1/" + sec.token},
			want: "fetch http://127.0.0.1:1/"},
		{name: "serve --http when every Discord call echoes the token and the model's error quotes the key",
			env:   map[string]string{"OPENAI_BASE_URL": llm.URL, "FOOTNOTE_CHAT_MODEL": "test-model", "DISCORD_APP_ID": "app"},
			drive: serveInteractions(coll, discord), want: "upstream refused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.env {
				env[k] = v
			}
			getenv := func(k string) string { return env[k] }
			var stdout, stderr syncBuffer
			var sent string
			if tc.drive != nil {
				sent = tc.drive(t, getenv, &stdout, &stderr)
			} else {
				// Main.Run is what main runs: the command, then its error line.
				m := &Main{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
				if code := m.Run(context.Background(), tc.args, getenv); (code == 0) != tc.succeeds {
					t.Errorf("exit %d, want success %v", code, tc.succeeds)
				}
			}
			all := stdout.String() + stderr.String() + sent
			if !strings.Contains(all, tc.want) {
				t.Errorf("the output does not show %q: the error path was not reached\nstdout:\n%s\nstderr:\n%s", tc.want, stdout.String(), stderr.String())
			}
			var leaks []string
			leaks = append(leaks, sec.leaks("stdout", stdout.String())...)
			leaks = append(leaks, sec.leaks("stderr", stderr.String())...)
			leaks = append(leaks, sec.leaks("messages sent to Discord", sent)...)
			if len(leaks) > 0 {
				t.Errorf("secrets leaked: %s\nstdout:\n%s\nstderr:\n%s\nsent:\n%s", strings.Join(leaks, ", "), stdout.String(), stderr.String(), sent)
			}
		})
	}
	if s := discord.output(); len(sec.leaks("any message to Discord", s)) > 0 {
		t.Errorf("a secret was sent to Discord in a message: %s", s)
	}
}

func TestSecretsComeFromTheEnvironment(t *testing.T) {
	env := map[string]string{
		"DISCORD_TOKEN": "tok", "OPENAI_API_KEY": "key",
		"DATABASE_URL":       "postgres://footnote_app:dbpw@db/footnote",
		"DATABASE_OWNER_URL": "postgres://footnote:ownerpw@db/footnote",
		"DATABASE_READ_URL":  "postgres://footnote_app:r1pw@replica1/footnote,postgres://footnote_app:r2pw@replica2/footnote",
		"OPENAI_BASE_URL":    "https://u:aipw@models.example/v1",
		"DISCORD_API_BASE":   "https://u:dcpw@proxy.example",
	}
	got := strings.Join(secrets(func(k string) string { return env[k] }), " ")
	if got != "tok key dbpw ownerpw r1pw r2pw aipw dcpw" {
		t.Errorf("secrets = %q", got)
	}
	if got := redact.New(secrets(func(k string) string {
		return map[string]string{"DATABASE_URL": "host=db password=a-long-password-here"}[k]
	})...).String("x a-long-password-here y"); got != "x [REDACTED] y" {
		t.Errorf("a key=value password is not among the secrets: %q", got)
	}
}
