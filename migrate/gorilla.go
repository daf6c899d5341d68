package migrate

// Reading, upgrading and (during a transition) writing the cookies of
// gorilla/sessions' CookieStore, which encodes with gorilla/securecookie:
//
//	value = base64url(timestamp "|" base64url(iv || AES-CTR(gob(values))) "|" HMAC-SHA256)
//
// with HMAC over "NAME|timestamp|base64url(...)" and the AES layer present
// only when a block key is configured. docs/MIGRATING.md describes the
// migration.

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/chunks"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/legacy"
	"github.com/gorilla/securecookie"
)

// Gorilla describes the cookies that a gorilla/sessions CookieStore
// (or gorilla/securecookie used directly) wrote, so that a Store
// (Options.Legacy) can read them, hand them to handlers as ordinary session
// data and replace them with its own sealed cookie on the same response.
//
// A CookieStore keeps Session.Values, a map[interface{}]interface{}, encoded
// with encoding/gob. It becomes a JSON object: string keys stay as they
// are; keys of other basic kinds become their decimal (integers), shortest
// 'g' (floats) or "true"/"false" text; keys of any other type, or two keys
// that become the same text, make the cookie unusable (ErrLegacyPayload).
// Values become JSON as encoding/json encodes them; nested
// map[interface{}]interface{} values follow the same rules as the top
// level. Flash messages stay where gorilla keeps them, an array under
// "_flash" (or the key given to Session.AddFlash).
//
// Values of types registered with gob.Register in the gorilla application
// must be registered the same way (same type, same name) in this program
// before its first request, or their cookies fail with ErrLegacyPayload
// naming the type. They then become JSON as encoding/json encodes the type
// (its exported fields, json tags honoured).
type Gorilla struct {
	// Name is the cookie name, as given to store.Get(r, name).
	Name string

	// KeyPairs are the keys as passed to sessions.NewCookieStore (or
	// securecookie.CodecsFromPairs): hash key 1, block key 1, hash key 2,
	// block key 2, ... A block key may be nil (no encryption) or absent
	// after the last hash key; it must otherwise have 16, 24 or 32 bytes
	// (AES-128, -192, -256). The first pair writes; every pair reads.
	KeyPairs [][]byte

	// JSON says the values were encoded with securecookie.JSONEncoder
	// instead of gob: by applications that used securecookie directly with
	// a JSON object (a map[string]interface{} or a struct), or by a
	// CookieStore built with Go 1.27, whose encoding/json encodes its
	// map[interface{}]interface{} when every key is a string (Go 1.26's
	// cannot).
	JSON bool

	// MaxAge is the lifetime in seconds that the CookieStore enforced on
	// its cookies' timestamps: what was passed to store.MaxAge, or
	// sessions.Options.MaxAge at NewCookieStore. 0 means securecookie's
	// default, 30 days; negative is refused. A cookie older than this
	// fails with ErrExpired, as it would have in the gorilla application.
	MaxAge int

	// Transition keeps writing the gorilla format instead of this library's
	// sealed cookie, so that Go services still on gorilla/sessions read
	// sessions that migrated services changed or created. Values written
	// back are what JSON can express (see docs/MIGRATING.md): strings,
	// booleans, integers as int (or int64 where int has 32 bits, uint64
	// above MaxInt64), other numbers as float64 when a float64 holds them
	// exactly, arrays as []interface{} and objects as
	// map[string]interface{}, which both sides must then have registered
	// with gob.Register. A number no Go number type holds exactly fails
	// the save with ErrEncode. Turn it off once every service runs this
	// library.
	Transition bool

	// Path and Domain are the attributes the gorilla application set its
	// cookie with (sessions.Options.Path and Domain). Empty means the same
	// as the Store's Options.Path and Options.Domain.
	Path   string
	Domain string
}

// gorillaDefaultMaxAge is securecookie's and CookieStore's default
// lifetime, 30 days.
const gorillaDefaultMaxAge = 86400 * 30

// gorillaMaxLength is securecookie's default limit on a value's length,
// which a CookieStore keeps: longer values are neither written nor read.
const gorillaMaxLength = 4096

// gorillaFormat is a checked Gorilla.
type gorillaFormat struct {
	name         string
	codecs       []*securecookie.SecureCookie // decode, without age check
	enc          *securecookie.SecureCookie   // encode, first pair
	json         bool
	maxAge       int64
	trans        bool
	path, domain string
}

// registerGobBasics registers what gorilla/sessions registers: the type of
// flash message lists.
var registerGobBasics = sync.OnceFunc(func() { gob.Register([]interface{}{}) })

