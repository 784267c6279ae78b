// Package redact keeps secrets out of what footnote logs, prints and sends to members,
// whatever a server sent back: a proxy that echoes the Authorization header in an error
// body, an API that quotes the key it refused. A Redactor masks the secret values it was
// configured with (the bot token, the API key, the database password) and anything shaped
// like a credential whatever its value: an Authorization scheme with its token ("Bot …",
// "Bearer …"), an authorization header or field, a URL's password, a key=value password,
// an OpenAI-style key. Everything footnote writes passes through one Redactor: its log
// handler (Handler), its standard streams (Writer), its error lines and the bot's error
// replies (String).
package redact

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Mask replaces each secret.
const Mask = "[REDACTED]"

// MinSecretLen is the shortest configured value masked wherever it appears. Tokens and API
// keys are far longer (a Discord token has about 70 characters, an OpenAI key over 40); a
// shorter value is likely an ordinary word (docker-compose's database password is
// "footnote"), and masking it everywhere would garble every line that uses the word. A
// shorter value is still masked where a pattern shows it as a credential (after "Bot " or
// "Bearer ", as a URL's password, after "password=").
const MinSecretLen = 12

// Redactor masks secrets in text. The zero value and a nil *Redactor mask the credential
// patterns only. It is safe for concurrent use.
type Redactor struct {
	values []string // the configured secrets in every form they can appear in, longest first
}

// New returns a Redactor that masks each of secrets at least MinSecretLen long, as given
// and as it appears %-escaped in a URL or escaped in a JSON string, besides the credential
// patterns. Empty and shorter values are left to the patterns.
func New(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		s = strings.TrimSpace(s)
		if len(s) < MinSecretLen {
			continue
		}
		forms := []string{s, url.QueryEscape(s), url.PathEscape(s)}
		if j, err := json.Marshal(s); err == nil {
			forms = append(forms, string(j[1:len(j)-1]))
		}
		for _, f := range forms {
			if !slices.Contains(r.values, f) {
				r.values = append(r.values, f)
			}
		}
	}
	// Longest first, so that a secret holding another is masked whole.
	slices.SortFunc(r.values, func(a, b string) int { return len(b) - len(a) })
	return r
}

// A credential is a pattern masked whatever its value: re's first group names the
// credential and stays, the rest of the match is masked, unless token (given the masked
// part) says it is no credential after all.
type credential struct {
	re    *regexp.Regexp
	token func(s string) bool
	tail  string // what follows the mask: the "@" of a URL's password
	// needs is what re cannot match without: all of one of these groups of words, in the
	// text folded as foldForHints folds it. Checking it first spares the regular
	// expressions most text: masking footnote search's output (passages, URLs) took a sixth
	// of its CPU, nearly all of it in expressions that found nothing.
	needs [][]string
}

// foldForHints lower-cases s as the expressions' (?i) folds letters: strings.ToLower
// already turns the Kelvin sign into k; the long s (ſ), which (?i) matches to s, is
// turned into s.
func foldForHints(s string) string {
	s = strings.ToLower(s)
	if strings.Contains(s, "ſ") {
		s = strings.ReplaceAll(s, "ſ", "s")
	}
	return s
}

// schemeHints are the needs of a word the expression wants followed by white space (\s:
// tab, line feed, form feed, carriage return, space): "bot" alone is in "both" and
// "robot", and half of footnote search's output lines held one.
func schemeHints(words ...string) [][]string {
	var needs [][]string
	for _, w := range words {
		for _, space := range "\t\n\f\r " {
			needs = append(needs, []string{w + string(space)})
		}
	}
	return needs
}

// mayMatch tells whether folded (foldForHints) holds all of one of c's groups of words.
func (c credential) mayMatch(folded string) bool {
	if c.needs == nil {
		return true
	}
	for _, group := range c.needs {
		all := true
		for _, w := range group {
			if !strings.Contains(folded, w) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

var credentials = []credential{
	// An authorization header or field, as a proxy or a server's error body echoes it:
	// `Authorization: Bot abc`, `"authorization":"Bearer abc"`, `authorization=abc`.
	{re: regexp.MustCompile(`(?i)(\bauthorization["']?\s*[:=]\s*["']?)(?:(?:bot|bearer|basic)\s+)?(?:\[REDACTED\]|[^\s"',;}\[\]]+)`), token: authorizationValue,
		needs: [][]string{{"authorization"}}},
	// An Authorization scheme and its token anywhere else.
	{re: regexp.MustCompile(`(?i)(\b(?:bot|bearer)\s+)[A-Za-z0-9._~+/=-]{8,}`), token: tokenLike,
		needs: schemeHints("bot", "bearer")},
	// A URL's password: scheme://user:PASSWORD@host. A password holding "@", "/" or
	// white space must be %-escaped in a URL, so none of those ends it early.
	{re: regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:]*:)[^\s/?#@]+@`), tail: "@",
		needs: [][]string{{"://", "@"}}},
	// A password in a key=value connection string (libpq's "password=secret") or a query.
	{re: regexp.MustCompile(`(?i)(\b(?:password|passwd|pwd|api[_-]?key|access[_-]?token)\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s&'"]+)`),
		needs: [][]string{{"passw", "="}, {"pwd", "="}, {"api", "key", "="}, {"access", "token", "="}}},
	// An OpenAI-style API key ("sk-…", "sk-proj-…"), from this server or another.
	{re: regexp.MustCompile(`(\b)sk-[A-Za-z0-9_-]{16,}`), needs: [][]string{{"sk-"}}},
}

// authorizationValue reports whether what follows "authorization:" is a credential: a
// scheme and its token, or a token, rather than prose ("awaits authorization: officials
// expect it in May").
func authorizationValue(s string) bool {
	lower := strings.ToLower(s)
	for _, scheme := range []string{"bot", "bearer", "basic"} {
		if rest, ok := strings.CutPrefix(lower, scheme); ok && rest != "" && strings.TrimLeft(rest, " \t") != rest {
			return true
		}
	}
	return s == Mask || tokenLike(s)
}

// tokenLike reports whether the word after "Bot " or "Bearer " looks like a token rather
// than prose ("Bot application", "bearer bonds"): 20 characters or more, or a digit or
// one of a token's separators in it.
func tokenLike(s string) bool {
	return len(s) >= 20 || strings.ContainsAny(s, "0123456789._~+/=-")
}

// String returns s with every configured secret and every credential pattern masked.
func (r *Redactor) String(s string) string {
	if r != nil {
		for _, v := range r.values {
			if strings.Contains(s, v) {
				s = strings.ReplaceAll(s, v, Mask)
			}
		}
	}
	folded := foldForHints(s)
	for _, c := range credentials {
		if !c.mayMatch(folded) {
			continue
		}
		s = c.re.ReplaceAllStringFunc(s, func(m string) string {
			keep := c.re.FindStringSubmatch(m)[1]
			if c.token != nil && !c.token(m[len(keep):]) {
				return m
			}
			return keep + Mask + c.tail
		})
	}
	return s
}

// Error returns an error whose message is err's with the secrets masked and which wraps
// err, so that errors.Is and errors.As still see through it; nil for nil.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
