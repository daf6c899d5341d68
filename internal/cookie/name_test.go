package cookie

import "testing"

func TestValidName(t *testing.T) {
	for s, want := range map[string]bool{
		"session": true, "__Host-session": true, "s~2": true,
		"": false, "express:sess": false, "a b": false, "a\x00": false,
	} {
		if got := ValidName(s); got != want {
			t.Errorf("ValidName(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestValidLegacyName(t *testing.T) {
	for s, want := range map[string]bool{
		"session": true, "express:sess": true, "session.sig": true, "a(b)": true, "a/b@c": true,
		"": false, "a b": false, "a;b": false, "a=b": false, "a,b": false, `a"b`: false, `a\b`: false,
		"a\tb": false, "a\x7fb": false, "é": false,
	} {
		if got := ValidLegacyName(s); got != want {
			t.Errorf("ValidLegacyName(%q) = %v, want %v", s, got, want)
		}
	}
	// Every strict name is a legacy name.
	for c := 0; c < 256; c++ {
		s := string([]byte{byte(c)})
		if ValidName(s) && !ValidLegacyName(s) {
			t.Errorf("%q is a token but not a legacy name", s)
		}
	}
}

func TestHasPrefix(t *testing.T) {
	for _, c := range []struct {
		name, prefix string
		want         bool
	}{
		{"__Host-s", HostPrefix, true}, {"__host-s", HostPrefix, true}, {"__HOST-", HostPrefix, true},
		{"__Host", HostPrefix, false}, {"_Host-s", HostPrefix, false}, {"x__Host-s", HostPrefix, false},
		{"__Secure-s", SecurePrefix, true}, {"__SECURE-s", SecurePrefix, true}, {"__Host-s", SecurePrefix, false},
	} {
		if got := HasPrefix(c.name, c.prefix); got != c.want {
			t.Errorf("HasPrefix(%q, %q) = %v, want %v", c.name, c.prefix, got, c.want)
		}
	}
}

func TestHostPrefixAllows(t *testing.T) {
	for _, c := range []struct {
		name, path, domain string
		want               bool
	}{
		{"__Host-s", "/", "", true}, {"__Host-s", "", "", true}, {"__host-s", "/", "", true},
		{"__Host-s", "/app", "", false}, {"__HOST-s", "/", "example.com", false}, {"__Host-s", "", "example.com", false},
		{"s", "/app", "example.com", true}, {"__Secure-s", "/app", "example.com", true},
	} {
		if got := HostPrefixAllows(c.name, c.path, c.domain); got != c.want {
			t.Errorf("HostPrefixAllows(%q, %q, %q) = %v, want %v", c.name, c.path, c.domain, got, c.want)
		}
	}
}
