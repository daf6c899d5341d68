package proxy

import (
	"net/http"
	"sync"
	"testing"
)

// hdr is one header line; a request may carry the same name several times.
type hdr struct{ name, value string }

// newConn returns a request's Conn as an adapter over net/http makes it.
// host is unused: LoopbackHost takes it apart from the Conn.
func newConn(remote string, withTLS bool, host string, headers ...hdr) Conn {
	_ = host
	h := http.Header{}
	for _, x := range headers {
		h.Add(x.name, x.value)
	}
	return Conn{RemoteAddr: remote, TLS: withTLS, Header: h}
}

func mustTrust(t testing.TB, entries ...string) *Trust {
	t.Helper()
	pt, err := Parse(entries)
	if err != nil {
		t.Fatalf("Parse(%q): %v", entries, err)
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
			r := newConn(tc.remote, tc.tls, "", tc.headers...)
			if got := pt.HTTPS(r); got != tc.want {
				t.Errorf("HTTPS = %v, want %v (%s)", got, tc.want, pt.Explain(r))
			}
		})
	}
}

func TestRequestIsHTTPSNilTrust(t *testing.T) {
	var pt *Trust
	if pt.HTTPS(newConn("127.0.0.1:1", false, "", xfp("https"))) {
		t.Error("nil Trust believed X-Forwarded-Proto")
	}
	if !pt.HTTPS(newConn("127.0.0.1:1", true, "")) {
		t.Error("nil Trust: TLS request not https")
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
				r := newConn(remote, false, "example.com", fwd("for=198.51.100.7;proto=https"))
				if got, want := pt.HTTPS(r), remote == "10.0.0.2:1"; got != want {
					t.Errorf("%s: HTTPS = %v, want %v", remote, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestConnWithoutNetHTTP: an adapter that has no *http.Request decides
// from the peer, TLS and its own header lookup, with the same answers and
// explanations.
func TestConnWithoutNetHTTP(t *testing.T) {
	pt := mustTrust(t, "10.0.0.2")
	lookup := func(h map[string][]string) HeaderFunc {
		return func(name string) []string { return h[name] }
	}
	for _, c := range []struct {
		conn Conn
		want string // Explain; "" means HTTPS
	}{
		{Conn{RemoteAddr: "10.0.0.2:1", Header: lookup(map[string][]string{"X-Forwarded-Proto": {"https"}})}, ""},
		{Conn{RemoteAddr: "10.0.0.2:1", Header: lookup(map[string][]string{"Forwarded": {"for=198.51.100.7;proto=https"}})}, ""},
		{Conn{RemoteAddr: "198.51.100.7:1", TLS: true}, ""},
		{Conn{RemoteAddr: "10.0.0.2:1", Header: lookup(map[string][]string{"X-Forwarded-Proto": {"http"}})},
			"trusted proxy 10.0.0.2: X-Forwarded-Proto says the client did not use https"},
		{Conn{RemoteAddr: "10.0.0.2:1"}, "trusted proxy 10.0.0.2 sent neither Forwarded nor X-Forwarded-Proto"},
		{Conn{RemoteAddr: "198.51.100.7:1", Header: lookup(map[string][]string{"X-Forwarded-Proto": {"https"}})},
			"the request from 198.51.100.7 came over plain HTTP (its forwarding headers are not believed: the peer is not in Options.TrustedProxies)"},
		{Conn{RemoteAddr: "/run/app.sock"}, `the request from "/run/app.sock" arrived over plain HTTP`},
		{Conn{}, "the request from an unknown peer arrived over plain HTTP"},
	} {
		if got := pt.Explain(c.conn); got != c.want {
			t.Errorf("Explain(%+v) = %q, want %q", c.conn, got, c.want)
		}
		if got := pt.HTTPS(c.conn); got != (c.want == "") {
			t.Errorf("HTTPS(%+v) = %v, want %v", c.conn, got, c.want == "")
		}
	}
	var nobody *Trust
	if got := nobody.Explain(Conn{RemoteAddr: "10.0.0.2:1", Header: lookup(map[string][]string{"X-Forwarded-Proto": {"https"}})}); got !=
		"the request from 10.0.0.2 came over plain HTTP (its forwarding headers are not believed: Options.TrustedProxies is empty)" {
		t.Errorf("nil Trust: Explain = %q", got)
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "LOCALHOST.:8080": true, "app.localhost:3000": true,
		"127.0.0.1:8080": true, "127.1.2.3": true, "[::1]:8080": true, "[::1]": true, "::1": true, "[::ffff:127.0.0.1]": true,
		"": false, "localhost.example.com": false, "notlocalhost": false, "127.0.0.1.nip.io": false,
		"10.0.0.1:8080": false, "[::1": false, "[2001:db8::1]:1": false,
	} {
		if got := LoopbackHost(host); got != want {
			t.Errorf("LoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
