package cookiesession

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/jsonx"
)

// TestNewRejectsBadOptions checks every refusal New can give: each error
// matches ErrInvalidOptions and names the option field to change.
func TestNewRejectsBadOptions(t *testing.T) {
	k := [][]byte{testKey(1)}
	legacyOf := func(ls ...*fakeLegacy) []Legacy {
		out := make([]Legacy, len(ls))
		for i, l := range ls {
			out[i] = l
		}
		return out
	}
	cases := []struct {
		name  string
		o     Options
		field string // the message must contain it
	}{
		{"no keys", Options{}, "Keys: "},
		{"short key", Options{Keys: [][]byte{make([]byte, 31)}}, "Keys: "},
		{"empty key", Options{Keys: [][]byte{testKey(1), {}}}, "Keys: "},
		{"duplicate keys", Options{Keys: [][]byte{testKey(1), testKey(1)}}, "Keys: "},
		{"text key", Options{Keys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}}, "Keys: "},
		{"repeated-byte key", Options{Keys: [][]byte{make([]byte, 32)}}, "Keys: "},
		{"cipher", Options{Keys: k, Cipher: 9}, "Cipher 9"},
		{"cookie budget", Options{Keys: k, MaxCookieBytes: 5000}, "MaxCookieBytes"},
		{"small cookie budget", Options{Keys: k, MaxCookieBytes: 100}, "MaxCookieBytes"},
		{"chunks", Options{Keys: k, MaxChunks: 300}, "MaxChunks"},
		{"negative chunks", Options{Keys: k, MaxChunks: -1}, "MaxChunks"},
		{"total below cookie", Options{Keys: k, MaxTotalBytes: 1000}, "MaxTotalBytes"},
		{"bad name", Options{Keys: k, Name: "a b"}, "Name"},
		{"name with chunk sep", Options{Keys: k, Name: "a~b"}, "Name"},
		{"long name", Options{Keys: k, Name: strings.Repeat("n", 2100)}, "Name"},
		{"long path", Options{Keys: k, Path: "/" + strings.Repeat("a", 1024)}, "Path"},
		{"long domain", Options{Keys: k, Domain: strings.Repeat("a", 1025)}, "Domain"},
		{"path ctl", Options{Keys: k, Path: "/a;b"}, "Path"},
		{"bad domain", Options{Keys: k, Domain: "exa mple.com"}, "Domain"},
		{"samesite", Options{Keys: k, SameSite: 9}, "SameSite"},
		{"secure", Options{Keys: k, Secure: 9}, "Secure"},
		{"trusted proxies", Options{Keys: k, TrustedProxies: []string{"proxy.internal"}}, "TrustedProxies"},
		{"host prefix domain", Options{Keys: k, Name: "__Host-s", Domain: "example.com"}, "Domain"},
		{"host prefix path", Options{Keys: k, Name: "__Host-s", Path: "/app"}, "Path"},
		{"host prefix insecure", Options{Keys: k, Name: "__Host-s", Secure: SecureNever}, "Secure"},
		{"secure prefix never", Options{Keys: k, Name: "__Secure-s", Secure: SecureNever}, "Secure"},
		{"samesite none never", Options{Keys: k, SameSite: http.SameSiteNoneMode, Secure: SecureNever}, "Secure"},
		{"partitioned never", Options{Keys: k, Partitioned: true, Secure: SecureNever}, "Secure"},
		{"max age too long", Options{Keys: k, MaxAge: 401 * 24 * time.Hour}, "MaxAge"},
		{"negative max age", Options{Keys: k, MaxAge: -time.Second}, "MaxAge"},
		{"negative idle", Options{Keys: k, IdleTimeout: -time.Second}, "IdleTimeout"},
		{"sub-second idle", Options{Keys: k, IdleTimeout: time.Millisecond}, "IdleTimeout"},
		{"ceiling below max age", Options{Keys: k, MaxAge: 2 * time.Hour, MaxAgeCeiling: time.Hour}, "MaxAgeCeiling"},
		{"ceiling too long", Options{Keys: k, MaxAgeCeiling: 401 * 24 * time.Hour}, "MaxAgeCeiling"},
		{"nil legacy", Options{Keys: k, Legacy: []Legacy{nil}}, "Options.Legacy[0]"},
		{"legacy compile", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{err: errors.New("refused")})}, "Options.Legacy[0]"},
		{"legacy no cookie", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{})}, "Options.Legacy[0]"},
		{"legacy path", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"old"}, path: "app"})}, "Options.Legacy[0]"},
		{"legacy domain", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"old"}, domain: "a b"})}, "Options.Legacy[0]"},
		{"legacy cookie name", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"o;ld"}})}, "Options.Legacy[0]"},
		{"legacy host prefix", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"__Host-old"}, path: "/app"})}, "Options.Legacy[0]"},
		{"legacy prefix insecure", Options{Keys: k, Secure: SecureNever, Legacy: legacyOf(&fakeLegacy{names: []string{"__Secure-old"}})}, "Options.Secure"},
		{"legacy store name", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"session"}})}, "Options.Name"},
		{"legacy shared cookie", Options{Keys: k, Legacy: legacyOf(&fakeLegacy{names: []string{"old"}}, &fakeLegacy{names: []string{"old"}})}, "Options.Legacy"},
	}
	for _, c := range cases {
		_, err := New[cart](c.o)
		if !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: err = %v, want ErrInvalidOptions naming %s", c.name, err, c.field)
		}
	}
	if _, err := New[func()](Options{Keys: k}); !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), "Options.JSON") {
		t.Errorf("unencodable type: err = %v, want ErrInvalidOptions naming Options.JSON", err)
	}
	_, err := New[cart](Options{Keys: [][]byte{[]byte("short")}})
	if err == nil || !strings.Contains(err.Error(), "32") || strings.Contains(err.Error(), "short") {
		t.Errorf("short key message %q must say the size and not echo the key", err)
	}
}

