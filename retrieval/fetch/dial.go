package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
)

// dialer resolves a host itself, checks every answer, and dials only an address it has
// checked, so that neither a name that resolves to a private address nor DNS rebinding
// (a second lookup answering differently) reaches the network inside. Control checks the
// socket address once more just before connect, whatever path led there.
type dialer struct {
	allowPrivate bool
	allow        func(netip.Addr) bool
	lookup       func(ctx context.Context, host string) ([]net.IPAddr, error)
	net          net.Dialer
}

// DialContext is the transport's dial function. It returns an error wrapping
// ErrBlockedAddr when the host is refused by name or any of its addresses is not
// allowed, and the resolver's or the dialer's error otherwise.
func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	host = normHost(host)
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if !d.allowPrivate && blockedName(host) {
			return nil, fmt.Errorf("host %s is not public: %w", host, ErrBlockedAddr)
		}
		answers, err := d.lookup(ctx, host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		for _, ip := range answers {
			a, ok := netip.AddrFromSlice(ip.IP)
			if !ok {
				continue
			}
			addrs = append(addrs, a.Unmap())
		}
		if len(addrs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
	}
	// Refuse the host when any answer is not allowed, not just the one dialled: a name
	// that mixes public and private answers is an attack or a misconfiguration.
	for _, a := range addrs {
		if !d.allowPrivate && !d.allow(a) {
			return nil, fmt.Errorf("host %s resolves to %s, which is not public: %w", host, a, ErrBlockedAddr)
		}
	}
	var errs []error
	for _, a := range addrs {
		conn, err := d.net.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// control runs on the raw socket address just before connect.
func (d *dialer) control(_, address string, _ syscall.RawConn) error {
	if d.allowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, ErrBlockedAddr)
	}
	if !d.allow(ap.Addr().Unmap()) {
		return fmt.Errorf("address %s is not public: %w", ap.Addr(), ErrBlockedAddr)
	}
	return nil
}
