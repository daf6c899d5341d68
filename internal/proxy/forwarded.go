package proxy

// Reading the forwarding headers a trusted proxy adds: Forwarded (RFC 7239)
// from the right, stepping over trusted hops, and X-Forwarded-Proto (its
// rightmost value). Their tokens are RFC 9110's, as cookie names are
// (package cookie).

import (
	"net/netip"
	"strings"

	"github.com/cookiesession/cookiesession/internal/cookie"
)

// Bounds on the forwarding headers a request may carry. A field longer than
// maxForwardedBytes (all its lines together), or a list with more than
// maxForwardedHops elements, is treated as malformed: never https. No real
// proxy chain comes near either figure; they bound the work a hostile
// header can cause.
const (
	maxForwardedBytes = 8 << 10
	maxForwardedHops  = 32
)

// protoVerdict is what the forwarding headers say about the client's scheme.
type protoVerdict uint8

const (
	protoAbsent    protoVerdict = iota // neither header is present
	protoHTTPS                         // the believed value is https
	protoOther                         // another scheme, a missing proto, or the headers disagree
	protoMalformed                     // a header does not parse, or exceeds the bounds
)

// forwardedVerdict combines the Forwarded and X-Forwarded-Proto headers of
// a request whose immediate peer is trusted. When both are present they
// must both say https; any disagreement means not https. It also returns a
// reason when the verdict is not https.
func forwardedVerdict(fwd, xfp []string, t *Trust) (protoVerdict, string) {
	fv := protoAbsent
	if len(fwd) > 0 {
		fv = forwardedProto(fwd, t)
	}
	xv := protoAbsent
	if len(xfp) > 0 {
		xv = xForwardedProto(xfp)
	}
	switch {
	case fv == protoMalformed:
		return protoMalformed, "Forwarded header is malformed or too long"
	case xv == protoMalformed:
		return protoMalformed, "X-Forwarded-Proto header is malformed or too long"
	case fv == protoAbsent && xv == protoAbsent:
		return protoAbsent, "no forwarded proto"
	case fv == protoHTTPS && (xv == protoHTTPS || xv == protoAbsent):
		return protoHTTPS, ""
	case xv == protoHTTPS && fv == protoAbsent:
		return protoHTTPS, ""
	case fv == protoHTTPS || xv == protoHTTPS:
		return protoOther, "Forwarded and X-Forwarded-Proto disagree"
	case fv == protoOther:
		return protoOther, "Forwarded says the client did not use https"
	default:
		return protoOther, "X-Forwarded-Proto says the client did not use https"
	}
}

// xForwardedProto reads X-Forwarded-Proto: a comma-separated list of
// schemes, one per hop, possibly over several header lines. The rightmost
// value, written by the nearest proxy, is the one believed. Empty list
// elements are skipped (RFC 9110 §5.6.1); every other element must be a
// token.
func xForwardedProto(lines []string) protoVerdict {
	n, hops := 0, 0
	last := ""
	for _, line := range lines {
		n += len(line)
		if n > maxForwardedBytes {
			return protoMalformed
		}
		for elem := range strings.SplitSeq(line, ",") {
			elem = strings.Trim(elem, " \t")
			if elem == "" {
				continue
			}
			if !cookie.IsToken(elem) {
				return protoMalformed
			}
			if hops++; hops > maxForwardedHops {
				return protoMalformed
			}
			last = elem
		}
	}
	switch {
	case last == "":
		return protoMalformed
	case strings.EqualFold(last, "https"):
		return protoHTTPS
	}
	return protoOther
}

// forwardedElem is the part of one Forwarded element (one hop) that
// matters here.
type forwardedElem struct {
	forAddr  netip.Addr // zero when for= is absent, "unknown", obfuscated or invalid
	proto    string
	hasProto bool
}

// forwardedProto reads the Forwarded header (RFC 7239). Each element was
// appended by one proxy and describes the connection it received: for= is
// the address that connected to it, proto= the scheme. Starting from the
// rightmost element (written by the immediate peer, which is trusted), it
// walks left while the element's for= address is itself a trusted proxy,
// and believes the proto= of the element where it stops: the connection
// made by the first untrusted party, normally the browser. An element
// without proto= where the walk stops means not https. A header that does
// not parse means malformed.
func forwardedProto(lines []string, t *Trust) protoVerdict {
	var elems [maxForwardedHops]forwardedElem
	n, size := 0, 0
	for _, line := range lines {
		if size += len(line); size > maxForwardedBytes {
			return protoMalformed
		}
		p := forwardedParser{s: line}
		for {
			e, present, more, ok := p.element()
			if !ok {
				return protoMalformed
			}
			if present {
				if n == len(elems) {
					return protoMalformed
				}
				elems[n] = e
				n++
			}
			if !more {
				break
			}
		}
	}
	if n == 0 {
		return protoMalformed
	}
	i := n - 1
	for i > 0 && t.trusts(elems[i].forAddr) {
		i--
	}
	e := elems[i]
	switch {
	case !e.hasProto:
		return protoOther
	case strings.EqualFold(e.proto, "https"):
		return protoHTTPS
	}
	return protoOther
}