// compile checks g and prepares it for a store.
func (g *Gorilla) compile() (*gorillaFormat, error) {
	f := &gorillaFormat{name: g.Name, json: g.JSON, trans: g.Transition, path: g.Path, domain: g.Domain}
	if f.name == "" {
		return nil, optionsError("Gorilla.Name is empty: give the name passed to store.Get(r, name)")
	}
	if !cookie.ValidLegacyName(f.name) || strings.ContainsAny(f.name, "()<>@:/[]?{}") {
		return nil, optionsError("Gorilla.Name %q is not an RFC 6265 token, so net/http (and gorilla) never read such a cookie", f.name)
	}
	switch {
	case g.MaxAge < 0:
		return nil, optionsError("Gorilla.MaxAge %d is negative: give the seconds the CookieStore's MaxAge was (0 means 30 days)", g.MaxAge)
	case g.MaxAge == 0:
		f.maxAge = gorillaDefaultMaxAge
	default:
		f.maxAge = int64(g.MaxAge)
	}
	if len(g.KeyPairs) == 0 {
		return nil, optionsError("Gorilla.KeyPairs is empty: give the keys passed to sessions.NewCookieStore, in the same order")
	}
	for i := 0; i < len(g.KeyPairs); i += 2 {
		hashKey := g.KeyPairs[i]
		var blockKey []byte
		if i+1 < len(g.KeyPairs) && len(g.KeyPairs[i+1]) > 0 {
			blockKey = g.KeyPairs[i+1]
		}
		if len(hashKey) == 0 {
			return nil, optionsError("Gorilla.KeyPairs[%d] (a hash key) is empty", i)
		}
		if blockKey != nil && len(blockKey) != 16 && len(blockKey) != 24 && len(blockKey) != 32 {
			return nil, optionsError("Gorilla.KeyPairs[%d] (a block key) has %d bytes: AES needs 16, 24 or 32 (or nil for no encryption)", i+1, len(blockKey))
		}
		var sz securecookie.Serializer = securecookie.GobEncoder{}
		if g.JSON {
			sz = securecookie.JSONEncoder{}
		}
		if i == 0 {
			f.enc = securecookie.New(hashKey, blockKey).SetSerializer(sz).MaxLength(0)
		}
		// Decoding checks the MAC and decrypts; this file checks the age
		// and decodes the payload, so that each failure has its own error.
		dec := securecookie.New(hashKey, blockKey).SetSerializer(securecookie.NopEncoder{}).MaxAge(0).MaxLength(gorillaMaxLength)
		f.codecs = append(f.codecs, dec)
	}
	if !g.JSON {
		registerGobBasics()
	}
	return f, nil
}

// verifyDecode verifies the cookie value and returns the session as a JSON
// object, the index of the key pair whose MAC matched, and the decoded
// values (for a faithful write-back). now is the current time, for MaxAge.
func (f *gorillaFormat) verifyDecode(value string, now time.Time) ([]byte, int, gorillaOrig, error) {
	what := fmt.Sprintf("gorilla cookie %q", f.name)
	if len(value) > gorillaMaxLength {
		return nil, -1, nil, fmt.Errorf("%w: %s is %d bytes, longer than securecookie's %d-byte limit", cookiesession.ErrLegacyPayload, what, len(value), gorillaMaxLength)
	}
	outer, err := base64.URLEncoding.DecodeString(value)
	parts := bytes.SplitN(outer, []byte("|"), 3)
	if err != nil || len(parts) != 3 {
		return nil, -1, nil, fmt.Errorf("%w: %s is not a gorilla/securecookie value", cookiesession.ErrLegacyPayload, what)
	}
	var raw []byte
	matched := -1
	for i, c := range f.codecs {
		if c.Decode(f.name, value, &raw) == nil {
			matched = i
			break
		}
	}
	if matched < 0 {
		return nil, -1, nil, fmt.Errorf("%w: %s: the MAC matches none of the %d hash keys in KeyPairs (altered, or written for another cookie name or with other keys)", cookiesession.ErrLegacySignature, what, len(f.codecs))
	}
	ts, _ := strconv.ParseInt(string(parts[0]), 10, 64) // securecookie.Decode refused it unless it parses
	if ts < now.Unix()-f.maxAge {
		return nil, -1, nil, fmt.Errorf("%w: %s last saved %s, older than its MaxAge of %ds", cookiesession.ErrExpired, what, time.Unix(ts, 0).UTC().Format(time.RFC3339), f.maxAge)
	}
	if f.json {
		data, err := legacy.JSONObject(raw, what)
		return data, matched, nil, err
	}
	data, orig, err := gobToJSONOrig(raw, what)
	return data, matched, orig, err
}

