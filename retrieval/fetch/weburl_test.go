package fetch

import (
	"errors"
	"strings"
	"testing"
)

func TestParseWebURL(t *testing.T) {
	for _, tc := range []struct {
		name, in, host string
	}{
		{"an https address is accepted", "https://news.example/a?b=c", "news.example"},
		{"an http address with a port is accepted", "http://news.example:8080/a", "news.example:8080"},
		{"an upper-case scheme is accepted", "HTTPS://News.Example/a", "News.Example"},
		{"spaces around the address are ignored", "  https://news.example/a\n", "news.example"},
		{"a literal IPv6 host is accepted", "http://[::1]:8080/", "[::1]:8080"},
		{"an address of exactly the limit is accepted", "https://news.example/" + strings.Repeat("a", MaxURLBytes-len("https://news.example/")), "news.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseWebURL(tc.in)
			if err != nil || u.Host != tc.host {
				t.Errorf("ParseWebURL(%q) = %v, %v; want host %s", tc.in, u, err, tc.host)
			}
		})
	}
	for _, tc := range []struct {
		name, in, want string
	}{
		{"an address without a scheme is refused, saying how to start it", "news.example/a", "no scheme: a web address starts with https://"},
		{"another scheme is refused, naming it", "ftp://news.example/a", `only http and https URLs are read, not "ftp"`},
		{"a javascript: link is refused", "javascript:alert(1)", `not "javascript"`},
		{"an address without a host is refused", "https:///path", "no host"},
		{"an address with only a port is refused", "http://:80/", "no host"},
		{"an unparsable address is refused", "https://news.example/%zz", "invalid URL escape"},
		{"an address over the limit is refused as too long, not cut", "https://news.example/" + strings.Repeat("a", MaxURLBytes),
			"too long: the address has 2069 bytes; the limit is 2048"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseWebURL(tc.in)
			if !errors.Is(err, ErrInvalidURL) || u != nil {
				t.Fatalf("ParseWebURL(%q) = %v, %v; want ErrInvalidURL", tc.in, u, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}
