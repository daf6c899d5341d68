package migrate

// Reading, upgrading and (during a transition) writing the cookies of
// Express's cookie-session middleware (npm cookie-session 1.x and 2.x, which
// sign with the cookies and keygrip packages). docs/MIGRATING.md describes the
// migration.
//
//	NAME     = base64(JSON.stringify(session))       standard alphabet, padded
//	NAME.sig = HMAC(keys[0], "NAME=" + value)          base64, "+/" -> "-_", no "="

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/jsonx"
	"github.com/cookiesession/cookiesession/internal/legacy"
)

// Express describes the cookies that Express's cookie-session middleware
// wrote, so that a Store (Options.Legacy) can read them, hand them to
// handlers as ordinary session data and replace them with its own sealed
// cookie on the same response. Express cookie-session cookies are signed
// but not encrypted; anything in them has been readable by the client.
//
// The Store's own cookie must have another name (Options.Name): the default
// names of both libraries are "session", so set one of them.
type Express struct {
	// Name is the cookie name given to cookie-session as `name`. Empty means
	// "session", cookie-session 2's default; cookie-session 1.x used
	// "express:sess". The signature travels in the cookie Name + ".sig".
	Name string

	// Keys are cookie-session's `keys`, as the same strings, in the same
	// order: Keys[0] signs, and a signature made with any of them is
	// accepted. Express's `secret: s` is Keys: []string{s}. At least one
	// key is required; cookies written with `signed: false` are not
	// accepted, as anyone could have forged them.
	Keys []string

	// SHA256 selects HMAC-SHA256, for an app that passed
	// Keygrip(keys, 'sha256') as `keys`. The default is keygrip's HMAC-SHA1.
	SHA256 bool

	// Transition keeps writing cookie-session's format (signed, NOT
	// encrypted) instead of this library's sealed cookie, so that Express
	// services not yet migrated still read sessions that Go services
	// changed or created. Turn it off once every service runs this library:
	// sessions are then upgraded as they arrive.
	Transition bool

	// Path and Domain are the attributes the Express app set its cookies
	// with (cookie-session's `path` and `domain`). Empty means the same as
	// the Store's Options.Path and Options.Domain. They must match, or the
	// browser keeps the old cookies beside the ones this library writes or
	// deletes.
	Path   string
	Domain string
}

// expressFormat is a checked Express.
type expressFormat struct {
	name, sigName string
	keys          [][]byte
	newHash       func() hash.Hash
	sha256        bool
	trans         bool
	path, domain  string
}

// defaultExpressName is cookie-session 2's default cookie name.
const defaultExpressName = "session"

// compile checks e and prepares it for a store.
func (e *Express) compile() (*expressFormat, error) {
	f := &expressFormat{name: e.Name, trans: e.Transition, newHash: sha1.New, path: e.Path, domain: e.Domain}
	if f.name == "" {
		f.name = defaultExpressName
	}
	if !cookie.ValidLegacyName(f.name) {
		return nil, optionsError("Express.Name %q: use printable ASCII without spaces, ';', '=', ',', '\"' or '\\'", f.name)
	}
	f.sigName = f.name + ".sig"
	if e.SHA256 {
		f.newHash, f.sha256 = sha256.New, true
	}
	if len(e.Keys) == 0 {
		return nil, optionsError("Express.Keys is empty: give cookie-session's keys (or [secret]) in the same order")
	}
	for i, k := range e.Keys {
		if k == "" {
			return nil, optionsError("Express.Keys[%d] is empty: an empty HMAC key lets anyone sign a session", i)
		}
		f.keys = append(f.keys, []byte(k))
	}
	return f, nil
}

