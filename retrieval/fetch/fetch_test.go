package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testServer starts an httptest server on loopback and returns it with its address.
func testServer(t *testing.T, h http.Handler) (*httptest.Server, netip.AddrPort) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ap, err := netip.ParseAddrPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return srv, ap
}

// only allows exactly one address: the test server's, which is on loopback.
func only(ap netip.AddrPort) func(netip.Addr) bool {
	return func(a netip.Addr) bool { return a == ap.Addr() }
}

// resolver answers every lookup with ips and counts the lookups.
func resolver(calls *atomic.Int32, ips ...string) func(context.Context, string) ([]net.IPAddr, error) {
	return func(_ context.Context, host string) ([]net.IPAddr, error) {
		calls.Add(1)
		var out []net.IPAddr
		for _, s := range ips {
			out = append(out, net.IPAddr{IP: net.ParseIP(s)})
		}
		return out, nil
	}
}

func TestFetchRefuses(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		answers []string // what the injected resolver answers, if anything
		want    error
	}{
		{"loopback IPv4 is refused", "http://127.0.0.1/", nil, ErrBlockedAddr},
		{"loopback IPv6 is refused", "http://[::1]/", nil, ErrBlockedAddr},
		{"a private address is refused", "http://10.0.0.1/", nil, ErrBlockedAddr},
		{"the cloud metadata address is refused", "http://169.254.169.254/latest/meta-data", nil, ErrBlockedAddr},
		{"an IPv4-mapped loopback address is refused", "http://[::ffff:127.0.0.1]:8080/", nil, ErrBlockedAddr},
		{"the unspecified address is refused", "http://0.0.0.0/", nil, ErrBlockedAddr},
		{"a carrier-grade NAT address is refused", "http://100.64.1.1/", nil, ErrBlockedAddr},
		{"localhost is refused by name", "http://localhost:8080/", nil, ErrBlockedAddr},
		{"the GCP metadata host is refused by name", "http://metadata.google.internal/computeMetadata/v1/", nil, ErrBlockedAddr},
		{"a name resolving to a private address is refused at dial time", "http://intranet.example.com/", []string{"10.1.2.3"}, ErrBlockedAddr},
		{"a name with one private answer among public ones is refused", "http://mixed.example.com/", []string{"93.184.216.34", "192.168.0.10"}, ErrBlockedAddr},
		{"a name resolving to a mapped metadata address is refused", "https://sneaky.example.com/", []string{"::ffff:169.254.169.254"}, ErrBlockedAddr},
		{"an ftp URL is refused as invalid", "ftp://example.com/file", nil, ErrInvalidURL},
		{"a file URL is refused as invalid", "file:///etc/passwd", nil, ErrInvalidURL},
		{"a URL with user info is refused as invalid", "http://user:secret@example.com/", nil, ErrInvalidURL},
		{"a URL without a host is refused as invalid", "http:///path", nil, ErrInvalidURL},
		{"an unparsable URL is refused as invalid", "http://exa mple.com/%zz", nil, ErrInvalidURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			cfg := Config{Timeout: 2 * time.Second}
			cfg.LookupIPAddr = resolver(&calls, tt.answers...)
			_, err := New(cfg).Fetch(context.Background(), tt.url)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fetch(%q) error = %v, want %v", tt.url, err, tt.want)
			}
			if len(tt.answers) > 0 && calls.Load() == 0 {
				t.Error("the resolver was never asked, so the refusal did not happen at dial time")
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestFetchRedirects(t *testing.T) {
	var hops atomic.Int32
	mux := http.NewServeMux()
	srv, ap := testServer(t, mux)
	mux.HandleFunc("/to-private", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.0.0.1/admin", http.StatusFound)
	})
	mux.HandleFunc("/to-other-loopback", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("http://127.0.0.2:%d/", ap.Port()), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-private-name", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, fmt.Sprintf("http://rebind.example.com:%d/", ap.Port()), http.StatusFound)
	})
	mux.HandleFunc("/to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/loop/", func(w http.ResponseWriter, r *http.Request) {
		n := hops.Add(1)
		http.Redirect(w, r, fmt.Sprintf("/loop/%d", n), http.StatusFound)
	})
	mux.HandleFunc("/chain/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/chain/"), "%d", &n)
		if n >= 3 {
			fmt.Fprint(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/chain/%d", n+1), http.StatusFound)
	})

	tests := []struct {
		name string
		path string
		want error // nil: the fetch succeeds
	}{
		{"a redirect to a private address is refused", "/to-private", ErrBlockedAddr},
		{"a redirect to another loopback address is refused", "/to-other-loopback", ErrBlockedAddr},
		{"a redirect to a name resolving to a private address is refused", "/to-private-name", ErrBlockedAddr},
		{"a redirect to the metadata address is refused", "/to-metadata", ErrBlockedAddr},
		{"a redirect loop stops at the limit", "/loop/0", ErrFetch},
		{"a chain of redirects within the limit is followed", "/chain/0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			f := New(Config{
				Timeout:      2 * time.Second,
				MaxRedirects: 3,
				Allow:        only(ap),
				LookupIPAddr: resolver(&calls, "10.1.2.3"),
			})
			resp, err := f.Fetch(context.Background(), srv.URL+tt.path)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if got := resp.URL.Path; got != "/chain/3" {
					t.Errorf("final URL path = %q, want /chain/3", got)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fetch error = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("the redirect limit error says how many were followed", func(t *testing.T) {
		f := New(Config{MaxRedirects: 2, Allow: only(ap)})
		_, err := f.Fetch(context.Background(), srv.URL+"/loop/0")
		if err == nil || !strings.Contains(err.Error(), "stopped after 2 redirects") {
			t.Fatalf("Fetch error = %v, want one saying it stopped after 2 redirects", err)
		}
	})
}