// fakeLegacy is a Legacy whose Compile returns err, or itself: a format
// with the cookies names under path and domain that reads and writes
// nothing.
type fakeLegacy struct {
	names        []string
	path, domain string
	err          error
}

func (f *fakeLegacy) Compile() (LegacyFormat, error)                   { return f, f.err }
func (f *fakeLegacy) Format() string                                   { return "fake" }
func (f *fakeLegacy) Cookies() ([]string, string, string)              { return f.names, f.path, f.domain }
func (f *fakeLegacy) Transition() bool                                 { return false }
func (f *fakeLegacy) Load([]string, time.Time) (LegacyLoad, error)     { return LegacyLoad{}, nil }
func (f *fakeLegacy) Write([]byte, any, CookieAttrs) ([]string, error) { return nil, nil }
func (f *fakeLegacy) Expire(CookieAttrs, []string) []string            { return nil }

// TestPrefixCaseInsensitive checks that the __Host- and __Secure- rules
// apply to the prefixes in any case, as browsers match them (RFC 6265bis,
// storage model, since draft 13): a name they would treat as prefixed but
// whose options break the prefix's rules is refused, not dropped later by
// the browser.
func TestPrefixCaseInsensitive(t *testing.T) {
	k := [][]byte{testKey(1)}
	for _, tc := range []struct {
		name string
		o    Options
		ok   bool
	}{
		{"__Host- with Domain", Options{Name: "__Host-session", Domain: "example.com"}, false},
		{"__host- with Domain", Options{Name: "__host-session", Domain: "example.com"}, false},
		{"__HOST- with Path", Options{Name: "__HOST-s", Path: "/app"}, false},
		{"__hOsT- with Path", Options{Name: "__hOsT-s", Path: "/app"}, false},
		{"__host- with SecureNever", Options{Name: "__host-s", Secure: SecureNever}, false},
		{"__secure- with SecureNever", Options{Name: "__secure-s", Secure: SecureNever}, false},
		{"__SECURE- with SecureNever", Options{Name: "__SECURE-s", Secure: SecureNever}, false},
		{"__Secure- with SecureNever", Options{Name: "__Secure-s", Secure: SecureNever}, false},
		{"__host- defaults", Options{Name: "__host-s"}, true},
		{"__SECURE- with Domain and Path", Options{Name: "__SECURE-s", Domain: "example.com", Path: "/app"}, true},
		{"no dash is no prefix", Options{Name: "__hosts", Domain: "example.com", Secure: SecureNever}, true},
		{"prefix later in the name", Options{Name: "x__Host-s", Domain: "example.com", Secure: SecureNever}, true},
		{"legacy __host- with Domain", Options{Name: "x", Legacy: []Legacy{&testLegacy{Name: "__host-s", Keys: []string{"a"}, Domain: "example.com"}}}, false},
		{"legacy __HOST- with Path", Options{Name: "x", Legacy: []Legacy{&testLegacy{Name: "__HOST-g", Keys: []string{"a"}, Path: "/app"}}}, false},
		{"legacy __host- plain", Options{Name: "x", Legacy: []Legacy{&testLegacy{Name: "__host-s", Keys: []string{"a"}}}}, true},
		{"legacy __Secure- with SecureNever", Options{Name: "x", Secure: SecureNever, Legacy: []Legacy{&testLegacy{Name: "__Secure-s", Keys: []string{"a"}}}}, false},
		{"legacy __host- with SecureNever", Options{Name: "x", Secure: SecureNever, Legacy: []Legacy{&testLegacy{Name: "__host-g", Keys: []string{"a"}}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Keys = k
			s, err := New[Map](tc.o)
			if tc.ok {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New = %v, %v; want ErrInvalidOptions", s != nil, err)
			}
		})
	}
}

// TestPrefixCaseInsensitiveMustBeSecure checks that a lower-case __host-
// or __secure- name is treated as needing Secure over plain HTTP too.
func TestPrefixCaseInsensitiveMustBeSecure(t *testing.T) {
	for _, name := range []string{"__host-s", "__SECURE-s", "__Host-s", "__Secure-s"} {
		s, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: name})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.c.secureWhy == "" {
			t.Errorf("%s: not treated as needing Secure", name)
		}
	}
}