// sign returns keygrip's signature of data under key.
func (f *expressFormat) sign(key []byte, data string) string {
	m := hmac.New(f.newHash, key)
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify returns the index of the first key whose signature of data is sig,
// or -1. Every key is tried, each comparison in constant time.
func (f *expressFormat) verify(data, sig string) int {
	found := -1
	for i, k := range f.keys {
		want := f.sign(k, data)
		if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1 && found < 0 {
			found = i
		}
	}
	return found
}

// decode reads the session from the Cookie header lines the way
// cookie-session 2 does: the first NAME=value pair, quotes stripped,
// verified against the first NAME.sig pair. It returns the JSON object and
// the index of the key that signed it. found is false when there is no
// non-empty NAME cookie.
//
// A request with more than cookie.MaxCookies cookie pairs is not searched: found
// is true and the error ErrChunks. cookie-session never saw one, as Node's
// default --max-http-header-size (16 KiB) refuses a header that long.
func (f *expressFormat) decode(lines []string) (obj []byte, keyIdx int, found bool, err error) {
	if cookie.CountPairs(lines) > cookie.MaxCookies {
		return nil, -1, true, chunks.TooManyCookies(f.name, false)
	}
	value, ok := nodeCookie(lines, f.name)
	if !ok || value == "" {
		return nil, -1, false, nil
	}
	if n := len(f.name) + len(value); n > bounds.MaxCookieBytesLimit {
		// No browser stores such a cookie, so cookie-session never had it
		// back: refuse it before any HMAC work.
		return nil, -1, true, &cookiesession.TooLargeError{Name: f.name, Size: n, Limit: bounds.MaxCookieBytesLimit, Chunks: 1}
	}
	sig, ok := nodeCookie(lines, f.sigName)
	if !ok || sig == "" {
		return nil, -1, true, fmt.Errorf("%w: cookie %q has no %q signature cookie beside it", cookiesession.ErrLegacySignature, f.name, f.sigName)
	}
	keyIdx = f.verify(f.name+"="+value, sig)
	if keyIdx < 0 {
		return nil, -1, true, fmt.Errorf("%w: Express cookie %q: the signature matches none of the %d configured keys%s", cookiesession.ErrLegacySignature, f.name, len(f.keys), f.sigHint(sig))
	}
	obj, err = legacy.JSONObject(nodeBase64Decode(value), fmt.Sprintf("Express cookie %q", f.name))
	if err != nil {
		return nil, keyIdx, true, err
	}
	return obj, keyIdx, true, nil
}

// sigHint explains a signature that matched no key, from its length alone.
func (f *expressFormat) sigHint(sig string) string {
	switch {
	case len(sig) == 43 && !f.sha256:
		return " (it has the length of an HMAC-SHA256 signature: set SHA256 if the app used Keygrip(keys, 'sha256'))"
	case len(sig) == 27 && f.sha256:
		return " (it has the length of an HMAC-SHA1 signature: unset SHA256, keygrip's default is SHA-1)"
	}
	return " (altered, or signed with a key not in Keys: add it after the current key)"
}

// encode returns the two cookie values cookie-session 2 writes for a
// session whose JSON is data: the data cookie's value and its signature.
func (f *expressFormat) encode(data []byte) (value, sig string, err error) {
	js, err := jsStringify(data)
	if err != nil {
		return "", "", err
	}
	value = base64.StdEncoding.EncodeToString(js)
	return value, f.sign(f.keys[0], f.name+"="+value), nil
}

// nodeCookie finds a cookie in a request's Cookie header lines the way the
// npm cookies package (0.9) does in the header Node.js makes of them (the
// lines joined with "; "): the first match of /(?:^|;) *NAME=([^;]*)/,
// then a leading '"' removes the first and the last character. Unlike
// net/http it accepts names that are not tokens (such as "express:sess")
// and values with any byte but ';'. The lines are searched in place,
// without joining them: a line's start acts as the ';' the join puts
// before it. The work is a vectorised search for name and at most one look
// at each cookie pair that contains it.
func nodeCookie(lines []string, name string) (value string, found bool) {
	for _, line := range lines {
		for from := 0; from < len(line); {
			pos, end, ok := cookie.NextNamed(line, from, name)
			if !ok {
				break
			}
			// In the joined header, pos starts a match when spaces alone
			// lie between it and a ';' or the line's start.
			if next := pos + len(name); next < len(line) && line[next] == '=' && spacesBefore(line, from, pos) {
				return nodeUnquote(line[next+1 : end]), true
			}
			// No later occurrence in this pair can follow only spaces.
			from = end + 1
		}
	}
	return "", false
}

// spacesBefore reports whether line[from:pos] ends with a run of ' ' that
// reaches back to from or to a ';'. from is the start of a line or follows
// a ';'.
func spacesBefore(line string, from, pos int) bool {
	for ; pos > from; pos-- {
		switch line[pos-1] {
		case ';':
			return true
		case ' ':
		default:
			return false
		}
	}
	return true
}

// nodeUnquote removes the first and the last character of a value that
// starts with '"', as the cookies package does.
func nodeUnquote(v string) string {
	if len(v) > 0 && v[0] == '"' {
		if len(v) >= 2 {
			return v[1 : len(v)-1]
		}
		return ""
	}
	return v
}

// base64Value maps a byte to its 6-bit value in either the standard or the
// URL-safe alphabet, or 0xff.
var base64Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = byte(i)
	}
	t['-'], t['_'] = 62, 63
	return t
}()

