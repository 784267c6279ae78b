package redact_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/redact"
)

const (
	token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"
	key   = "sk-proj-0123456789abcdefABCDEF"
	pass  = "p@ss w0rd/<with>:all"
)

func TestString(t *testing.T) {
	r := redact.New(token, key, pass, "short", "")
	tests := []struct {
		name, in, want string
	}{
		{"a configured token is masked wherever it stands",
			"HTTP 500, {\"echo\": \"x" + token + "y\"}", `HTTP 500, {"echo": "x[REDACTED]y"}`},
		{"a configured key is masked in a JSON error body",
			`{"error":{"message":"Incorrect API key provided: ` + key + `"}}`, `{"error":{"message":"Incorrect API key provided: [REDACTED]"}}`},
		{"a secret %-escaped in a query is masked",
			"x?p=" + url.QueryEscape(pass) + "&y", "x?p=[REDACTED]&y"},
		{"a secret %-escaped in a path is masked",
			"/a/" + url.PathEscape(pass) + "/b", "/a/[REDACTED]/b"},
		{"a secret escaped in JSON is masked",
			`{"p":` + jsonString(pass) + `}`, `{"p":"[REDACTED]"}`},
		{"an echoed Authorization header is masked whatever its token",
			"authorization: Bot abc.def-unknown-token", "authorization: [REDACTED]"},
		{"an Authorization field in JSON is masked",
			`{"headers":{"Authorization":"Bearer zzz"}}`, `{"headers":{"Authorization":"[REDACTED]"}}`},
		{"a Bot token of another bot is masked",
			"sent Bot NzkyNzE1NDU0MTk2MDg4ODQy.X-hvzA.Ovy4MCQywSkoMRRclStW4xAYK7I", "sent Bot [REDACTED]"},
		{"a Bearer token is masked",
			"Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "Bearer [REDACTED]"},
		{"an authorization field holding a bare token is masked",
			`authorization=abc123def`, `authorization=[REDACTED]`},
		{"prose about authorization stays",
			"The tram awaits authorization: officials expect it in May.", "The tram awaits authorization: officials expect it in May."},
		{"prose about bots and bearers stays",
			"Bot application not found; bearer bonds", "Bot application not found; bearer bonds"},
		{"a URL's password is masked, however short",
			"dial postgres://footnote:pw@db:5432/footnote failed", "dial postgres://footnote:[REDACTED]@db:5432/footnote failed"},
		{"a URL without a password keeps its user",
			"postgres://footnote@db/footnote", "postgres://footnote@db/footnote"},
		{"a key=value password is masked",
			"host=db password='a b' user=x password=pw2", "host=db password=[REDACTED] user=x password=[REDACTED]"},
		{"a key in a query is masked",
			"https://news.example/a?api_key=abc&x=1", "https://news.example/a?api_key=[REDACTED]&x=1"},
		{"another OpenAI key is masked",
			"key sk-abcdefghijklmnopqrstuvwx rejected", "key [REDACTED] rejected"},
		{"a short configured value is left to the patterns",
			"a short word", "a short word"},
		{"text without secrets is unchanged",
			"footnote: DATABASE_URL: connection refused at 10:30", "footnote: DATABASE_URL: connection refused at 10:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.String(tt.in)
			if got != tt.want {
				t.Errorf("String(%q)\n = %q\nwant %q", tt.in, got, tt.want)
			}
			for _, s := range []string{token, key, pass} {
				if strings.Contains(got, s) {
					t.Errorf("String(%q) = %q still holds a secret", tt.in, got)
				}
			}
		})
	}
	t.Run("a nil Redactor masks the patterns", func(t *testing.T) {
		var nr *redact.Redactor
		if got := nr.String("Authorization: Bot " + token); got != "Authorization: [REDACTED]" {
			t.Errorf("got %q", got)
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var errSentinel = errors.New("sentinel")

func TestError(t *testing.T) {
	r := redact.New(token)
	err := r.Error(errors.Join(errSentinel, errors.New("echo "+token)))
	if strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), redact.Mask) {
		t.Errorf("Error() = %q, want the token masked", err)
	}
	if !errors.Is(err, errSentinel) {
		t.Error("the masked error no longer wraps the original")
	}
	plain := errors.New("nothing secret")
	if r.Error(plain) != plain || r.Error(nil) != nil {
		t.Error("an error without secrets should come back as it was")
	}
}

type stringer struct{}

func (stringer) String() string { return "Bot " + token }

func TestHandler(t *testing.T) {
	for _, tt := range []struct {
		name string
		new  func(w io.Writer) slog.Handler
	}{
		{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }},
		{"json", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	} {
		t.Run("the "+tt.name+" handler sees no secret in any kind of value", func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(redact.New(token, key).Handler(tt.new(&buf)))
			log = log.With("base", "url?api_key="+key).WithGroup("g")
			log.Warn("echo "+token, "err", errors.New("HTTP 401: "+token), "str", stringer{},
				"bytes", []byte(key), "any", map[string]string{"k": key}, slog.Group("sub", "s", token),
				"n", 42, "list", []int{1, 2})
			out := buf.String()
			if strings.Contains(out, token) || strings.Contains(out, key) {
				t.Fatalf("log holds a secret:\n%s", out)
			}
			if n := strings.Count(out, redact.Mask); n != 7 {
				t.Errorf("%d masks, want 7:\n%s", n, out)
			}
			if !strings.Contains(out, "42") || !strings.Contains(out, "[1") {
				t.Errorf("values without secrets changed:\n%s", out)
			}
		})
	}
}

func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := redact.New(key).Writer(&buf)
	n, err := io.WriteString(w, "line with "+key+"\n")
	if err != nil || n != len("line with "+key+"\n") {
		t.Errorf("Write = %d, %v; want the whole input reported written", n, err)
	}
	io.WriteString(w, "plain\n")
	if got := buf.String(); got != "line with [REDACTED]\nplain\n" {
		t.Errorf("wrote %q", got)
	}
	if u, ok := w.(interface{ Unwrap() io.Writer }); !ok || u.Unwrap() != &buf {
		t.Error("Unwrap does not return the writer underneath")
	}
}

