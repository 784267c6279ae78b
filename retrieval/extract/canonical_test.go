package extract

import (
	"errors"
	"strings"
	"testing"

	"github.com/footnote-bot/footnote/retrieval/fetch"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"a clean URL is unchanged", "https://news.example/a/b", "https://news.example/a/b"},
		{"scheme and host are lowercased", "HTTPS://News.Example/Path", "https://news.example/Path"},
		{"the path keeps its case", "https://news.example/CamelCase", "https://news.example/CamelCase"},
		{"the default https port is dropped", "https://news.example:443/a", "https://news.example/a"},
		{"the default http port is dropped", "http://news.example:80/a", "http://news.example/a"},
		{"another port is kept", "https://news.example:8443/a", "https://news.example:8443/a"},
		{"the http port on https is kept", "https://news.example:80/a", "https://news.example:80/a"},
		{"the fragment is dropped", "https://news.example/a#comments", "https://news.example/a"},
		{"utm parameters are dropped", "https://news.example/a?utm_source=x&utm_medium=y&UTM_Campaign=z", "https://news.example/a"},
		{"click ids are dropped", "https://news.example/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4", "https://news.example/a"},
		{"ref parameters are dropped", "https://news.example/a?ref=home&ref_src=twsrc", "https://news.example/a"},
		{"remaining parameters are sorted", "https://news.example/a?z=1&utm_source=x&a=2&m=3", "https://news.example/a?a=2&m=3&z=1"},
		{"repeated parameters keep their order", "https://news.example/a?b=2&a=1&b=1", "https://news.example/a?a=1&b=2&b=1"},
		{"parameter encoding is kept", "https://news.example/s?q=a%2Fb+c", "https://news.example/s?q=a%2Fb+c"},
		{"an empty query is dropped", "https://news.example/a?", "https://news.example/a"},
		{"a trailing slash is removed from a path", "https://news.example/a/b/", "https://news.example/a/b"},
		{"the root slash is kept", "https://news.example/", "https://news.example/"},
		{"an empty path becomes the root", "https://news.example", "https://news.example/"},
		{"a trailing slash before a query is removed", "https://news.example/a/?id=7", "https://news.example/a?id=7"},
		{"parentheses in a path are kept", "https://en.wikipedia.org/wiki/Victoria_(Australia)", "https://en.wikipedia.org/wiki/Victoria_(Australia)"},
		{"percent-encoding in a path is kept", "https://news.example/caf%C3%A9%2Fbar", "https://news.example/caf%C3%A9%2Fbar"},
		{"user info is dropped", "https://user:pw@news.example/a", "https://news.example/a"},
		{"a trailing dot on the host is dropped", "https://news.example./a", "https://news.example/a"},
		{"an IPv6 host keeps its brackets", "http://[2001:DB8::1]:80/a/", "http://[2001:db8::1]/a"},
		{"surrounding spaces are trimmed", "  https://news.example/a  ", "https://news.example/a"},
		{"white space in the query is percent-encoded (found by FuzzCanonical)", "http://news.example/a?q=a b\u3000&z= #x",
			"http://news.example/a?q=a%20b%E3%80%80&z=%20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.raw)
			if err != nil {
				t.Fatalf("Canonical(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("Canonical(%q) = %q, want %q", tt.raw, got, tt.want)
			}
			again, err := Canonical(got)
			if err != nil || again != got {
				t.Errorf("Canonical is not idempotent: Canonical(%q) = %q, %v", got, again, err)
			}
		})
	}
}

func TestCanonicalRefuses(t *testing.T) {
	tests := []struct {
		name string
		raw  string
	}{
		{"an empty string is invalid", ""},
		{"a URL without a scheme is invalid", "news.example/a"},
		{"an ftp URL is invalid", "ftp://news.example/a"},
		{"a javascript URL is invalid", "javascript:alert(1)"},
		{"a URL without a host is invalid", "https:///a"},
		{"an unparsable URL is invalid", "https://news.example/%zz"},
		{"a relative path is invalid", "/a/b"},
		{"a URL over the limit is invalid", "https://news.example/" + strings.Repeat("a", fetch.MaxURLBytes)},
		{"a host of dots is no host (found by FuzzCanonical)", "http://.."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical(tt.raw)
			if !errors.Is(err, fetch.ErrInvalidURL) {
				t.Fatalf("Canonical(%.200q) = %q, %v; want ErrInvalidURL", tt.raw, got, err)
			}
			if len(err.Error()) > 300 {
				t.Errorf("error of %d bytes quotes the whole address: %.400q", len(err.Error()), err)
			}
		})
	}
}