// forwardedParser parses one line of a Forwarded header:
//
//	Forwarded         = 1#forwarded-element
//	forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
//	forwarded-pair    = token "=" value
//	value             = token / quoted-string
//
// (RFC 7239 §4), accepting optional whitespace around ";" and ",". Parameter
// names are case-insensitive and none may appear twice in one element.
type forwardedParser struct {
	s string
	i int
}

// element parses the next element. present is false for an empty element
// (skipped, RFC 9110 §5.6.1); more reports a following ","; ok is false on a
// syntax error.
func (p *forwardedParser) element() (e forwardedElem, present, more, ok bool) {
	var seenFor, seenProto, seenBy, seenHost bool
	for {
		p.skipSpace()
		if p.i < len(p.s) && p.s[p.i] != ';' && p.s[p.i] != ',' {
			name := p.token()
			if name == "" || p.i >= len(p.s) || p.s[p.i] != '=' {
				return e, false, false, false
			}
			p.i++
			val, vok := p.value()
			if !vok {
				return e, false, false, false
			}
			present = true
			var seen *bool
			switch {
			case strings.EqualFold(name, "for"):
				seen = &seenFor
				e.forAddr = forwardedNode(val)
			case strings.EqualFold(name, "proto"):
				seen = &seenProto
				e.proto, e.hasProto = val, true
			case strings.EqualFold(name, "by"):
				seen = &seenBy
			case strings.EqualFold(name, "host"):
				seen = &seenHost
			}
			if seen != nil {
				if *seen {
					return e, false, false, false // RFC 7239 §4: at most once per element
				}
				*seen = true
			}
			p.skipSpace()
		}
		if p.i >= len(p.s) {
			return e, present, false, true
		}
		switch p.s[p.i] {
		case ';':
			p.i++
		case ',':
			p.i++
			return e, present, true, true
		default:
			return e, false, false, false
		}
	}
}

func (p *forwardedParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *forwardedParser) token() string {
	start := p.i
	for p.i < len(p.s) && cookie.IsTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// value parses a token or a quoted-string (RFC 9110 §5.6.4) and returns it
// unquoted.
func (p *forwardedParser) value() (string, bool) {
	if p.i >= len(p.s) {
		return "", false
	}
	if p.s[p.i] != '"' {
		v := p.token()
		return v, v != ""
	}
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '"':
			return b.String(), true
		case c == '\\':
			if p.i >= len(p.s) || !isQuotedPairChar(p.s[p.i]) {
				return "", false
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case isQDText(c):
			b.WriteByte(c)
		default:
			return "", false
		}
	}
	return "", false // unterminated
}

// forwardedNode parses a for= value (RFC 7239 §6): an IPv4 address, a
// bracketed IPv6 address, either with an optional port, "unknown" or an
// obfuscated identifier. Only an IP address is returned; anything else
// gives the zero Addr, which is never trusted.
func forwardedNode(v string) netip.Addr {
	host := v
	if strings.HasPrefix(v, "[") {
		end := strings.IndexByte(v, ']')
		if end < 0 {
			return netip.Addr{}
		}
		host = v[1:end]
		if rest := v[end+1:]; rest != "" && rest[0] != ':' {
			return netip.Addr{}
		}
		a, err := netip.ParseAddr(host)
		if err != nil || !a.Is6() {
			return netip.Addr{}
		}
		return a.Unmap().WithZone("")
	}
	if i := strings.IndexByte(v, ':'); i >= 0 {
		host = v[:i]
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.Is4() {
		return netip.Addr{}
	}
	return a
}

// isQDText reports whether c may appear unescaped in a quoted-string
// (RFC 9110 §5.6.4).
func isQDText(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (0x23 <= c && c <= 0x5b) || (0x5d <= c && c <= 0x7e) || c >= 0x80
}

// isQuotedPairChar reports whether c may follow a backslash in a
// quoted-string (RFC 9110 §5.6.4).
func isQuotedPairChar(c byte) bool {
	return c == '\t' || c == ' ' || (0x21 <= c && c <= 0x7e) || c >= 0x80
}
