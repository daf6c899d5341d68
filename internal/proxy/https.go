package proxy

// The HTTPS decision for one request, and its explanation.

import (
	"fmt"
	"net/netip"
	"strings"
)

// The forwarding headers' names, as Conn.Header is asked for them.
const (
	headerForwarded       = "Forwarded"         // RFC 7239
	headerXForwardedProto = "X-Forwarded-Proto" // de facto
)

// Conn is what an adapter knows of one request: enough to decide whether
// the client reached the site over HTTPS, without an *http.Request.
type Conn struct {
	// RemoteAddr is the immediate peer: "ip:port", "[ip]:port" or a bare
	// IP, as net/http's Request.RemoteAddr. Anything else (a Unix socket
	// path, "") is a peer without an IP address, never trusted.
	RemoteAddr string
	// TLS reports whether the connection to the application is TLS.
	TLS bool
	// Header looks the forwarding headers up; nil means the request has
	// none.
	Header Header
}

// Header is a request header lookup: Values returns every line of the
// header of the given canonical name ("Forwarded", "X-Forwarded-Proto"),
// nil when there is none. net/http's http.Header is one; an adapter for
// another server wraps its own header type (a pointer-shaped wrapper is
// stored in Conn without allocating).
type Header interface {
	Values(name string) []string
}

// HeaderFunc adapts a lookup function to Header.
type HeaderFunc func(name string) []string

// Values calls f.
func (f HeaderFunc) Values(name string) []string { return f(name) }

// header returns the lines of the header name.
func (c *Conn) header(name string) []string {
	if c.Header == nil {
		return nil
	}
	return c.Header.Values(name)
}

// HTTPS reports whether the client reached the site over HTTPS: either c
// arrived over TLS, or its immediate peer is trusted and its Forwarded
// (RFC 7239) or X-Forwarded-Proto header says https, by the rules of
// docs/PROXIES.md. Headers from a peer that is not trusted are ignored.
// When a trusted peer's headers say anything other than https (including
// malformed or conflicting headers), the answer is false even if the
// connection from the proxy to the app uses TLS: the proxy knows how the
// client connected.
func (t *Trust) HTTPS(c Conn) bool {
	if t.empty() {
		return c.TLS // no proxy trusted: only TLS counts
	}
	return t.check(&c, false).https
}

// Explain says why c does not count as HTTPS, for an error message: "the
// request from 10.0.0.5 came over plain HTTP (...)", "trusted proxy
// 10.0.0.5: X-Forwarded-Proto says the client did not use https". It
// never quotes a header value. It returns "" when HTTPS(c) is true.
func (t *Trust) Explain(c Conn) string {
	return t.check(&c, true).reason
}

// verdict is the outcome of inspecting a request, with a reason for
// error messages when explain was asked for.
type verdict struct {
	https  bool
	reason string
}

// notHTTPS is a negative verdict, with its reason when explain is set: the
// reason is built only for an error message, never on the hot path.
func notHTTPS(explain bool, reason func() string) verdict {
	if !explain {
		return verdict{}
	}
	return verdict{reason: reason()}
}

func (t *Trust) check(c *Conn, explain bool) verdict {
	fwd := c.header(headerForwarded)
	xfp := c.header(headerXForwardedProto)
	peer := remoteAddr(c.RemoteAddr)
	if len(fwd) == 0 && len(xfp) == 0 {
		if c.TLS {
			return verdict{https: true}
		}
		if !t.empty() && t.trusts(peer) {
			return notHTTPS(explain, func() string {
				return fmt.Sprintf("trusted proxy %v sent neither Forwarded nor X-Forwarded-Proto", peer)
			})
		}
		return notHTTPS(explain, func() string {
			return fmt.Sprintf("the request from %s arrived over plain HTTP", peerString(peer, c.RemoteAddr))
		})
	}
	if t.empty() || !t.trusts(peer) {
		if c.TLS {
			return verdict{https: true}
		}
		if t.empty() {
			return notHTTPS(explain, func() string {
				return fmt.Sprintf("the request from %s came over plain HTTP (its forwarding headers are not believed: Options.TrustedProxies is empty)", peerString(peer, c.RemoteAddr))
			})
		}
		return notHTTPS(explain, func() string {
			return fmt.Sprintf("the request from %s came over plain HTTP (its forwarding headers are not believed: the peer is not in Options.TrustedProxies)", peerString(peer, c.RemoteAddr))
		})
	}
	v, why := forwardedVerdict(fwd, xfp, t)
	if v == protoHTTPS {
		return verdict{https: true}
	}
	return notHTTPS(explain, func() string { return fmt.Sprintf("trusted proxy %v: %s", peer, why) })
}

// remoteAddr parses a peer address: "ip:port", "[ip]:port" or a bare IP,
// IPv4-mapped IPv6 unmapped and any zone dropped. It returns the zero Addr
// when s is not an IP (a Unix socket).
func remoteAddr(s string) netip.Addr {
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

// peerString names the peer in a message: the address, or the raw
// remote address (quoted) when it is not an IP.
func peerString(a netip.Addr, remote string) string {
	if a.IsValid() {
		return a.String()
	}
	if remote == "" {
		return "an unknown peer"
	}
	return fmt.Sprintf("%.64q", remote)
}

// LoopbackHost reports whether a request's host names a loopback origin:
// localhost, a name under .localhost (RFC 6761 §6.3), or a loopback IP
// literal, with or without a port. Browsers treat such origins as secure
// contexts and accept Secure cookies from them over plain HTTP.
func LoopbackHost(host string) bool {
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
