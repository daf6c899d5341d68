package cookie

import (
	"net/http"
	"testing"
)

// TestIsTokenChar: exactly the tchar of RFC 9110 §5.6.2, which is what
// net/http accepts in a cookie name.
func TestIsTokenChar(t *testing.T) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		want := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		for _, s := range []byte("!#$%&'*+-.^_`|~") {
			want = want || b == s
		}
		if got := IsTokenChar(b); got != want {
			t.Errorf("IsTokenChar(%#02x) = %v, want %v", c, got, want)
		}
		netHTTP := (&http.Cookie{Name: string([]byte{b}), Value: "v"}).Valid() == nil
		if IsToken(string([]byte{b})) != netHTTP {
			t.Errorf("IsToken(%q) = %v, net/http takes it as a cookie name: %v", b, !netHTTP, netHTTP)
		}
	}
}

func TestIsToken(t *testing.T) {
	for s, want := range map[string]bool{
		"session": true, "__Host-s": true, "a.b~c": true, "x!#$%&'*+-.^_`|~9": true,
		"": false, "a b": false, "a=b": false, "a;b": false, "express:sess": false, `"a"`: false, "é": false,
	} {
		if got := IsToken(s); got != want {
			t.Errorf("IsToken(%q) = %v, want %v", s, got, want)
		}
	}
}
