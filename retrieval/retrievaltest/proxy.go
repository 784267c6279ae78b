package retrievaltest

import (
	"bytes"
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
	// armed is a cut waiting for a point in a client's conversation (CutBeforeNextSend,
	// CutAfterCommit); muted holds the database connections whose answers are dropped.
	armed armed
	muted map[net.Conn]bool
}

// armed is a cut the proxy makes when a client reaches a point of its conversation.
type armed int

const (
	notArmed armed = iota
	beforeNextSend
	afterCommit
)

// commitMessage is a COMMIT as pgx sends it (Tx.Commit): a simple-protocol Query message.
var commitMessage = []byte("Q\x00\x00\x00\x0bcommit\x00")

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
	p := &Proxy{ln: ln, target: u.Host, conns: map[net.Conn]bool{}, muted: map[net.Conn]bool{}}
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

// CutBeforeNextSend cuts the proxy (as Cut) when a client next sends anything, which is
// dropped: the database goes away between two statements, after every answer it gave has
// reached its client, whatever the timing.
func (p *Proxy) CutBeforeNextSend() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = beforeNextSend
}

// CutAfterCommit lets the next COMMIT a client sends reach the database, drops the
// database's answer and cuts the proxy (as Cut): the transaction is stored, and its client
// cannot know it.
func (p *Proxy) CutAfterCommit() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.armed = afterCommit
}

// sent decides what becomes of bytes a client sent to database connection s: forward them,
// and whether to cut the proxy before (drop) or after forwarding them.
func (p *Proxy) sent(s net.Conn, b []byte) (forward, cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.armed == beforeNextSend:
		p.armed = notArmed
		return false, true
	case p.armed == afterCommit && bytes.Contains(b, commitMessage):
		p.armed = notArmed
		p.muted[s] = true // before the COMMIT goes: its answer must not get back
		return true, true
	}
	return true, false
}

// answers reports whether the database's answers on s may reach the client.
func (p *Proxy) answers(s net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.muted[s]
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
	go func() { p.copyOut(s, c); done <- struct{}{} }()
	go func() { p.copyBack(c, s); done <- struct{}{} }()
	<-done // one side is gone: close both, which ends the other copy
	c.Close()
	s.Close()
	<-done
}

// copyOut copies what client c sends to database connection s, cutting the proxy where
// it is armed to (sent).
func (p *Proxy) copyOut(s, c net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			forward, cut := p.sent(s, buf[:n])
			if forward {
				if _, werr := s.Write(buf[:n]); werr != nil {
					return
				}
			}
			if cut {
				p.Cut()
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// copyBack copies the database's answers on s to client c, unless they are muted.
func (p *Proxy) copyBack(c, s net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			if !p.answers(s) {
				return
			}
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// track adds (or removes) a connection Cut must close. Adding fails while the proxy is cut.
func (p *Proxy) track(c net.Conn, add bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !add {
		delete(p.conns, c)
		delete(p.muted, c)
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