// encodeOrig returns a cookie value that a CookieStore with the same keys
// reads back as the values in the JSON object data; for each top-level key
// whose JSON is unchanged it writes back the value (and key) orig holds.
func (f *gorillaFormat) encodeOrig(data []byte, orig gorillaOrig) (string, error) {
	var src interface{}
	var values map[interface{}]interface{}
	if f.json {
		if !json.Valid(data) {
			return "", fmt.Errorf("%w: session data is not valid JSON", cookiesession.ErrEncode)
		}
		src = json.RawMessage(data)
	} else {
		var err error
		if values, err = jsonToGorillaOrig(data, orig); err != nil {
			return "", err
		}
		src = values
	}
	value, err := f.enc.Encode(f.name, src)
	if err != nil {
		if f.json { // encoding/json on valid JSON: securecookie's own failure
			return "", fmt.Errorf("%w: writing the gorilla cookie %q failed", cookiesession.ErrEncode, f.name)
		}
		msg, unregistered := gobEncodeProblem(err, values)
		if unregistered && msg == "map[string]interface {}" {
			return "", fmt.Errorf("%w: writing the gorilla cookie %q: gob: type not registered for interface: %s: nested objects are written as map[string]interface{}; register it with gob.Register(map[string]interface{}{}) here and in the gorilla services, or keep the session flat", cookiesession.ErrEncode, f.name, msg)
		}
		if unregistered {
			return "", fmt.Errorf("%w: writing the gorilla cookie %q: gob: type not registered for interface: %s: register it with gob.Register here and in the gorilla services", cookiesession.ErrEncode, f.name, msg)
		}
		return "", fmt.Errorf("%w: writing the gorilla cookie %q: %s", cookiesession.ErrEncode, f.name, msg)
	}
	return value, nil
}

// Compile implements Legacy.
func (g *Gorilla) Compile() (cookiesession.LegacyFormat, error) { return g.compile() }

// Load implements LegacyFormat. Like a CookieStore it reads the first
// cookie of the name that net/http parses; an empty one counts as absent.
func (f *gorillaFormat) Load(lines []string, now time.Time) (cookiesession.LegacyLoad, error) {
	c, err := netHTTPCookie(lines, f.name)
	if err != nil && cookie.CountPairs(lines) > cookie.MaxCookies {
		// net/http reads no cookie past its cap: report it, never drop it.
		return cookiesession.LegacyLoad{Found: true}, chunks.TooManyCookies(f.name, false)
	}
	if err != nil || c.Value == "" {
		return cookiesession.LegacyLoad{}, nil
	}
	data, pair, orig, err := f.verifyDecode(c.Value, now)
	return cookiesession.LegacyLoad{Data: data, Found: true, Stale: pair > 0, Orig: orig}, err
}

// Transition implements LegacyFormat.
func (f *gorillaFormat) Transition() bool { return f.trans }

// Format implements LegacyFormat.
func (f *gorillaFormat) Format() string { return "gorilla" }

// Cookies implements LegacyFormat: the one cookie NAME.
func (f *gorillaFormat) Cookies() ([]string, string, string) {
	return []string{f.name}, f.path, f.domain
}

// Write implements LegacyFormat: one cookie a CookieStore reads.
func (f *gorillaFormat) Write(data []byte, orig any, a cookiesession.CookieAttrs) ([]string, error) {
	o, _ := orig.(gorillaOrig)
	value, err := f.encodeOrig(data, o)
	if err != nil {
		return nil, err
	}
	if len(value) > gorillaMaxLength || len(f.name)+len(value) > bounds.DefaultMaxCookieBytes {
		return nil, &cookiesession.TooLargeError{Name: f.name, Size: len(f.name) + len(value), Limit: min(bounds.DefaultMaxCookieBytes, len(f.name)+gorillaMaxLength), Chunks: 1}
	}
	return []string{a.Line(f.name, value)}, nil
}

// Expire implements LegacyFormat: it deletes the cookie if net/http finds
// it in the lines.
func (f *gorillaFormat) Expire(a cookiesession.CookieAttrs, cookie []string) []string {
	if _, err := netHTTPCookie(cookie, f.name); err != nil {
		return nil
	}
	return []string{a.ExpireLine(f.name)}
}

// netHTTPCookie returns the first cookie called name in the Cookie header
// lines as net/http's Request.Cookie parses them, as a CookieStore reads
// it.
func netHTTPCookie(cookie []string, name string) (*http.Cookie, error) {
	r := http.Request{Header: http.Header{"Cookie": cookie}}
	return r.Cookie(name)
}
