package fetch

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
)

func TestPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"93.184.216.34", true},
		{"1.1.1.1", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.0.0.2", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"169.254.169.254", false},
		{"fe80::1", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"::", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"255.255.255.255", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"::ffff:93.184.216.34", true},
		{"::127.0.0.1", false},
		{"64:ff9b::10.0.0.1", false},
		{"64:ff9b::93.184.216.34", true},
		{"2002:a00:1::", false},
		{"2001:db8::1", false},
	}
	for _, tt := range tests {
		name := tt.addr + " is public"
		if !tt.want {
			name = tt.addr + " is not public"
		}
		t.Run(name, func(t *testing.T) {
			if got := Public(netip.MustParseAddr(tt.addr)); got != tt.want {
				t.Errorf("Public(%s) = %v, want %v", tt.addr, got, tt.want)
			}
		})
	}
	t.Run("the zero address is not public", func(t *testing.T) {
		if Public(netip.Addr{}) {
			t.Error("Public(zero Addr) = true")
		}
	})
}

func TestBlockedName(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"api.localhost", true},
		{"metadata.google.internal", true},
		{"printer.local", true},
		{"router.home.arpa", true},
		{"example.com", false},
		{"localhost.example.com", false},
		{"internalnews.com", false},
	}
	for _, tt := range tests {
		verb := " is refused by name"
		if !tt.want {
			verb = " is left to the address check"
		}
		t.Run(tt.host+verb, func(t *testing.T) {
			if got := blockedName(tt.host); got != tt.want {
				t.Errorf("blockedName(%q) = %v, want %v", tt.host, got, tt.want)
			}
		})
	}
}

func TestDialerControl(t *testing.T) {
	d := &dialer{allow: Public}
	tests := []struct {
		name    string
		address string
		blocked bool
	}{
		{"a public socket address is connected", "93.184.216.34:443", false},
		{"a loopback socket address is refused", "127.0.0.1:80", true},
		{"a mapped private socket address is refused", "[::ffff:10.0.0.1]:80", true},
		{"an unparsable socket address is refused", "nonsense", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := d.control("tcp4", tt.address, syscall.RawConn(nil))
			if got := errors.Is(err, ErrBlockedAddr); got != tt.blocked {
				t.Errorf("control(%q) = %v, want blocked %v", tt.address, err, tt.blocked)
			}
		})
	}
}