// A secret written in pieces (a stream copied a buffer at a time, a message cut where a
// write ends) is masked all the same: an unfinished line waits for its end.
func TestWriterMasksASecretSplitAcrossWrites(t *testing.T) {
	secrets := []string{key, pass, "Bearer " + token}
	for _, secret := range secrets {
		for cut := 1; cut < len(secret); cut++ {
			var buf bytes.Buffer
			w := redact.New(key, pass).Writer(&buf)
			io.WriteString(w, "first line\nthe secret: "+secret[:cut])
			io.WriteString(w, secret[cut:]+" and after")
			if strings.Contains(buf.String(), secret[:cut]) && cut >= 4 {
				t.Errorf("cut at %d: %q written before the line ended", cut, buf.String())
			}
			io.WriteString(w, "\nnext")
			if f, ok := w.(interface{ Flush() error }); ok {
				f.Flush()
			}
			got := buf.String()
			if strings.Contains(got, secret[:max(cut, len(secret)-cut)]) || !strings.HasSuffix(got, "and after\nnext") ||
				!strings.HasPrefix(got, "first line\nthe secret: ") {
				t.Fatalf("%q cut at %d: wrote %q", secret, cut, got)
			}
		}
	}
	// A progress line redrawn in place is written at once.
	var buf bytes.Buffer
	w := redact.New(key).Writer(&buf)
	io.WriteString(w, "\r[====      ] 40%\033[K")
	if got := buf.String(); got != "\r[====      ] 40%\033[K" {
		t.Errorf("progress line: wrote %q, want it at once", got)
	}
}
