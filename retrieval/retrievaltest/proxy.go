package retrievaltest

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Proxy is a TCP proxy in front of the test database that a test can cut, to play a
// database outage (a lost connection, a server that is gone) without stopping the server
// other tests share.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// NewProxy starts a proxy to the test database, stopped when the test ends, and returns it
// with a DSN that reaches the database through it. FOOTNOTE_TEST_DATABASE_URL must be a
// postgres:// URL for that.
func NewProxy(t testing.TB) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(DSN())
	if err != nil || u.Host == "" {
		t.Fatalf("the test database's DSN must be a postgres:// URL with a host to proxy it: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	p := &Proxy{ln: ln, target: u.Host, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(p.close)
	// A password from a pgpass file is looked up by host and port, and the proxy's port
	// is not the server's: the URL carries the one found for the server instead.
	if cfg, err := pgx.ParseConfig(DSN()); err == nil && cfg.Password != "" {
		u.User = url.UserPassword(cfg.User, cfg.Password)
	}
	u.Host = ln.Addr().String()
	return p, u.String()
}

// Cut closes every connection through the proxy and, until Restore, closes each new one
// as soon as it is accepted: to the client, the database went away.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Restore lets connections through again.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

// serve accepts connections until the listener closes.
func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.pipe(c)
		}()
	}
}

// pipe copies bytes between client c and the database until either side closes, or the
// proxy is cut.
func (p *Proxy) pipe(c net.Conn) {
	defer c.Close()
	if !p.track(c, true) {
		return
	}
	defer p.track(c, false)
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	if !p.track(s, true) {
		s.Close()
		return
	}
	defer p.track(s, false)
	defer s.Close()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(s, c); done <- struct{}{} }()
	go func() { _, _ = io.Copy(c, s); done <- struct{}{} }()
	<-done // one side is gone: close both, which ends the other copy
	c.Close()
	s.Close()
	<-done
}

// track adds (or removes) a connection Cut must close. Adding fails while the proxy is cut.
func (p *Proxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !add {
		delete(p.conns, c)
		return true
	}
	if p.cut {
		return false
	}
	p.conns[c] = true
	return true
}

// close stops the proxy and waits for its goroutines.
func (p *Proxy) close() {
	p.ln.Close()
	p.Cut()
	p.wg.Wait()
}