func TestFetch(t *testing.T) {
	// A proxy from the environment would dial for the fetcher and bypass the address check.
	t.Setenv("HTTP_PROXY", "http://10.255.255.1:3128")
	t.Setenv("HTTPS_PROXY", "http://10.255.255.1:3128")

	page := "<html><body><p>Hello</p></body></html>"
	var gotUA, gotHost string
	mux := http.NewServeMux()
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/article?id=7", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/article", func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotHost = r.UserAgent(), r.Host
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Last-Modified", "Tue, 03 Mar 2026 10:00:00 GMT")
		fmt.Fprint(w, page)
	})
	_, ap := testServer(t, mux)

	var calls atomic.Int32
	f := New(Config{Allow: only(ap), LookupIPAddr: resolver(&calls, ap.Addr().String()), UserAgent: "footnote-test"})
	resp, err := f.Fetch(context.Background(), fmt.Sprintf("http://News.Example.com:%d/moved", ap.Port()))
	if err != nil {
		t.Fatalf("Fetch: %v", err)
	}
	checks := []struct {
		name      string
		got, want string
	}{
		{"the body is returned", string(resp.Body), page},
		{"the content type is returned", resp.ContentType, "text/html; charset=utf-8"},
		{"the final URL is the redirect target", resp.URL.String(), fmt.Sprintf("http://News.Example.com:%d/article?id=7", ap.Port())},
		{"the last-modified header is parsed", resp.LastModified.Format(time.RFC3339), "2026-03-03T10:00:00Z"},
		{"the user agent is sent", gotUA, "footnote-test"},
		{"the host header names the host, not the dialled address", gotHost, fmt.Sprintf("News.Example.com:%d", ap.Port())},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
}

func TestFetchAllowPrivate(t *testing.T) {
	srv, _ := testServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "lan page")
	}))
	t.Run("a loopback server is refused by default", func(t *testing.T) {
		_, err := New(Config{}).Fetch(context.Background(), srv.URL)
		if !errors.Is(err, ErrBlockedAddr) {
			t.Fatalf("Fetch error = %v, want ErrBlockedAddr", err)
		}
	})
	t.Run("a loopback server is fetched when private addresses are allowed", func(t *testing.T) {
		resp, err := New(Config{AllowPrivate: true}).Fetch(context.Background(), srv.URL)
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if string(resp.Body) != "lan page" {
			t.Errorf("body = %q", resp.Body)
		}
	})
}

func TestFetchFailures(t *testing.T) {
	const limit = 1000
	mux := http.NewServeMux()
	mux.HandleFunc("/exact", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("a", limit)))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("a", limit+1)))
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		for range 10 {
			w.Write([]byte(strings.Repeat("a", limit/4)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/slow-body", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("start"))
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	srv, ap := testServer(t, mux)

	tests := []struct {
		name    string
		path    string
		want    error // nil: success
		message string
	}{
		{"a body of exactly the limit is accepted", "/exact", nil, ""},
		{"a body one byte over the limit is too large", "/big", ErrTooLarge, "exceeds 1000 bytes"},
		{"a chunked body over the limit is too large", "/big-chunked", ErrTooLarge, "exceeds"},
		{"a missing page names the 404", "/missing", ErrFetch, "404 Not Found"},
		{"a gone page names the 410", "/gone", ErrFetch, "410 Gone"},
		{"a server error names the 500", "/broken", ErrFetch, "500 Internal Server Error"},
		{"a server that never answers times out", "/slow", ErrFetch, "timed out after 150ms"},
		{"a body that never ends times out", "/slow-body", ErrFetch, "timed out after 150ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(Config{Timeout: 150 * time.Millisecond, MaxBytes: limit, Allow: only(ap)})
			resp, err := f.Fetch(context.Background(), srv.URL+tt.path)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Fetch: %v", err)
				}
				if len(resp.Body) != limit {
					t.Errorf("body has %d bytes, want %d", len(resp.Body), limit)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Fetch error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("Fetch error = %q, want it to contain %q", err, tt.message)
			}
			var status *StatusError
			if code, _, _ := strings.Cut(tt.message, " "); errors.As(err, &status) != (code == "404" || code == "410" || code == "500") ||
				status != nil && strconv.Itoa(status.Code) != code {
				t.Errorf("Fetch error = %#v, want a *StatusError only for an HTTP status, with its code", err)
			}
		})
	}
	t.Run("a cancelled context stops the fetch", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := New(Config{Allow: only(ap)}).Fetch(ctx, srv.URL+"/exact")
		if !errors.Is(err, ErrFetch) || !errors.Is(err, context.Canceled) {
			t.Fatalf("Fetch error = %v, want ErrFetch and context.Canceled", err)
		}
	})
}
