// Package proxy decides whether a request reached the site over HTTPS,
// directly or through proxies the application trusts: the parsing of
// Options.TrustedProxies, of the Forwarded (RFC 7239) and
// X-Forwarded-Proto headers, and the explanation given when a request
// does not count as HTTPS. It needs no net/http request: an adapter hands
// it the peer address, whether the connection is TLS and a header lookup
// (Conn). docs/PROXIES.md describes the rules.
package proxy

import (
	"fmt"
	"net/netip"
	"strings"
)

// Named groups of addresses that Options.TrustedProxies accepts, the names
// Express's "trust proxy" setting uses ("private" is ours; "uniquelocal" is
// Express's name for the same set).
var (
	loopbackPrefixes = []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), // RFC 1122 §3.2.1.3
		netip.MustParsePrefix("::1/128"),     // RFC 4291 §2.5.3
	}
	privatePrefixes = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),     // RFC 1918 §3
		netip.MustParsePrefix("172.16.0.0/12"),  // RFC 1918 §3
		netip.MustParsePrefix("192.168.0.0/16"), // RFC 1918 §3
		netip.MustParsePrefix("fc00::/7"),       // RFC 4193 unique local
	}
	linkLocalPrefixes = []netip.Prefix{
		netip.MustParsePrefix("169.254.0.0/16"), // RFC 3927
		netip.MustParsePrefix("fe80::/10"),      // RFC 4291 §2.5.6
	}
)

// Trust is the parsed form of Options.TrustedProxies: the addresses whose
// forwarding headers are believed. It is immutable after Parse and safe
// for concurrent use. A nil *Trust trusts nobody.
type Trust struct {
	prefixes []netip.Prefix // masked; IPv4 prefixes in 4-byte form
}

// Parse parses Options.TrustedProxies. Each entry is an IP address
// ("10.0.0.1", "2001:db8::1"), a CIDR prefix ("10.0.0.0/8", "fd00::/8"),
// or one of the names "loopback" (127.0.0.0/8, ::1), "private" or
// "uniquelocal" (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7) and
// "linklocal" (169.254.0.0/16, fe80::/10). Names are case-insensitive;
// surrounding spaces are ignored. IPv4-mapped IPv6 addresses and prefixes
// (::ffff:10.0.0.1, ::ffff:10.0.0.0/104) mean the IPv4 ones; other IPv6
// prefixes, ::/0 included, match IPv6 peers only. An empty list trusts
// nobody. A bad entry is an error that names it and what is accepted.
func Parse(entries []string) (*Trust, error) {
	t := &Trust{}
	for i, entry := range entries {
		s := strings.TrimSpace(entry)
		switch strings.ToLower(s) {
		case "loopback":
			t.prefixes = append(t.prefixes, loopbackPrefixes...)
			continue
		case "private", "uniquelocal":
			t.prefixes = append(t.prefixes, privatePrefixes...)
			continue
		case "linklocal":
			t.prefixes = append(t.prefixes, linkLocalPrefixes...)
			continue
		}
		p, why := parseEntry(s)
		if why != "" {
			return nil, fmt.Errorf("TrustedProxies[%d] %q: %s; accepted are IP addresses (10.0.0.1, ::1), CIDR prefixes (10.0.0.0/8, fd00::/8) and the names loopback, private (or uniquelocal) and linklocal, one per entry",
				i, entry, why)
		}
		t.prefixes = append(t.prefixes, p)
	}
	return t, nil
}

// parseEntry parses one address or prefix entry. It returns a reason
// when the entry is not acceptable.
func parseEntry(s string) (netip.Prefix, string) {
	switch {
	case s == "":
		return netip.Prefix{}, "empty entry"
	case strings.ContainsAny(s, ", \t"):
		return netip.Prefix{}, "more than one value in one entry"
	case strings.Contains(s, "%"):
		return netip.Prefix{}, "IPv6 zones are not supported (drop the %zone part)"
	}
	var p netip.Prefix
	if strings.Contains(s, "/") {
		var err error
		if p, err = netip.ParsePrefix(s); err != nil {
			return netip.Prefix{}, "not a valid CIDR prefix"
		}
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, "not an IP address, a CIDR prefix or a known name"
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	p = p.Masked()
	// ::ffff:a.b.c.d/n with n >= 96 covers only IPv4-mapped addresses:
	// store it as the IPv4 prefix, since peers are compared unmapped.
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p, ""
}

// trusts reports whether a (unmapped, without zone) is a trusted proxy. An
// IPv4 address matches IPv4 prefixes only, an IPv6 address IPv6 prefixes
// only: ::/0 does not cover IPv4 peers.
func (t *Trust) trusts(a netip.Addr) bool {
	if t == nil || !a.IsValid() {
		return false
	}
	for _, p := range t.prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// empty reports whether t trusts nobody.
func (t *Trust) empty() bool { return t == nil || len(t.prefixes) == 0 }