// nodeBase64Decode decodes s as Node.js's Buffer.from(s, 'base64') does:
// both alphabets are accepted, any other byte is skipped, decoding stops at
// the first '=', and a final group of two or three characters yields one or
// two bytes (unused bits ignored); a lone final character yields nothing.
func nodeBase64Decode(s string) []byte {
	out := make([]byte, 0, len(s)*3/4)
	var acc uint32
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		v := base64Value[c]
		if v == 0xff {
			continue
		}
		acc = acc<<6 | uint32(v)
		n++
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	return out
}

// jsStringify rewrites the JSON data as JavaScript's JSON.stringify would
// print the same value: no whitespace, and strings escaped only where
// JSON.stringify escapes them (no \u003c for '<', no \u2028, no \/).
// Numbers and the order of keys are kept as they are.
func jsStringify(data []byte) ([]byte, error) {
	if !json.Valid(data) {
		return nil, fmt.Errorf("%w: session data is not valid JSON", cookiesession.ErrEncode)
	}
	out := make([]byte, 0, len(data))
	for i := 0; i < len(data); {
		c := data[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			i++
		case '"':
			end := i + 1
			for data[end] != '"' {
				if data[end] == '\\' {
					end++
				}
				end++
			}
			end++
			var s string
			if err := json.Unmarshal(data[i:end], &s); err != nil {
				return nil, fmt.Errorf("%w: %s", cookiesession.ErrEncode, jsonx.Problem(err))
			}
			out = jsonx.AppendQuoted(out, s) // as JSON.stringify writes it
			i = end
		default:
			out = append(out, c)
			i++
		}
	}
	return out, nil
}

// Compile implements cookiesession.Legacy.
func (e *Express) Compile() (cookiesession.LegacyFormat, error) { return e.compile() }

// Load implements cookiesession.LegacyFormat.
func (f *expressFormat) Load(cookie []string, _ time.Time) (cookiesession.LegacyLoad, error) {
	data, keyIdx, found, err := f.decode(cookie)
	return cookiesession.LegacyLoad{Data: data, Found: found, Stale: keyIdx > 0}, err
}

// Transition implements cookiesession.LegacyFormat.
func (f *expressFormat) Transition() bool { return f.trans }

// Format implements cookiesession.LegacyFormat.
func (f *expressFormat) Format() string { return "express" }

// Cookies implements cookiesession.LegacyFormat: NAME and NAME.sig.
func (f *expressFormat) Cookies() ([]string, string, string) {
	return []string{f.name, f.sigName}, f.path, f.domain
}

// Write implements cookiesession.LegacyFormat: NAME=base64(JSON) and NAME.sig.
func (f *expressFormat) Write(data []byte, _ any, a cookiesession.CookieAttrs) ([]string, error) {
	value, sig, err := f.encode(data)
	if err != nil {
		return nil, err
	}
	if n := len(f.name) + len(value); n > bounds.DefaultMaxCookieBytes {
		return nil, &cookiesession.TooLargeError{Name: f.name, Size: n, Limit: bounds.DefaultMaxCookieBytes, Chunks: 1}
	}
	return []string{a.Line(f.name, value), a.Line(f.sigName, sig)}, nil
}

// Expire implements cookiesession.LegacyFormat: it deletes NAME and
// NAME.sig if the lines carry either, or too many cookies to search.
func (f *expressFormat) Expire(a cookiesession.CookieAttrs, lines []string) []string {
	if cookie.CountPairs(lines) <= cookie.MaxCookies { // else unsearched: expire them
		_, hasData := nodeCookie(lines, f.name)
		_, hasSig := nodeCookie(lines, f.sigName)
		if !hasData && !hasSig {
			return nil
		}
	}
	return []string{a.ExpireLine(f.name), a.ExpireLine(f.sigName)}
}
