package cookiesession

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/proxy"
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

func mustTrust(t testing.TB, entries ...string) *proxy.Trust {
	t.Helper()
	pt, err := parseTrustedProxies(entries)
	if err != nil {
		t.Fatalf("parseTrustedProxies(%q): %v", entries, err)
	}
	return pt
}

func xfp(v string) hdr { return hdr{"X-Forwarded-Proto", v} }
func fwd(v string) hdr { return hdr{"Forwarded", v} }

// TestParseTrustedProxies: New refuses a bad TrustedProxies entry with
// ErrInvalidOptions and package proxy's message, unchanged (the entries
// themselves: internal/proxy's TestParse).
func TestParseTrustedProxies(t *testing.T) {
	_, err := New[Map](Options{Keys: [][]byte{testKey(1)}, TrustedProxies: []string{"loopback", "everyone"}})
	if !errors.Is(err, ErrInvalidOptions) {
		t.Fatalf("error %v does not match ErrInvalidOptions", err)
	}
	want := `cookiesession: invalid options: TrustedProxies[1] "everyone": not an IP address, a CIDR prefix or a known name; accepted are IP addresses (10.0.0.1, ::1), CIDR prefixes (10.0.0.0/8, fd00::/8) and the names loopback, private (or uniquelocal) and linklocal, one per entry`
	if err.Error() != want {
		t.Errorf("error %q\nwant  %q", err, want)
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

// TestRequestAllocations: Store.Request allocates nothing, trusted
// proxies or not.
func TestRequestAllocations(t *testing.T) {
	for _, trusted := range [][]string{nil, {"private"}} {
		s, err := New[Map](Options{Keys: [][]byte{testKey(1)}, TrustedProxies: trusted})
		if err != nil {
			t.Fatal(err)
		}
		r := newProxyRequest("10.0.0.2:1", false, "example.com", fwd("for=198.51.100.7;proto=https"), xfp("https"))
		if n := testing.AllocsPerRun(100, func() { s.Request(r) }); n != 0 {
			t.Errorf("TrustedProxies %q: Store.Request makes %v allocations", trusted, n)
		}
	}
}

// TestSecureErrorNamesTheReason checks that a save refused over plain HTTP
// names the one reason the cookie must be Secure.
func TestSecureErrorNamesTheReason(t *testing.T) {
	for name, c := range map[string]struct {
		o    Options
		want string
	}{
		"host prefix":   {Options{Name: "__Host-s"}, "because of its __Host- prefix"},
		"secure prefix": {Options{Name: "__secure-s"}, "because of its __Secure- prefix"},
		"samesite none": {Options{SameSite: http.SameSiteNoneMode}, "because of SameSite=None"},
		"partitioned":   {Options{Partitioned: true}, "because of Partitioned"},
		"always":        {Options{Secure: SecureAlways}, "Options.Secure is SecureAlways"},
	} {
		c.o.Keys = [][]byte{testKey(1)}
		s, err := New[Map](c.o)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", "http://example.com/", nil)
		sess := s.Get(r)
		sess.Data["x"] = 1
		err = sess.Save(httptest.NewRecorder())
		if !errors.Is(err, ErrInsecureRequest) || !strings.Contains(err.Error(), c.want) || strings.Count(err.Error(), " but ") > 1 {
			t.Errorf("%s: %v, want one reason %q", name, err, c.want)
		}
	}
	if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: "a~b"}); err == nil || strings.Contains(err.Error(), "|~") {
		t.Errorf("name with ~: %v", err)
	}
}
