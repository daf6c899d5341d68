package cookiesession

// Deciding whether a request reached the site over HTTPS, and so whether a
// cookie set in answer to it gets the Secure attribute. docs/PROXIES.md
// describes the rules; this file implements them.

import (
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// SecureMode says when cookies get the Secure attribute (RFC 6265 §4.1.2.5),
// which tells the browser to send the cookie over HTTPS only.
//
// Whatever the mode, a cookie whose name starts with __Host- or __Secure-
// always gets Secure: browsers refuse such a cookie without it (RFC 6265bis
// §4.1.3), and New refuses SecureNever together with such a name.
type SecureMode uint8

const (
	// SecureAuto, the zero value and default, sets Secure when the request
	// arrived over TLS, or through a proxy listed in Options.TrustedProxies
	// that says the client used https. Behind a TLS-terminating proxy that
	// is not listed, cookies go out without Secure: in production prefer
	// SecureAlways or a __Host- name, which fail loudly instead.
	SecureAuto SecureMode = iota
	// SecureAlways sets Secure on every cookie. A cookie set in answer to a
	// request that did not arrive over HTTPS (directly or through a trusted
	// proxy) fails with ErrInsecureRequest instead of being silently dropped
	// by the browser; requests to a loopback host are the exception,
	// because browsers accept Secure cookies from http://localhost.
	SecureAlways
	// SecureNever never sets Secure. Use it only for tests and plain-HTTP
	// development on a host other than localhost.
	SecureNever
	// SecureTerminated sets Secure on every cookie without looking at the
	// request: for platforms that accept only HTTPS from browsers and
	// terminate TLS where the application cannot see it (serverless
	// functions, PaaS routers) and pass no forwarding header it can trust.
	// Use it only where plain HTTP cannot reach the application: on such a
	// request the browser drops the cookie.
	SecureTerminated
)

// String returns the constant's Go name, or SecureMode(N) for an unknown
// value.
func (m SecureMode) String() string {
	switch m {
	case SecureAuto:
		return "SecureAuto"
	case SecureAlways:
		return "SecureAlways"
	case SecureNever:
		return "SecureNever"
	case SecureTerminated:
		return "SecureTerminated"
	}
	return fmt.Sprintf("SecureMode(%d)", uint8(m))
}

// Bounds on the forwarding headers a request may carry. A field longer than
// maxForwardedBytes (all its lines together), or a list with more than
// maxForwardedHops elements, is treated as malformed: never https. No real
// proxy chain comes near either figure; they bound the work a hostile
// header can cause.
const (
	maxForwardedBytes = 8 << 10
	maxForwardedHops  = 32
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

// proxyTrust is the parsed form of Options.TrustedProxies: the addresses
// whose forwarding headers are believed. It is immutable after
// parseTrustedProxies and safe for concurrent use. A nil *proxyTrust trusts
// nobody.
type proxyTrust struct {
	prefixes []netip.Prefix // masked; IPv4 prefixes in 4-byte form
}

// parseTrustedProxies parses Options.TrustedProxies. Each entry is an IP
// address ("10.0.0.1", "2001:db8::1"), a CIDR prefix ("10.0.0.0/8",
// "fd00::/8"), or one of the names "loopback" (127.0.0.0/8, ::1),
// "private" or "uniquelocal" (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16,
// fc00::/7) and "linklocal" (169.254.0.0/16, fe80::/10). Names are
// case-insensitive; surrounding spaces are ignored. IPv4-mapped IPv6
// addresses and prefixes (::ffff:10.0.0.1, ::ffff:10.0.0.0/104) mean the
// IPv4 ones; other IPv6 prefixes, ::/0 included, match IPv6 peers only. An
// empty list trusts nobody. A bad entry is an error matching
// ErrInvalidOptions that names it.
func parseTrustedProxies(entries []string) (*proxyTrust, error) {
	t := &proxyTrust{}
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
		p, why := parseTrustEntry(s)
		if why != "" {
			return nil, optionsError("TrustedProxies[%d] %q: %s; accepted are IP addresses (10.0.0.1, ::1), CIDR prefixes (10.0.0.0/8, fd00::/8) and the names loopback, private (or uniquelocal) and linklocal, one per entry",
				i, entry, why)
		}
		t.prefixes = append(t.prefixes, p)
	}
	return t, nil
}

// parseTrustEntry parses one address or prefix entry. It returns a reason
// when the entry is not acceptable.
func parseTrustEntry(s string) (netip.Prefix, string) {
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
func (t *proxyTrust) trusts(a netip.Addr) bool {
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
func (t *proxyTrust) empty() bool { return t == nil || len(t.prefixes) == 0 }

// remoteAddr returns the immediate peer of r: r.RemoteAddr as "ip:port",
// "[ip]:port" or a bare IP, IPv4-mapped IPv6 unmapped and any zone dropped.
// It returns the zero Addr when RemoteAddr is not an IP (a Unix socket).
func remoteAddr(r *http.Request) netip.Addr {
	s := r.RemoteAddr
	var a netip.Addr
	if ap, err := netip.ParseAddrPort(s); err == nil {
		a = ap.Addr()
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		a, _ = netip.ParseAddr(s[1 : len(s)-1])
	} else {
		a, _ = netip.ParseAddr(s)
	}
	return a.Unmap().WithZone("")
}

// protoVerdict is what the forwarding headers say about the client's scheme.
type protoVerdict uint8

const (
	protoAbsent    protoVerdict = iota // neither header is present
	protoHTTPS                         // the believed value is https
	protoOther                         // another scheme, a missing proto, or the headers disagree
	protoMalformed                     // a header does not parse, or exceeds the bounds
)

// notHTTPS is a negative verdict, with its reason when explain is set: the
// reason is built only for an error message, never on the hot path.
func notHTTPS(explain bool, reason func() string) httpsCheck {
	if !explain {
		return httpsCheck{}
	}
	return httpsCheck{reason: reason()}
}

// httpsCheck is the outcome of inspecting a request, with a reason for
// error messages. The reason never quotes header values.
type httpsCheck struct {
	https  bool
	reason string
}

// requestIsHTTPS reports whether the client reached the site over HTTPS:
// either r arrived over TLS, or its immediate peer (r.RemoteAddr) is
// trusted and its Forwarded (RFC 7239) or X-Forwarded-Proto header says
// https, by the rules of docs/PROXIES.md. Headers from a peer that is not
// trusted are ignored. When a trusted peer's headers say anything other
// than https (including malformed or conflicting headers), the answer is
// false even if the connection from the proxy to the app uses TLS: the
// proxy knows how the client connected.
func (t *proxyTrust) requestIsHTTPS(r *http.Request) bool {
	return t.check(r, false).https
}

func (t *proxyTrust) check(r *http.Request, explain bool) httpsCheck {
	if !explain && t.empty() {
		return httpsCheck{https: r.TLS != nil} // no proxy trusted: only TLS counts
	}
	tls := r.TLS != nil
	fwd := r.Header.Values("Forwarded")
	xfp := r.Header.Values("X-Forwarded-Proto")
	peer := remoteAddr(r)
	if len(fwd) == 0 && len(xfp) == 0 {
		if tls {
			return httpsCheck{https: true}
		}
		if !t.empty() && t.trusts(peer) {
			return notHTTPS(explain, func() string {
				return fmt.Sprintf("trusted proxy %v sent neither Forwarded nor X-Forwarded-Proto", peer)
			})
		}
		return notHTTPS(explain, func() string { return fmt.Sprintf("the request from %s arrived over plain HTTP", peerString(peer, r)) })
	}
	if t.empty() || !t.trusts(peer) {
		if tls {
			return httpsCheck{https: true}
		}
		if t.empty() {
			return notHTTPS(explain, func() string {
				return fmt.Sprintf("the request from %s came over plain HTTP (its forwarding headers are not believed: Options.TrustedProxies is empty)", peerString(peer, r))
			})
		}
		return notHTTPS(explain, func() string {
			return fmt.Sprintf("the request from %s came over plain HTTP (its forwarding headers are not believed: the peer is not in Options.TrustedProxies)", peerString(peer, r))
		})
	}
	v, why := forwardedVerdict(fwd, xfp, t)
	if v == protoHTTPS {
		return httpsCheck{https: true}
	}
	return notHTTPS(explain, func() string { return fmt.Sprintf("trusted proxy %v: %s", peer, why) })
}

// peerString names the peer in a message: the address, or the raw
// RemoteAddr (quoted) when it is not an IP.
func peerString(a netip.Addr, r *http.Request) string {
	if a.IsValid() {
		return a.String()
	}
	if r.RemoteAddr == "" {
		return "an unknown peer"
	}
	return fmt.Sprintf("%.64q", r.RemoteAddr)
}

// hostIsLoopback reports whether a request's host names a loopback
// origin: localhost, a name under .localhost (RFC 6761 §6.3), or a loopback
// IP literal. Browsers treat such origins as secure contexts and accept
// Secure cookies from them over plain HTTP.
func hostIsLoopback(host string) bool {
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return false
		}
		host = host[1:end]
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 && strings.Count(host, ":") == 1 {
		host = host[:i]
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// secureAttribute decides the Secure attribute of a cookie set in answer to
// req. why is set for a cookie that browsers accept only with Secure,
// whatever the mode, and says why ("its __Host- prefix", "SameSite=None",
// "Partitioned"; RFC 6265bis §4.1.3); "" for any other cookie.
//
// When the cookie must be Secure (SecureAlways, or why is set) but the client
// did not reach the site over HTTPS, the browser would drop the cookie; the
// result is then an error matching ErrInsecureRequest that says why and
// what to change, never a silently dropped cookie. Plain-HTTP requests to
// a loopback host (localhost, 127.0.0.1, [::1]) are accepted, since
// browsers store Secure cookies from such origins.
func secureAttribute(req *Request, mode SecureMode, t *proxyTrust, why string) (bool, error) {
	mustBeSecure := why != ""
	switch {
	case mode == SecureTerminated:
		return true, nil
	case !mustBeSecure && mode == SecureNever:
		return false, nil
	case !mustBeSecure && mode == SecureAuto:
		return req.HTTPS, nil
	case req.HTTPS || hostIsLoopback(req.Host):
		return true, nil
	}
	reason := "Request.HTTPS is false"
	if req.from != nil {
		reason = t.check(req.from, true).reason // built only for the error
	}
	if !mustBeSecure {
		why = "Options.Secure is SecureAlways"
	} else {
		why = "because of " + why
	}
	return false, fmt.Errorf("%w: the cookie must be Secure (%s) but %s, so the browser would drop it; "+
		"terminate TLS in front of the app, or list the TLS-terminating proxy in Options.TrustedProxies and have it send X-Forwarded-Proto or Forwarded (see docs/PROXIES.md)",
		ErrInsecureRequest, why, reason)
}
