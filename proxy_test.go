package cookiesession

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
)

// hdr is one header line; a request may carry the same name several times.
type hdr struct{ name, value string }

func newProxyRequest(remote string, withTLS bool, host string, headers ...hdr) *http.Request {
	r, err := http.NewRequest(http.MethodGet, "http://example.com/", nil)
	if err != nil {
		panic(err)
	}
	r.RemoteAddr = remote
	if withTLS {
		r.TLS = &tls.ConnectionState{}
	}
	if host != "" {
		r.Host = host
	}
	for _, h := range headers {
		r.Header.Add(h.name, h.value)
	}
	return r
}

func mustTrust(t testing.TB, entries ...string) *proxyTrust {
	t.Helper()
	pt, err := parseTrustedProxies(entries)
	if err != nil {
		t.Fatalf("parseTrustedProxies(%q): %v", entries, err)
	}
	return pt
}

func xfp(v string) hdr { return hdr{"X-Forwarded-Proto", v} }
func fwd(v string) hdr { return hdr{"Forwarded", v} }

func TestRequestIsHTTPS(t *testing.T) {
	private := []string{"private"}
	tests := []struct {
		name    string
		trusted []string
		remote  string
		tls     bool
		headers []hdr
		want    bool
	}{
		// Direct connections.
		{"plain HTTP, no proxies", nil, "198.51.100.7:5000", false, nil, false},
		{"TLS, no proxies", nil, "198.51.100.7:5000", true, nil, true},
		{"TLS from a trusted peer without headers", private, "10.0.0.2:5000", true, nil, true},
		{"trusted peer, plain HTTP, no headers", private, "10.0.0.2:5000", false, nil, false},

		// Spoofing: headers from a peer that is not trusted are ignored.
		{"spoofed X-Forwarded-Proto, nothing trusted", nil, "198.51.100.7:5000", false, []hdr{xfp("https")}, false},
		{"spoofed X-Forwarded-Proto from loopback, nothing trusted", nil, "127.0.0.1:5000", false, []hdr{xfp("https")}, false},
		{"spoofed X-Forwarded-Proto, untrusted peer", private, "198.51.100.7:5000", false, []hdr{xfp("https")}, false},
		{"spoofed Forwarded, untrusted peer", private, "198.51.100.7:5000", false, []hdr{fwd("for=10.0.0.9;proto=https")}, false},
		{"spoofed both, untrusted peer", []string{"10.0.0.1"}, "10.0.0.2:5000", false, []hdr{xfp("https"), fwd("proto=https")}, false},
		{"untrusted peer over TLS saying http is ignored", private, "198.51.100.7:5000", true, []hdr{xfp("http")}, true},

		// X-Forwarded-Proto from a trusted peer.
		{"XFP https", []string{"10.0.0.2"}, "10.0.0.2:5000", false, []hdr{xfp("https")}, true},
		{"XFP http", []string{"10.0.0.2"}, "10.0.0.2:5000", false, []hdr{xfp("http")}, false},
		{"XFP HTTPS upper case", private, "10.0.0.2:5000", false, []hdr{xfp("HTTPS")}, true},
		{"XFP HtTpS mixed case", private, "10.0.0.2:5000", false, []hdr{xfp("HtTpS")}, true},
		{"XFP with spaces", private, "10.0.0.2:5000", false, []hdr{xfp(" \thttps ")}, true},
		{"XFP rightmost http wins", private, "10.0.0.2:5000", false, []hdr{xfp("https, http")}, false},
		{"XFP rightmost https wins", private, "10.0.0.2:5000", false, []hdr{xfp("http, https")}, true},
		{"XFP forged left value ignored", private, "10.0.0.2:5000", false, []hdr{xfp("https,https,http")}, false},
		{"XFP two lines, last https", private, "10.0.0.2:5000", false, []hdr{xfp("http"), xfp("https")}, true},
		{"XFP two lines, last http", private, "10.0.0.2:5000", false, []hdr{xfp("https"), xfp("http")}, false},
		{"XFP empty elements skipped", private, "10.0.0.2:5000", false, []hdr{xfp("http, ,https,")}, true},
		{"XFP empty", private, "10.0.0.2:5000", false, []hdr{xfp("")}, false},
		{"XFP only commas", private, "10.0.0.2:5000", false, []hdr{xfp(" , ,")}, false},
		{"XFP quoted is malformed", private, "10.0.0.2:5000", false, []hdr{xfp(`"https"`)}, false},
		{"XFP with inner space is malformed", private, "10.0.0.2:5000", false, []hdr{xfp("ht tps")}, false},
		{"XFP malformed left element poisons the field", private, "10.0.0.2:5000", false, []hdr{xfp("h\"x, https")}, false},
		{"XFP https-ish is not https", private, "10.0.0.2:5000", false, []hdr{xfp("httpsx")}, false},
		{"XFP wss is not https", private, "10.0.0.2:5000", false, []hdr{xfp("wss")}, false},

		// Forwarded (RFC 7239) from a trusted peer.
		{"Forwarded proto=https", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https")}, true},
		{"Forwarded proto=http", private, "10.0.0.2:5000", false, []hdr{fwd("proto=http")}, false},
		{"Forwarded quoted proto", private, "10.0.0.2:5000", false, []hdr{fwd(`proto="https"`)}, true},
		{"Forwarded quoted-pair in proto", private, "10.0.0.2:5000", false, []hdr{fwd(`proto="ht\tps"`)}, true},
		{"Forwarded RFC 7239 example", private, "10.0.0.2:5000", false, []hdr{fwd("for=192.0.2.60;proto=https;by=203.0.113.43")}, true},
		{"Forwarded mixed-case names and value", private, "10.0.0.2:5000", false, []hdr{fwd("For=192.0.2.60;PROTO=HTTPS;By=10.0.0.2")}, true},
		{"Forwarded spaces around separators", private, "10.0.0.2:5000", false, []hdr{fwd("for=192.0.2.60 ; proto=https ;host=example.com")}, true},
		{"Forwarded quoted IPv6 for with port", private, "10.0.0.2:5000", false, []hdr{fwd(`for="[2001:db8:cafe::17]:4711";proto=https`)}, true},
		{"Forwarded unknown and obfuscated for", private, "10.0.0.2:5000", false, []hdr{fwd(`for=unknown;proto=https, for="_hidden";proto=https`)}, true},
		{"Forwarded extension parameter", private, "10.0.0.2:5000", false, []hdr{fwd(`proto=https;secret="x;y,z"`)}, true},
		{"Forwarded empty pairs allowed", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https;;")}, true},
		{"Forwarded empty elements skipped", private, "10.0.0.2:5000", false, []hdr{fwd(", proto=https ,")}, true},
		{"Forwarded element without proto", private, "10.0.0.2:5000", false, []hdr{fwd("for=192.0.2.60")}, false},
		{"Forwarded empty", private, "10.0.0.2:5000", false, []hdr{fwd("")}, false},
		{"Forwarded no value", private, "10.0.0.2:5000", false, []hdr{fwd("proto")}, false},
		{"Forwarded empty value", private, "10.0.0.2:5000", false, []hdr{fwd("proto=")}, false},
		{"Forwarded empty quoted value", private, "10.0.0.2:5000", false, []hdr{fwd(`proto=""`)}, false},
		{"Forwarded no name", private, "10.0.0.2:5000", false, []hdr{fwd("=https")}, false},
		{"Forwarded unterminated quote", private, "10.0.0.2:5000", false, []hdr{fwd(`proto="https`)}, false},
		{"Forwarded trailing backslash", private, "10.0.0.2:5000", false, []hdr{fwd(`proto="https\`)}, false},
		{"Forwarded control character in quotes", private, "10.0.0.2:5000", false, []hdr{fwd("proto=\"ht\x01tps\"")}, false},
		{"Forwarded duplicate proto", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https;proto=https")}, false},
		{"Forwarded duplicate for", private, "10.0.0.2:5000", false, []hdr{fwd("for=1.2.3.4;For=1.2.3.4;proto=https")}, false},
		{"Forwarded pairs without semicolon", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https for=1.2.3.4")}, false},
		{"Forwarded unquoted IPv6", private, "10.0.0.2:5000", false, []hdr{fwd("for=[2001:db8::1];proto=https")}, false},
		{"Forwarded garbage after quote", private, "10.0.0.2:5000", false, []hdr{fwd(`proto="https"x`)}, false},
		{"Forwarded malformed left element poisons the field", private, "10.0.0.2:5000", false, []hdr{fwd(`for="x, proto=https`)}, false},
		{"Forwarded https-ish is not https", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https2")}, false},

		// Forwarded with several hops: walk left across trusted for= addresses.
		{"hops: nearest proxy says http from the client", private, "10.0.0.2:5000", false,
			[]hdr{fwd("for=10.0.0.9;proto=https, for=198.51.100.7;proto=http")}, false},
		{"hops: outer trusted proxy saw https", private, "10.0.0.2:5000", false,
			[]hdr{fwd("for=198.51.100.7;proto=https, for=10.0.0.3;proto=http")}, true},
		{"hops: outer proxy not trusted, its element ignored", []string{"10.0.0.2"}, "10.0.0.2:5000", false,
			[]hdr{fwd("for=198.51.100.7;proto=https, for=10.0.0.3;proto=http")}, false},
		{"hops: three proxies", []string{"10.0.0.0/24", "192.0.2.10"}, "10.0.0.2:5000", false,
			[]hdr{fwd("for=198.51.100.7;proto=https, for=192.0.2.10;proto=http, for=10.0.0.3;proto=http")}, true},
		{"hops: forged element left of the client's", private, "10.0.0.2:5000", false,
			[]hdr{fwd("for=198.51.100.1;proto=https, for=198.51.100.7;proto=http, for=10.0.0.3;proto=http")}, false},
		{"hops: across header lines", private, "10.0.0.2:5000", false,
			[]hdr{fwd("for=198.51.100.7;proto=https"), fwd("for=10.0.0.3;proto=http")}, true},
		{"hops: leftmost trusted for still counts", private, "10.0.0.2:5000", false,
			[]hdr{fwd("for=10.0.0.7;proto=https, for=10.0.0.3;proto=http")}, true},
		{"hops: stop element has no proto", private, "10.0.0.2:5000", false,
			[]hdr{fwd("for=198.51.100.7, for=10.0.0.3;proto=https")}, false},
		{"hops: IPv6 for with trusted prefix", []string{"10.0.0.2", "2001:db8::/32"}, "10.0.0.2:5000", false,
			[]hdr{fwd(`for=198.51.100.7;proto=https, for="[2001:db8::3]:443";proto=http`)}, true},
		{"hops: IPv4-mapped for", private, "10.0.0.2:5000", false,
			[]hdr{fwd(`for=198.51.100.7;proto=https, for="[::ffff:10.0.0.3]";proto=http`)}, true},
		{"hops: IPv4 for with port", private, "10.0.0.2:5000", false,
			[]hdr{fwd(`for=198.51.100.7;proto=https, for="10.0.0.3:8443";proto=http`)}, true},

		// Forwarded and X-Forwarded-Proto together: both must say https.
		{"both https", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https"), xfp("https")}, true},
		{"conflict: Forwarded https, XFP http", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https"), xfp("http")}, false},
		{"conflict: Forwarded http, XFP https", private, "10.0.0.2:5000", false, []hdr{fwd("proto=http"), xfp("https")}, false},
		{"malformed Forwarded, XFP https", private, "10.0.0.2:5000", false, []hdr{fwd("proto="), xfp("https")}, false},
		{"Forwarded https, malformed XFP", private, "10.0.0.2:5000", false, []hdr{fwd("proto=https"), xfp("")}, false},

		// TLS between proxy and app: the trusted proxy's word decides.
		{"TLS, trusted proxy says http", private, "10.0.0.2:5000", true, []hdr{xfp("http")}, false},
		{"TLS, trusted proxy says https", private, "10.0.0.2:5000", true, []hdr{xfp("https")}, true},
		{"TLS, trusted proxy sends malformed Forwarded", private, "10.0.0.2:5000", true, []hdr{fwd("proto")}, false},

		// Peer address forms.
		{"IPv6 peer trusted", []string{"2001:db8::/64"}, "[2001:db8::5]:443", false, []hdr{xfp("https")}, true},
		{"IPv6 peer outside the prefix", []string{"2001:db8::/64"}, "[2001:db8:1::5]:443", false, []hdr{xfp("https")}, false},
		{"IPv6 peer with zone", []string{"linklocal"}, "[fe80::1%eth0]:443", false, []hdr{xfp("https")}, true},
		{"IPv4-mapped peer, IPv4 entry", []string{"10.0.0.1"}, "[::ffff:10.0.0.1]:1234", false, []hdr{xfp("https")}, true},
		{"IPv4-mapped peer, untrusted", []string{"10.0.0.1"}, "[::ffff:10.0.0.2]:1234", false, []hdr{xfp("https")}, false},
		{"IPv4 peer, IPv4-mapped entry", []string{"::ffff:10.0.0.1"}, "10.0.0.1:1234", false, []hdr{xfp("https")}, true},
		{"IPv4 peer, IPv4-mapped prefix", []string{"::ffff:10.0.0.0/104"}, "10.9.8.7:1234", false, []hdr{xfp("https")}, true},
		{"IPv4 peer, ::/0 does not cover IPv4", []string{"::/0"}, "10.0.0.1:1234", false, []hdr{xfp("https")}, false},
		{"IPv6 peer, ::/0", []string{"::/0"}, "[2001:db8::1]:1234", false, []hdr{xfp("https")}, true},
		{"IPv4 peer, 0.0.0.0/0", []string{"0.0.0.0/0"}, "203.0.113.9:1234", false, []hdr{xfp("https")}, true},
		{"peer without port", []string{"10.0.0.1"}, "10.0.0.1", false, []hdr{xfp("https")}, true},
		{"bracketed IPv6 peer without port", []string{"::1"}, "[::1]", false, []hdr{xfp("https")}, true},
		{"Unix socket peer", []string{"loopback"}, "@", false, []hdr{xfp("https")}, false},
		{"empty RemoteAddr", []string{"loopback"}, "", false, []hdr{xfp("https")}, false},
		{"garbage RemoteAddr", []string{"0.0.0.0/0"}, "not-an-ip:80", false, []hdr{xfp("https")}, false},

		// Named groups.
		{"loopback 127.0.0.1", []string{"loopback"}, "127.0.0.1:1", false, []hdr{xfp("https")}, true},
		{"loopback 127.8.9.10", []string{"loopback"}, "127.8.9.10:1", false, []hdr{xfp("https")}, true},
		{"loopback ::1", []string{"loopback"}, "[::1]:1", false, []hdr{xfp("https")}, true},
		{"loopback excludes private", []string{"loopback"}, "10.0.0.1:1", false, []hdr{xfp("https")}, false},
		{"private 10/8", private, "10.255.0.1:1", false, []hdr{xfp("https")}, true},
		{"private 172.16/12", private, "172.31.255.255:1", false, []hdr{xfp("https")}, true},
		{"private excludes 172.32", private, "172.32.0.1:1", false, []hdr{xfp("https")}, false},
		{"private 192.168/16", private, "192.168.1.1:1", false, []hdr{xfp("https")}, true},
		{"private fc00::/7", private, "[fd12:3456::1]:1", false, []hdr{xfp("https")}, true},
		{"private excludes loopback", private, "127.0.0.1:1", false, []hdr{xfp("https")}, false},
		{"private excludes public IPv6", private, "[2001:db8::1]:1", false, []hdr{xfp("https")}, false},
		{"uniquelocal alias", []string{"uniquelocal"}, "192.168.0.5:1", false, []hdr{xfp("https")}, true},
		{"linklocal IPv4", []string{"linklocal"}, "169.254.169.254:1", false, []hdr{xfp("https")}, true},
		{"linklocal IPv6", []string{"linklocal"}, "[fe80::1]:1", false, []hdr{xfp("https")}, true},
		{"linklocal excludes private", []string{"linklocal"}, "10.0.0.1:1", false, []hdr{xfp("https")}, false},
		{"names are case-insensitive", []string{" LoopBack "}, "127.0.0.1:1", false, []hdr{xfp("https")}, true},
		{"several entries", []string{"loopback", "192.0.2.0/24", "2001:db8::7"}, "[2001:db8::7]:1", false, []hdr{xfp("https")}, true},
		{"non-canonical prefix is masked", []string{"10.1.2.3/8"}, "10.200.0.1:1", false, []hdr{xfp("https")}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt := mustTrust(t, tc.trusted...)
			r := newProxyRequest(tc.remote, tc.tls, "", tc.headers...)
			if got := pt.requestIsHTTPS(r); got != tc.want {
				t.Errorf("requestIsHTTPS = %v, want %v (%s)", got, tc.want, pt.check(r, true).reason)
			}
		})
	}
}

func TestRequestIsHTTPSNilTrust(t *testing.T) {
	var pt *proxyTrust
	if pt.requestIsHTTPS(newProxyRequest("127.0.0.1:1", false, "", xfp("https"))) {
		t.Error("nil proxyTrust believed X-Forwarded-Proto")
	}
	if !pt.requestIsHTTPS(newProxyRequest("127.0.0.1:1", true, "")) {
		t.Error("nil proxyTrust: TLS request not https")
	}
}

func TestForwardedBounds(t *testing.T) {
	pt := mustTrust(t, "private")
	elems := func(n int, last string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = "for=10.0.0.9;proto=http"
		}
		parts[n-1] = last
		return strings.Join(parts, ", ")
	}
	protos := func(n int) string {
		return strings.Repeat("http,", n-1) + "https"
	}
	tests := []struct {
		name    string
		headers []hdr
		want    bool
	}{
		{"XFP at the hop limit", []hdr{xfp(protos(maxForwardedHops))}, true},
		{"XFP over the hop limit", []hdr{xfp(protos(maxForwardedHops + 1))}, false},
		{"XFP hops over several lines", []hdr{xfp(protos(maxForwardedHops / 2)), xfp(protos(maxForwardedHops/2 + 1))}, false},
		{"XFP over the byte limit", []hdr{xfp(strings.Repeat(" ", maxForwardedBytes) + "https")}, false},
		{"XFP byte limit over several lines", []hdr{xfp(strings.Repeat(" ", maxForwardedBytes/2)), xfp(strings.Repeat(" ", maxForwardedBytes/2) + "https")}, false},
		{"Forwarded at the hop limit", []hdr{fwd(elems(maxForwardedHops, "proto=https"))}, true},
		{"Forwarded over the hop limit", []hdr{fwd(elems(maxForwardedHops+1, "proto=https"))}, false},
		{"Forwarded over the byte limit", []hdr{fwd(strings.Repeat(";", maxForwardedBytes) + "proto=https")}, false},
		{"Forwarded huge quoted string", []hdr{fwd(`proto=https;x="` + strings.Repeat("a", 1<<20) + `"`)}, false},
		{"Forwarded many lines", func() []hdr {
			var h []hdr
			for range 1000 {
				h = append(h, fwd("proto=https"))
			}
			return h
		}(), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newProxyRequest("10.0.0.2:1", false, "", tc.headers...)
			if got := pt.requestIsHTTPS(r); got != tc.want {
				t.Errorf("requestIsHTTPS = %v, want %v (%s)", got, tc.want, pt.check(r, true).reason)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Run("empty trusts nobody", func(t *testing.T) {
		for _, entries := range [][]string{nil, {}} {
			pt, err := parseTrustedProxies(entries)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"127.0.0.1", "::1", "10.0.0.1", "203.0.113.1"} {
				if pt.trusts(netip.MustParseAddr(a)) {
					t.Errorf("empty configuration trusts %s", a)
				}
			}
		}
	})
	bad := []struct {
		entry string
		why   string
	}{
		{"", "empty"},
		{"   ", "empty"},
		{"10.0.0.256", "not an IP address"},
		{"10.0.0.0/33", "CIDR"},
		{"10.0.0.0/", "CIDR"},
		{"2001:db8::/129", "CIDR"},
		{"everyone", "not an IP address"},
		{"true", "not an IP address"},
		{"*", "not an IP address"},
		{"loopback, 10.0.0.1", "more than one value"},
		{"10.0.0.1 10.0.0.2", "more than one value"},
		{"fe80::1%eth0", "zone"},
		{"10.0.0.1:80", "not an IP address"},
		{"[::1]", "not an IP address"},
		{"localhost", "not an IP address"},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.entry, func(t *testing.T) {
			pt, err := parseTrustedProxies([]string{"loopback", tc.entry})
			if err == nil {
				t.Fatalf("accepted %q: %+v", tc.entry, pt)
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("error %v does not match ErrInvalidOptions", err)
			}
			msg := err.Error()
			for _, want := range []string{"TrustedProxies[1]", `"` + tc.entry + `"`, tc.why, "loopback", "private", "linklocal", "CIDR"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
		})
	}
}

func TestSecureAttribute(t *testing.T) {
	lb := []string{"10.0.0.2"}
	tests := []struct {
		name    string
		mode    SecureMode
		must    bool
		trusted []string
		remote  string
		tls     bool
		host    string
		headers []hdr
		want    bool
		wantErr string // substring of the error; "" means no error
	}{
		{"never, plain", SecureNever, false, nil, "198.51.100.7:1", false, "example.com", nil, false, ""},
		{"never, TLS", SecureNever, false, nil, "198.51.100.7:1", true, "example.com", nil, false, ""},
		{"never with prefix still Secure over TLS", SecureNever, true, nil, "198.51.100.7:1", true, "example.com", nil, true, ""},
		{"never with prefix over plain HTTP", SecureNever, true, nil, "198.51.100.7:1", false, "example.com", nil, false, "because of its name or attributes"},

		{"auto, plain", SecureAuto, false, nil, "198.51.100.7:1", false, "example.com", nil, false, ""},
		{"auto, TLS", SecureAuto, false, nil, "198.51.100.7:1", true, "example.com", nil, true, ""},
		{"auto, trusted proxy https", SecureAuto, false, lb, "10.0.0.2:1", false, "example.com", []hdr{xfp("https")}, true, ""},
		{"auto, spoofed https", SecureAuto, false, lb, "198.51.100.7:1", false, "example.com", []hdr{xfp("https")}, false, ""},
		{"auto, plain localhost gets no Secure", SecureAuto, false, nil, "127.0.0.1:1", false, "localhost:8080", nil, false, ""},
		{"auto with prefix, TLS", SecureAuto, true, nil, "198.51.100.7:1", true, "example.com", nil, true, ""},
		{"auto with prefix, plain", SecureAuto, true, nil, "198.51.100.7:1", false, "example.com", nil, false, "because of its name or attributes"},
		{"auto with prefix, trusted proxy https", SecureAuto, true, lb, "10.0.0.2:1", false, "example.com", []hdr{fwd("for=198.51.100.7;proto=https")}, true, ""},
		{"auto with prefix, localhost", SecureAuto, true, nil, "127.0.0.1:1", false, "localhost:8080", nil, true, ""},

		{"always, TLS", SecureAlways, false, nil, "198.51.100.7:1", true, "example.com", nil, true, ""},
		{"always, trusted proxy https", SecureAlways, false, lb, "10.0.0.2:1", false, "example.com", []hdr{xfp("https")}, true, ""},
		{"always, plain", SecureAlways, false, nil, "198.51.100.7:1", false, "example.com", nil, false, "SecureAlways"},
		{"always, plain, says what to do", SecureAlways, false, nil, "198.51.100.7:1", false, "example.com", nil, false, "Options.TrustedProxies"},
		{"always, spoofed https from untrusted peer", SecureAlways, false, lb, "198.51.100.7:1", false, "example.com", []hdr{xfp("https")}, false, "198.51.100.7 came over plain HTTP (its forwarding headers are not believed: the peer is not in Options.TrustedProxies)"},
		{"always, headers but no TrustedProxies", SecureAlways, false, nil, "10.0.0.2:1", false, "example.com", []hdr{xfp("https")}, false, "TrustedProxies is empty"},
		{"always, trusted proxy says http", SecureAlways, false, lb, "10.0.0.2:1", false, "example.com", []hdr{xfp("http")}, false, "trusted proxy 10.0.0.2: X-Forwarded-Proto says"},
		{"always, trusted proxy sends nothing", SecureAlways, false, lb, "10.0.0.2:1", false, "example.com", nil, false, "sent neither Forwarded nor X-Forwarded-Proto"},
		{"always, conflict", SecureAlways, false, lb, "10.0.0.2:1", false, "example.com", []hdr{xfp("https"), fwd("proto=http")}, false, "disagree"},
		{"always, malformed", SecureAlways, false, lb, "10.0.0.2:1", false, "example.com", []hdr{fwd("proto=\"https")}, false, "malformed"},
		{"always, TLS to app but proxy says http", SecureAlways, false, lb, "10.0.0.2:1", true, "example.com", []hdr{xfp("http")}, false, "X-Forwarded-Proto says"},
		{"always, Unix socket peer", SecureAlways, false, []string{"loopback"}, "@", false, "example.com", []hdr{xfp("https")}, false, `"@"`},

		// Loopback origins: browsers accept Secure cookies over plain HTTP.
		{"always, localhost", SecureAlways, false, nil, "127.0.0.1:1", false, "localhost", nil, true, ""},
		{"always, localhost with port", SecureAlways, false, nil, "127.0.0.1:1", false, "localhost:8080", nil, true, ""},
		{"always, LOCALHOST.", SecureAlways, false, nil, "127.0.0.1:1", false, "LOCALHOST.:8080", nil, true, ""},
		{"always, app.localhost", SecureAlways, false, nil, "127.0.0.1:1", false, "app.localhost:3000", nil, true, ""},
		{"always, 127.0.0.1", SecureAlways, false, nil, "127.0.0.1:1", false, "127.0.0.1:8080", nil, true, ""},
		{"always, 127.1.2.3", SecureAlways, false, nil, "127.0.0.1:1", false, "127.1.2.3", nil, true, ""},
		{"always, [::1]", SecureAlways, false, nil, "[::1]:1", false, "[::1]:8080", nil, true, ""},
		{"always, [::1] without port", SecureAlways, false, nil, "[::1]:1", false, "[::1]", nil, true, ""},
		{"always, localhost from a container bridge", SecureAlways, false, nil, "172.17.0.1:1", false, "localhost:8080", nil, true, ""},
		{"always, localhost.example.com is not loopback", SecureAlways, false, nil, "127.0.0.1:1", false, "localhost.example.com", nil, false, "SecureAlways"},
		{"always, notlocalhost is not loopback", SecureAlways, false, nil, "127.0.0.1:1", false, "notlocalhost", nil, false, "SecureAlways"},
		{"always, 127.0.0.1.nip.io is not loopback", SecureAlways, false, nil, "127.0.0.1:1", false, "127.0.0.1.nip.io", nil, false, "SecureAlways"},
		{"always, 10.0.0.1 is not loopback", SecureAlways, false, nil, "127.0.0.1:1", false, "10.0.0.1:8080", nil, false, "SecureAlways"},
		{"always, unterminated bracket", SecureAlways, false, nil, "127.0.0.1:1", false, "[::1", nil, false, "SecureAlways"},

		{"terminated, plain HTTP from anywhere", SecureTerminated, false, nil, "198.51.100.7:1", false, "example.com", nil, true, ""},
		{"terminated, forged http proto ignored", SecureTerminated, true, []string{"loopback"}, "127.0.0.1:1", false, "example.com", []hdr{xfp("http")}, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pt := mustTrust(t, tc.trusted...)
			r := newProxyRequest(tc.remote, tc.tls, tc.host, tc.headers...)
			why := ""
			if tc.must {
				why = "its name or attributes"
			}
			req := requestOf(r, pt)
			got, err := secureAttribute(&req, tc.mode, pt, why)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
			} else {
				if err == nil {
					t.Fatalf("no error, Secure=%v; want error containing %q", got, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not contain %q", err, tc.wantErr)
				}
				if !errors.Is(err, ErrInsecureRequest) {
					t.Errorf("error %v does not match ErrInsecureRequest", err)
				}
			}
			if got != tc.want {
				t.Errorf("Secure = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSecureAttributeErrorQuotesNoHeaderValue(t *testing.T) {
	pt := mustTrust(t, "10.0.0.2")
	evil := "http\r\nSet-Cookie: x=y"
	for _, h := range []hdr{xfp(evil), fwd("proto=" + evil), xfp("nothttps-" + strings.Repeat("A", 100))} {
		r := newProxyRequest("10.0.0.2:1", false, "example.com", h)
		req := requestOf(r, pt)
		_, err := secureAttribute(&req, SecureAlways, pt, "")
		if err == nil {
			t.Fatalf("%q: no error", h.value)
		}
		if strings.Contains(err.Error(), "Set-Cookie") || strings.Contains(err.Error(), "AAAA") {
			t.Errorf("error repeats a header value: %q", err)
		}
	}
}

func TestSecureModeString(t *testing.T) {
	for m, want := range map[SecureMode]string{
		SecureAuto:       "SecureAuto",
		SecureAlways:     "SecureAlways",
		SecureNever:      "SecureNever",
		SecureTerminated: "SecureTerminated",
		SecureMode(4):    "SecureMode(4)",
		SecureMode(255):  "SecureMode(255)",
	} {
		if got := m.String(); got != want {
			t.Errorf("SecureMode(%d).String() = %q, want %q", uint8(m), got, want)
		}
	}
	var zero SecureMode
	if zero != SecureAuto {
		t.Error("the zero SecureMode is not SecureAuto")
	}
}

func TestProxyTrustConcurrent(t *testing.T) {
	pt := mustTrust(t, "private", "loopback")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				remote := "10.0.0.2:1"
				if (i+j)%2 == 1 {
					remote = "198.51.100.7:1"
				}
				r := newProxyRequest(remote, false, "example.com", fwd("for=198.51.100.7;proto=https"))
				if got, want := pt.requestIsHTTPS(r), remote == "10.0.0.2:1"; got != want {
					t.Errorf("%s: requestIsHTTPS = %v, want %v", remote, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// FuzzForwardedHeaders feeds arbitrary Forwarded and X-Forwarded-Proto
// values through requestIsHTTPS. Its seed corpus is in
// testdata/fuzz/FuzzForwardedHeaders.
func FuzzForwardedHeaders(f *testing.F) {
	pt := mustTrust(f, "10.0.0.0/8", "2001:db8::/32")
	f.Fuzz(func(t *testing.T, forwarded, proto string) {
		var headers []hdr
		if forwarded != "" {
			headers = append(headers, fwd(forwarded))
		}
		if proto != "" {
			headers = append(headers, xfp(proto))
		}
		trusted := newProxyRequest("10.0.0.2:1", false, "example.com", headers...)
		got := pt.requestIsHTTPS(trusted)
		if again := pt.requestIsHTTPS(trusted); again != got {
			t.Fatalf("not deterministic: %v then %v", got, again)
		}

		// A peer outside the trusted prefixes is never believed.
		if pt.requestIsHTTPS(newProxyRequest("198.51.100.7:1", false, "example.com", headers...)) {
			t.Fatal("untrusted peer believed")
		}
		if !got {
			return
		}

		// https can only come from a value spelling https (perhaps with
		// quoted-pair escapes).
		unescaped := strings.ToLower(strings.ReplaceAll(forwarded+","+proto, `\`, ""))
		if !strings.Contains(unescaped, "https") {
			t.Fatalf("https from headers that do not say it: %q, %q", forwarded, proto)
		}

		// A nearest proxy that adds "client used http" always wins.
		added := append(headers[:len(headers):len(headers)], fwd("for=198.51.100.7;proto=http"))
		if pt.requestIsHTTPS(newProxyRequest("10.0.0.2:1", false, "example.com", added...)) {
			t.Fatalf("appended Forwarded http element ignored: %q, %q", forwarded, proto)
		}
		added = append(headers[:len(headers):len(headers)], xfp("http"))
		if pt.requestIsHTTPS(newProxyRequest("10.0.0.2:1", false, "example.com", added...)) {
			t.Fatalf("appended X-Forwarded-Proto http ignored: %q, %q", forwarded, proto)
		}
	})
}

// TestProxyWorkedExample replays the nginx example of docs/PROXIES.md
// through a Store.
func TestProxyWorkedExample(t *testing.T) {
	type login struct {
		User string `json:"user"`
	}
	var got error
	newApp := func(trusted []string) http.Handler {
		store, err := New[login](Options{
			Keys:           [][]byte{testKey(9)},
			Name:           "__Host-session",
			TrustedProxies: trusted,
			ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				http.Error(w, "session not saved", http.StatusInternalServerError)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			store.Get(r).Data.User = "alice"
			w.WriteHeader(http.StatusNoContent)
		}))
	}
	request := func(remote string, headers ...hdr) *http.Request {
		r := newProxyRequest(remote, false, "app.example.com", headers...)
		r.Method = http.MethodPost
		return r
	}

	tests := []struct {
		name    string
		trusted []string
		r       *http.Request
		wantErr string
	}{
		{"through nginx", []string{"10.0.0.5"}, request("10.0.0.5:41822", hdr{"X-Forwarded-For", "198.51.100.7"}, xfp("https")), ""},
		{"TrustedProxies forgotten", nil, request("10.0.0.5:41822", hdr{"X-Forwarded-For", "198.51.100.7"}, xfp("https")),
			"the request from 10.0.0.5 came over plain HTTP (its forwarding headers are not believed: Options.TrustedProxies is empty)"},
		{"nginx port 80", []string{"10.0.0.5"}, request("10.0.0.5:41822", xfp("http")),
			"trusted proxy 10.0.0.5: X-Forwarded-Proto says the client did not use https"},
		{"forged from inside the VPC", []string{"10.0.0.5"}, request("10.0.1.99:5555", xfp("https")),
			"the request from 10.0.1.99 came over plain HTTP (its forwarding headers are not believed: the peer is not in Options.TrustedProxies)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got = nil
			w := httptest.NewRecorder()
			newApp(tc.trusted).ServeHTTP(w, tc.r)
			setCookie := w.Header().Values("Set-Cookie")
			if tc.wantErr == "" {
				if got != nil || w.Code != http.StatusNoContent {
					t.Fatalf("status %d, error %v", w.Code, got)
				}
				if len(setCookie) != 1 || !strings.HasPrefix(setCookie[0], "__Host-session=") ||
					!strings.Contains(setCookie[0], "; Path=/;") || !strings.Contains(setCookie[0], "; Secure") {
					t.Fatalf("Set-Cookie = %q, want one Secure __Host-session cookie with Path=/", setCookie)
				}
				return
			}
			if !errors.Is(got, ErrInsecureRequest) || !strings.Contains(got.Error(), tc.wantErr) {
				t.Fatalf("error %v, want ErrInsecureRequest containing %q", got, tc.wantErr)
			}
			if w.Code != http.StatusInternalServerError || len(setCookie) != 0 {
				t.Fatalf("status %d, Set-Cookie %q: want 500 and no cookie", w.Code, setCookie)
			}
		})
	}
}