// TestLongNameRefused checks that a name leaving no room for the value is
// refused by New (a save would otherwise have had no room to split into).
func TestLongNameRefused(t *testing.T) {
	name := strings.Repeat("n", 4000)
	for _, chunksN := range []int{1, 3} {
		if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: name, MaxChunks: chunksN, MaxTotalBytes: 20000}); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("MaxChunks %d: a 4,000-byte name accepted: %v", chunksN, err)
		}
	}
	if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: strings.Repeat("n", 200), MaxChunks: 3}); err != nil {
		t.Errorf("a 200-byte name refused: %v", err)
	}
}

// TestPluggableJSON checks that Options.JSON replaces encoding/json.
func TestPluggableJSON(t *testing.T) {
	var marshals, unmarshals int
	s := newStore[Map](t, Options{JSON: countingJSON{&marshals, &unmarshals}})
	j := jar{}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data["n"] = 1 }))
	j.do(t, h)
	j.do(t, h)
	if marshals == 0 || unmarshals == 0 {
		t.Fatalf("codec not used: %d marshals, %d unmarshals", marshals, unmarshals)
	}
}

// countingJSON is a plugged JSONCodec that counts its calls.
type countingJSON struct{ marshals, unmarshals *int }

func (c countingJSON) Marshal(v any) ([]byte, error) { *c.marshals++; return jsonMarshal(v) }

func (c countingJSON) Unmarshal(b []byte, v any) error { *c.unmarshals++; return jsonUnmarshal(b, v) }

// jsonMarshal and jsonUnmarshal stand for a plugged codec in tests.
func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func jsonUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// TestMarshalJSONNoHTMLEscapes: jsonx.Marshal writes what a json.Encoder
// with SetEscapeHTML(false) writes, without its newline, for every rune up
// to U+3000 and for backslashes that only look like escapes.
func TestMarshalJSONNoHTMLEscapes(t *testing.T) {
	want := func(v any) string {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(b.String(), "\n")
	}
	var all strings.Builder
	for r := rune(0); r < 0x3000; r++ {
		all.WriteRune(r)
	}
	for _, v := range []any{
		Map{"<k&>": "a<b>&c", "n": 1},
		`\u003c \\u0026 \\\u003e` + "\u2028 \x01 <&>",
		[]string{"</script>", "&amp;"},
		all.String(),
	} {
		got, err := jsonx.Marshal(v)
		if err != nil || string(got) != want(v) {
			t.Fatalf("jsonx.Marshal(%.40q) = %.80q, %v; want %.80q", v, got, err, want(v))
		}
	}
	// Unlike the Encoder, it also undoes those escapes in JSON it is given.
	got, err := jsonx.Marshal(json.RawMessage(`{"a": "\u003c\u003E\u0026 \\u0026"}`))
	if want := `{"a":"<>& \\u0026"}`; err != nil || string(got) != want {
		t.Fatalf("RawMessage: %s, %v; want %s", got, err, want)
	}
}
