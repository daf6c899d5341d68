package cookie

// Set-Cookie lines (RFC 6265bis §4.1).

import (
	"strconv"
	"strings"
	"time"
)

// Attributes are the attributes every Set-Cookie line of a store shares.
type Attributes struct {
	Path, Domain string
	HTTPOnly     bool
	Secure       bool
	SameSite     string // "Strict", "Lax" or "None" (RFC 6265bis §4.1.2.7)
	Partitioned  bool   // CHIPS
}

// Suffix formats a as it follows name=value in a Set-Cookie line:
// "; Path=/; HttpOnly; Secure; SameSite=Lax".
func (a Attributes) Suffix() string {
	var b strings.Builder
	b.WriteString("; Path=")
	b.WriteString(a.Path)
	if a.Domain != "" {
		b.WriteString("; Domain=")
		b.WriteString(a.Domain)
	}
	if a.HTTPOnly {
		b.WriteString("; HttpOnly")
	}
	if a.Secure {
		b.WriteString("; Secure")
	}
	b.WriteString("; SameSite=")
	b.WriteString(a.SameSite)
	if a.Partitioned {
		b.WriteString("; Partitioned")
	}
	return b.String()
}

// TimeFormat is the form of Expires: an IMF-fixdate (RFC 9110 §5.6.7),
// the sane-cookie-date of RFC 6265 §4.1.1.
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// expiredLine is what ExpireLine puts between the name and the suffix: a
// Max-Age of 0 and, for clients that ignore Max-Age, an Expires in the
// past (RFC 6265 §5.2.1).
const expiredLine = "=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"

// lifetimeBytes is room for "; Max-Age=N; Expires=DATE" (at most 59
// bytes).
const lifetimeBytes = 64

// Line holds what the Set-Cookie lines of one response share: the
// attributes' suffix (Attributes.Suffix) and, for a persistent cookie,
// its Max-Age and the matching Expires.
type Line struct {
	Suffix  string
	MaxAge  int       // seconds; 0 means a browser-session cookie
	Expires time.Time // now + MaxAge, for clients that ignore Max-Age
}

// Format returns the Set-Cookie line that stores value under name.
func (l Line) Format(name, value string) string {
	var b strings.Builder
	l.Begin(&b, name, len(value))
	b.WriteString(value)
	l.End(&b)
	return b.String()
}

// Begin starts a line in b, "name=", with room for a value of valueLen
// bytes and the attributes: the caller writes the value, then calls End.
func (l Line) Begin(b *strings.Builder, name string, valueLen int) {
	b.Grow(len(name) + 1 + valueLen + len(l.Suffix) + lifetimeBytes)
	b.WriteString(name)
	b.WriteByte('=')
}

// End appends Max-Age and Expires, if any, and the shared attributes.
func (l Line) End(b *strings.Builder) {
	if l.MaxAge > 0 {
		var buf [32]byte
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(buf[:0], int64(l.MaxAge), 10))
		b.WriteString("; Expires=")
		b.Write(AppendDate(buf[:0], l.Expires))
	}
	b.WriteString(l.Suffix)
}

// Expire returns the Set-Cookie line that deletes the cookie name.
func (l Line) Expire(name string) string {
	return name + expiredLine + l.Suffix
}

// WithScope returns l with its Path and Domain replaced by path and
// domain where those are set: the lines of cookies another library set
// under other attributes.
func (l Line) WithScope(path, domain string) Line {
	if path == "" && domain == "" {
		return l
	}
	var b strings.Builder
	for part := range strings.SplitSeq(l.Suffix, "; ") {
		switch {
		case part == "":
			continue
		case domain != "" && strings.HasPrefix(part, "Domain="):
			continue
		case strings.HasPrefix(part, "Path="):
			if path != "" {
				part = "Path=" + path
			}
			if domain != "" {
				part += "; Domain=" + domain
			}
		}
		b.WriteString("; ")
		b.WriteString(part)
	}
	l.Suffix = b.String()
	return l
}
