package cookie

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSuffix(t *testing.T) {
	for _, c := range []struct {
		a    Attributes
		want string
	}{
		{Attributes{Path: "/", HTTPOnly: true, SameSite: "Lax"}, "; Path=/; HttpOnly; SameSite=Lax"},
		{Attributes{Path: "/app", Domain: "example.com", SameSite: "Strict"}, "; Path=/app; Domain=example.com; SameSite=Strict"},
		{Attributes{Path: "/", HTTPOnly: true, Secure: true, SameSite: "None", Partitioned: true},
			"; Path=/; HttpOnly; Secure; SameSite=None; Partitioned"},
	} {
		if got := c.a.Suffix(); got != c.want {
			t.Errorf("%+v.Suffix() = %q, want %q", c.a, got, c.want)
		}
	}
}

// TestLineParsesBack: net/http reads the lines Line formats back into the
// same cookie and attributes.
func TestLineParsesBack(t *testing.T) {
	expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	suffix := Attributes{Path: "/app", Domain: "example.com", HTTPOnly: true, Secure: true, SameSite: "Strict"}.Suffix()
	l := Line{Suffix: suffix, MaxAge: 3600, Expires: expires}
	line := l.Format("__Secure-s", "v1")
	if want := "__Secure-s=v1; Max-Age=3600; Expires=Wed, 02 Jan 2030 02:04:05 GMT" + suffix; line != want {
		t.Fatalf("Format = %q\nwant     %q", line, want)
	}
	c, err := http.ParseSetCookie(line)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "__Secure-s" || c.Value != "v1" || c.MaxAge != 3600 || !c.Expires.Equal(expires) ||
		c.Path != "/app" || c.Domain != "example.com" || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode {
		t.Errorf("net/http read %q as %+v", line, c)
	}

	var b strings.Builder
	l.Begin(&b, "s", 3)
	b.WriteString("abc")
	l.End(&b)
	if got := b.String(); got != l.Format("s", "abc") {
		t.Errorf("Begin/End = %q, Format = %q", got, l.Format("s", "abc"))
	}
	if got := (Line{Suffix: "; Path=/"}).Format("s", "v"); got != "s=v; Path=/" {
		t.Errorf("browser-session line = %q", got)
	}
}

func TestExpire(t *testing.T) {
	line := Line{Suffix: "; Path=/; HttpOnly; SameSite=Lax", MaxAge: 5}.Expire("s")
	if want := "s=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; HttpOnly; SameSite=Lax"; line != want {
		t.Fatalf("Expire = %q, want %q", line, want)
	}
	c, err := http.ParseSetCookie(line)
	if err != nil || c.MaxAge >= 0 || c.Value != "" {
		t.Errorf("net/http read %q as %+v, %v: want a deletion", line, c, err)
	}
}

func TestWithScope(t *testing.T) {
	l := Line{Suffix: "; Path=/; Domain=a.example; HttpOnly; SameSite=Lax", MaxAge: 7}
	for _, c := range []struct{ path, domain, want string }{
		{"", "", "; Path=/; Domain=a.example; HttpOnly; SameSite=Lax"},
		{"/old", "", "; Path=/old; Domain=a.example; HttpOnly; SameSite=Lax"},
		{"", "b.example", "; Path=/; Domain=b.example; HttpOnly; SameSite=Lax"},
		{"/old", "b.example", "; Path=/old; Domain=b.example; HttpOnly; SameSite=Lax"},
	} {
		got := l.WithScope(c.path, c.domain)
		if got.Suffix != c.want || got.MaxAge != 7 {
			t.Errorf("WithScope(%q, %q) = %+v, want suffix %q", c.path, c.domain, got, c.want)
		}
	}
	hostOnly := Line{Suffix: "; Path=/; Secure"}.WithScope("", "b.example")
	if hostOnly.Suffix != "; Path=/; Domain=b.example; Secure" {
		t.Errorf("Domain added to a host-only suffix: %q", hostOnly.Suffix)
	}
}
