package cookiesession

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
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/securecookie"
)

// GorillaSession describes the cookies that a gorilla/sessions CookieStore
// (or gorilla/securecookie used directly) wrote, so that a Store
// (Options.Gorilla) can read them, hand them to handlers as ordinary session
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
type GorillaSession struct {
	// Name is the cookie name, as given to store.Get(r, name).
	Name string

	// KeyPairs are the keys as passed to sessions.NewCookieStore (or
	// securecookie.CodecsFromPairs): hash key 1, block key 1, hash key 2,
	// block key 2, ... A block key may be nil (no encryption) or absent
	// after the last hash key; it must otherwise have 16, 24 or 32 bytes
	// (AES-128, -192, -256). The first pair writes; every pair reads.
	KeyPairs [][]byte

	// JSON says the values were encoded with securecookie.JSONEncoder
	// instead of gob. A CookieStore cannot do that (encoding/json cannot
	// encode its map[interface{}]interface{}), so this is for applications
	// that used securecookie directly with a JSON object, such as a
	// map[string]interface{} or a struct.
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

// gorillaFormat is a checked GorillaSession.
type gorillaFormat struct {
	name         string
	codecs       []*securecookie.SecureCookie // decode, without age check
	enc          *securecookie.SecureCookie   // encode, first pair
	json         bool
	maxAge       int64
	trans        bool
	path, domain string
	now          func() time.Time // the store's clock; nil means time.Now
}

// registerGobBasics registers what gorilla/sessions registers: the type of
// flash message lists.
var registerGobBasics = sync.OnceFunc(func() { gob.Register([]interface{}{}) })

// format checks g and prepares it for a store.
func (g *GorillaSession) format() (*gorillaFormat, error) {
	f := &gorillaFormat{name: g.Name, json: g.JSON, trans: g.Transition, path: g.Path, domain: g.Domain}
	if f.name == "" {
		return nil, optionsError("GorillaSession.Name is empty: give the name passed to store.Get(r, name)")
	}
	if !validLegacyName(f.name) || strings.ContainsAny(f.name, "()<>@:/[]?{}") {
		return nil, optionsError("GorillaSession.Name %q is not an RFC 6265 token, so net/http (and gorilla) never read such a cookie", f.name)
	}
	switch {
	case g.MaxAge < 0:
		return nil, optionsError("GorillaSession.MaxAge %d is negative: give the seconds the CookieStore's MaxAge was (0 means 30 days)", g.MaxAge)
	case g.MaxAge == 0:
		f.maxAge = gorillaDefaultMaxAge
	default:
		f.maxAge = int64(g.MaxAge)
	}
	if len(g.KeyPairs) == 0 {
		return nil, optionsError("GorillaSession.KeyPairs is empty: give the keys passed to sessions.NewCookieStore, in the same order")
	}
	for i := 0; i < len(g.KeyPairs); i += 2 {
		hashKey := g.KeyPairs[i]
		var blockKey []byte
		if i+1 < len(g.KeyPairs) && len(g.KeyPairs[i+1]) > 0 {
			blockKey = g.KeyPairs[i+1]
		}
		if len(hashKey) == 0 {
			return nil, optionsError("GorillaSession.KeyPairs[%d] (a hash key) is empty", i)
		}
		if blockKey != nil && len(blockKey) != 16 && len(blockKey) != 24 && len(blockKey) != 32 {
			return nil, optionsError("GorillaSession.KeyPairs[%d] (a block key) has %d bytes: AES needs 16, 24 or 32 (or nil for no encryption)", i+1, len(blockKey))
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

// decode verifies the cookie value and returns the session as a JSON
// object. now is the current time, for MaxAge.
func (f *gorillaFormat) decode(value string, now time.Time) ([]byte, error) {
	what := fmt.Sprintf("gorilla cookie %q", f.name)
	if len(value) > gorillaMaxLength {
		return nil, fmt.Errorf("%w: %s is %d bytes, longer than securecookie's %d-byte limit", ErrLegacyPayload, what, len(value), gorillaMaxLength)
	}
	outer, err := base64.URLEncoding.DecodeString(value)
	parts := bytes.SplitN(outer, []byte("|"), 3)
	if err != nil || len(parts) != 3 {
		return nil, fmt.Errorf("%w: %s is not a gorilla/securecookie value", ErrLegacyPayload, what)
	}
	var raw []byte
	matched := false
	for _, c := range f.codecs {
		if c.Decode(f.name, value, &raw) == nil {
			matched = true
			break
		}
	}
	if !matched {
		return nil, fmt.Errorf("%w: %s: the MAC matches none of the %d hash keys in KeyPairs (altered, or written for another cookie name or with other keys)", ErrLegacySignature, what, len(f.codecs))
	}
	ts, err := strconv.ParseInt(string(parts[0]), 10, 64)
	if err != nil { // securecookie refuses it too; unreachable after a MAC
		return nil, fmt.Errorf("%w: %s has an invalid timestamp", ErrLegacyPayload, what)
	}
	if ts < now.Unix()-f.maxAge {
		return nil, fmt.Errorf("%w: %s last saved %s, older than its MaxAge of %ds", ErrExpired, what, time.Unix(ts, 0).UTC().Format(time.RFC3339), f.maxAge)
	}
	if f.json {
		return legacyJSONObject(raw, what)
	}
	return gobToJSON(raw, what)
}

// gobToJSON decodes a CookieStore's gob-encoded map[interface{}]interface{}
// and converts it to a JSON object.
func gobToJSON(raw []byte, what string) ([]byte, error) {
	if err := checkGob(raw); err != nil {
		return nil, fmt.Errorf("%w: %s is not a well-formed gob-encoded CookieStore map (%v); set JSON if it used securecookie.JSONEncoder", ErrLegacyPayload, what, err)
	}
	values, err := decodeGob(raw)
	if err != nil {
		msg := err.Error()
		if strings.Contains(msg, "not registered") {
			return nil, fmt.Errorf("%w: %s holds a value of a type not registered with gob in this program (%s): call gob.Register for it, as the gorilla application did, before serving", ErrLegacyPayload, what, strings.TrimPrefix(msg, "gob: "))
		}
		return nil, fmt.Errorf("%w: %s is not a gob-encoded CookieStore map (%s); set JSON if it used securecookie.JSONEncoder", ErrLegacyPayload, what, strings.TrimPrefix(msg, "gob: "))
	}
	obj, err := gorillaObject(values)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrLegacyPayload, what, err)
	}
	out, err := json.Marshal(obj)
	if err != nil {
		var ue *json.UnsupportedValueError
		var te *json.UnsupportedTypeError
		switch {
		case errors.As(err, &ue):
			return nil, fmt.Errorf("%w: %s holds a value JSON cannot express (%s)", ErrLegacyPayload, what, ue.Str)
		case errors.As(err, &te):
			return nil, fmt.Errorf("%w: %s holds a value of type %v, which JSON cannot express", ErrLegacyPayload, what, te.Type)
		}
		return nil, fmt.Errorf("%w: %s does not convert to JSON", ErrLegacyPayload, what)
	}
	return out, nil
}

// decodeGob decodes a CookieStore's map. encoding/gob turns its own
// failures into errors but lets a runtime panic through: a map key whose
// concrete type cannot be a map key (a slice, say) panics inside
// reflect.Value.SetMapIndex. decodeGob returns that as an error too, so
// that such a cookie is refused like any other broken one.
func decodeGob(raw []byte) (values map[interface{}]interface{}, err error) {
	defer func() {
		if p := recover(); p != nil {
			values, err = nil, errors.New("gob: the decoder failed on it")
			if re, ok := p.(runtime.Error); ok { // names types, never values
				err = fmt.Errorf("gob: the decoder failed on it: %v", re)
			}
		}
	}()
	err = gob.NewDecoder(bytes.NewReader(raw)).Decode(&values)
	return values, err
}

// gorillaObject converts a gob-decoded map to one JSON encoding/json can
// encode, with the key rules of GorillaSession's documentation.
func gorillaObject(m map[interface{}]interface{}) (map[string]any, error) {
	out := make(map[string]any, len(m))
	// String keys first, so that a collision is reported whatever the
	// map's iteration order.
	for k, v := range m {
		if s, ok := k.(string); ok {
			cv, err := gorillaValue(v)
			if err != nil {
				return nil, err
			}
			out[s] = cv
		}
	}
	for k, v := range m {
		if _, ok := k.(string); ok {
			continue
		}
		s, err := gorillaKey(k)
		if err != nil {
			return nil, err
		}
		if _, dup := out[s]; dup {
			return nil, fmt.Errorf("a key of type %T has the same text as another key", k)
		}
		cv, err := gorillaValue(v)
		if err != nil {
			return nil, err
		}
		out[s] = cv
	}
	return out, nil
}

// gorillaKey returns the JSON object key for a non-string map key.
func gorillaKey(k interface{}) (string, error) {
	v := reflect.ValueOf(k)
	if !v.IsValid() {
		return "", errors.New("a nil key cannot be a JSON object key")
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10), nil
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", fmt.Errorf("a %T key that is not finite cannot be a JSON object key", k)
		}
		bits := 64
		if v.Kind() == reflect.Float32 {
			bits = 32
		}
		return strconv.FormatFloat(f, 'g', -1, bits), nil
	}
	return "", fmt.Errorf("a key of type %T cannot be a JSON object key", k)
}

// gorillaValue converts nested gob maps; other values are left to
// encoding/json.
func gorillaValue(v interface{}) (interface{}, error) {
	switch x := v.(type) {
	case map[interface{}]interface{}:
		return gorillaObject(x)
	case []interface{}:
		out := make([]interface{}, len(x))
		for i, e := range x {
			ce, err := gorillaValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = ce
		}
		return out, nil
	case map[string]interface{}:
		out := make(map[string]interface{}, len(x))
		for k, e := range x {
			ce, err := gorillaValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = ce
		}
		return out, nil
	}
	return v, nil
}

// encode returns a cookie value that a CookieStore with the same keys
// reads back as the values in the JSON object data.
func (f *gorillaFormat) encode(data []byte) (string, error) {
	var src interface{}
	if f.json {
		if !json.Valid(data) {
			return "", fmt.Errorf("%w: session data is not valid JSON", ErrEncode)
		}
		src = json.RawMessage(data)
	} else {
		values, err := jsonToGorilla(data)
		if err != nil {
			return "", err
		}
		src = values
	}
	value, err := f.enc.Encode(f.name, src)
	if err != nil {
		msg := err.Error()
		hint := ""
		if strings.Contains(msg, "not registered") {
			hint = ": nested objects are written as map[string]interface{}; register it with gob.Register(map[string]interface{}{}) here and in the gorilla services, or keep the session flat"
		}
		return "", fmt.Errorf("%w: writing the gorilla cookie %q: %s%s", ErrEncode, f.name, msg, hint)
	}
	return value, nil
}

// jsonToGorilla converts a JSON object to the map a CookieStore holds. Its
// numbers are decoded as json.Number, so that none passes through float64
// on the way (see gorillaNumber).
func jsonToGorilla(data []byte) (map[interface{}]interface{}, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]interface{}
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, fmt.Errorf("%w: session data is not a JSON object, which a gorilla session needs", ErrEncode)
	}
	out := make(map[interface{}]interface{}, len(obj))
	for k, v := range obj {
		cv, err := gorillaFromJSON(v)
		if err != nil {
			return nil, fmt.Errorf("%w: writing the gorilla cookie: a value %v", ErrEncode, err)
		}
		out[k] = cv
	}
	return out, nil
}

// gorillaFromJSON converts a value decoded with UseNumber to the Go types
// a gorilla application most likely stored.
func gorillaFromJSON(v interface{}) (interface{}, error) {
	var err error
	switch x := v.(type) {
	case json.Number:
		return gorillaNumber(string(x))
	case []interface{}:
		for i := range x {
			if x[i], err = gorillaFromJSON(x[i]); err != nil {
				return nil, err
			}
		}
	case map[string]interface{}:
		for k := range x {
			if x[k], err = gorillaFromJSON(x[k]); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// gorillaNumber converts a JSON number to the Go value a CookieStore gets
// back: an integer as int if it fits (what gorilla applications store
// most), else int64, else uint64; any other number, and an integer beyond
// 64 bits, as float64, but only if the float64 has the same decimal value,
// so that no digit is lost. A number that fits none of these is an error.
func gorillaNumber(s string) (interface{}, error) {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 0); err == nil {
			return int(i), nil
		}
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && sameDecimal(s, strconv.FormatFloat(f, 'e', -1, 64)) {
		return f, nil
	}
	return nil, errors.New("is a number that neither a 64-bit integer nor a float64 holds exactly: store it as a string")
}

// sameDecimal reports whether the JSON numbers a and b have the same value.
func sameDecimal(a, b string) bool {
	an, ad, ae, aok := decimalParts(a)
	bn, bd, be, bok := decimalParts(b)
	return aok && bok && an == bn && ad == bd && (ae == be || ad == "")
}

// decimalParts splits a JSON number into its sign, its significant digits
// without leading or trailing zeros, and the power of ten that the last
// digit stands for: "-12.50e3" is -, "125", 2.
func decimalParts(s string) (neg bool, digits string, exp int, ok bool) {
	neg = strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		var err error
		if exp, err = strconv.Atoi(e); err != nil {
			return false, "", 0, false
		}
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits = strings.TrimLeft(whole+frac, "0")
	exp -= len(frac)
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		exp++
	}
	if digits == "" {
		neg = false // -0 and 0 are the same number
	}
	return neg, digits, exp, true
}

// load implements legacyFormat. Like a CookieStore it reads the first
// cookie of the name that net/http parses; an empty one counts as absent.
func (f *gorillaFormat) load(r *http.Request) ([]byte, bool, error) {
	c, err := r.Cookie(f.name)
	if err != nil || c.Value == "" {
		return nil, false, nil
	}
	now := time.Now
	if f.now != nil {
		now = f.now
	}
	data, err := f.decode(c.Value, now())
	return data, true, err
}

// transition implements legacyFormat.
func (f *gorillaFormat) transition() bool { return f.trans }

// write implements legacyFormat: one cookie a CookieStore reads, with the
// store's attributes (Path and Domain as configured here).
func (f *gorillaFormat) write(h http.Header, r *http.Request, data []byte, a *cookieAttrs) error {
	value, err := f.encode(data)
	if err != nil {
		return err
	}
	if len(value) > gorillaMaxLength || len(f.name)+len(value) > DefaultMaxCookieBytes {
		return &TooLargeError{Name: f.name, Size: len(f.name) + len(value), Limit: min(DefaultMaxCookieBytes, len(f.name)+gorillaMaxLength), Chunks: 1}
	}
	la := legacyAttrs(a, f.path, f.domain)
	dropLegacyLines(h, f.name)
	h.Add("Set-Cookie", la.line(f.name, value))
	return nil
}

// expire implements legacyFormat: it deletes the cookie if r carries it.
func (f *gorillaFormat) expire(h http.Header, r *http.Request, a *cookieAttrs) {
	if _, err := r.Cookie(f.name); err != nil {
		return
	}
	la := legacyAttrs(a, f.path, f.domain)
	dropLegacyLines(h, f.name)
	h.Add("Set-Cookie", la.expireLine(f.name))
}

// Bounds of checkGob, the pre-scan of a gob payload.
const (
	// gobFirstUserID is encoding/gob's firstUserId (type.go): ids below it
	// name the package's own types, and a stream cannot define them.
	gobFirstUserID = 64
	// gobMaxNameLen is encoding/gob's limit on the type name that starts an
	// interface value (decodeInterface in decode.go).
	gobMaxNameLen = 1024
	// gobMaxUintBytes is the most bytes after the length byte of a gob
	// unsigned integer: a uint64 (decodeUint in decode.go).
	gobMaxUintBytes = 8
	// gobMaxDepth is how deeply values may nest: this package's choice, far
	// beyond what a session holds, so that a hostile cookie cannot make the
	// decoder recurse thousands of levels.
	gobMaxDepth = 64
	// gobTooBig is encoding/gob's tooBig on 32-bit platforms, the smaller
	// of its two limits on a message's length (decoder.go).
	gobTooBig = 1 << 30
)

// The type ids encoding/gob predefines (type.go) that a value may have.
const (
	gobBool      = 1
	gobInt       = 2
	gobUint      = 3
	gobFloat     = 4
	gobBytes     = 5
	gobString    = 6
	gobComplex   = 7
	gobInterface = 8
)

// gobKind is the kind of a type a gob stream defines: the field of
// encoding/gob's wireType that its definition sets.
type gobKind int

// The fields of wireType, in order (type.go).
const (
	gobArrayT gobKind = iota
	gobSliceT
	gobStructT
	gobMapT
	gobGobEncoderT
	gobBinaryMarshalerT
	gobTextMarshalerT
	gobKinds
)

// gobType is a type defined in a gob stream, as far as checkGob needs it.
type gobType struct {
	kind      gobKind
	elem, key int32   // array, slice, map
	length    int64   // array
	fields    []int32 // struct: the type of each field
}

// gobScan walks a gob stream the way encoding/gob's Decoder consumes it,
// without building any value.
type gobScan struct {
	b        []byte
	off, end int // read position; end of the current message
	types    map[int32]*gobType
}

// checkGob reports whether raw is one well-formed gob value whose every
// declared length (of a message, map, slice, array, string or field list)
// is backed by the bytes that follow it. encoding/gob allocates for a
// declared length before reading what it counts: a map of 64M entries
// declared in a few bytes exhausts memory. Once raw passes, what the
// decoder allocates is bounded by raw's length (a few times it), whatever
// the values. The error describes the structure only, never its content.
func checkGob(raw []byte) error {
	s := &gobScan{b: raw, types: map[int32]*gobType{}}
	id, err := s.typeSequence(false)
	if err != nil {
		return err
	}
	return s.value(id, 0)
}

// uint reads an unsigned integer from the current message.
func (s *gobScan) uint() (uint64, error) {
	if s.off >= s.end {
		return 0, errors.New("a value runs past the end of its message")
	}
	c := s.b[s.off]
	s.off++
	if c < 0x80 {
		return uint64(c), nil
	}
	n := -int(int8(c))
	if n > gobMaxUintBytes || n > s.end-s.off {
		return 0, errors.New("an integer is malformed")
	}
	var x uint64
	for _, c := range s.b[s.off : s.off+n] {
		x = x<<8 | uint64(c)
	}
	s.off += n
	return x, nil
}

// int reads a signed integer: encoding/gob's zig-zag form of a uint.
func (s *gobScan) int() (int64, error) {
	u, err := s.uint()
	if u&1 != 0 {
		return ^int64(u >> 1), err
	}
	return int64(u >> 1), err
}

// typeID reads a type id, an int32 in a signed integer.
func (s *gobScan) typeID() (int32, error) {
	i, err := s.int()
	if err == nil && (i < math.MinInt32 || i > math.MaxInt32) {
		err = errors.New("a type id is out of range")
	}
	return int32(i), err
}

// count reads the number of elements of a map, slice or array. Each
// element takes at least one byte, so a count above what is left of the
// stream cannot be genuine.
func (s *gobScan) count(what string) (int, error) {
	u, err := s.uint()
	if err != nil {
		return 0, err
	}
	if u > uint64(len(s.b)-s.off) {
		return 0, fmt.Errorf("a %s declares %d elements with %d bytes left", what, u, len(s.b)-s.off)
	}
	return int(u), nil
}

// skipBytes reads a length and skips that many bytes of the message: a
// string, a []byte, a GobEncoder's data.
func (s *gobScan) skipBytes(what string) error {
	u, err := s.uint()
	if err != nil {
		return err
	}
	if u > uint64(s.end-s.off) {
		return fmt.Errorf("a %s declares %d bytes with %d left in its message", what, u, s.end-s.off)
	}
	s.off += int(u)
	return nil
}

// message starts the next message, whose length comes first.
func (s *gobScan) message() error {
	s.end = len(s.b)
	n, err := s.uint()
	if err != nil {
		return errors.New("the stream ends before its value")
	}
	if n == 0 || n >= gobTooBig || n > uint64(len(s.b)-s.off) {
		return fmt.Errorf("a message declares %d bytes with %d left", n, len(s.b)-s.off)
	}
	s.end = s.off + int(n)
	return nil
}

// typeSequence reads type definitions up to the id of the value that
// follows them, as encoding/gob's decodeTypeSequence does: at the top level
// each definition is a message of its own; inside an interface value one
// may also end with the length of what follows, or the message may end and
// the value continue in the next one.
func (s *gobScan) typeSequence(inInterface bool) (int32, error) {
	for {
		if s.off == s.end {
			if err := s.message(); err != nil {
				return 0, err
			}
		}
		id, err := s.typeID()
		if err != nil || id >= 0 {
			return id, err
		}
		if err := s.define(-id); err != nil {
			return 0, err
		}
		if s.off < s.end {
			if !inInterface {
				return 0, errors.New("a type definition is followed by extra data")
			}
			if _, err := s.uint(); err != nil {
				return 0, err
			}
		}
	}
}

// fields walks a struct's encoding: field numbers as deltas from the last,
// each followed by the field's value (read by field), up to a zero delta
// or the end of the message, as encoding/gob's decodeStruct does.
func (s *gobScan) fields(n int, field func(i int) error) error {
	i := -1
	for s.off < s.end {
		d, err := s.uint()
		if err != nil {
			return err
		}
		if d == 0 {
			return nil
		}
		if d > uint64(n-1-i) {
			return fmt.Errorf("a struct sets field %d of %d", uint64(i+1)+d-1, n)
		}
		i += int(d)
		if err := field(i); err != nil {
			return err
		}
	}
	return nil
}

// define reads the definition of type id: a wireType (type.go), a struct
// with one field set among ArrayT, SliceT, StructT, MapT and the three
// kinds of marshalers.
func (s *gobScan) define(id int32) error {
	if id < gobFirstUserID || s.types[id] != nil {
		return fmt.Errorf("type %d is defined twice, or is one of gob's own", id)
	}
	var t *gobType
	err := s.fields(int(gobKinds), func(i int) error {
		if t != nil {
			return errors.New("a type definition sets two kinds")
		}
		t = &gobType{kind: gobKind(i)}
		return s.defineKind(t)
	})
	if err != nil {
		return err
	}
	if t == nil {
		return errors.New("a type definition sets no kind")
	}
	s.types[id] = t
	return nil
}

// defineKind reads the struct that defines t: arrayType {CommonType; Elem;
// Len}, sliceType {CommonType; Elem}, structType {CommonType; Field
// []fieldType}, mapType {CommonType; Key; Elem} or gobEncoderType
// {CommonType}, where CommonType is {Name string; Id typeId}.
func (s *gobScan) defineKind(t *gobType) error {
	n := map[gobKind]int{gobArrayT: 3, gobSliceT: 2, gobStructT: 2, gobMapT: 3}[t.kind]
	if n == 0 {
		n = 1
	}
	return s.fields(n, func(i int) error {
		var err error
		switch {
		case i == 0:
			err = s.fields(2, func(i int) error {
				if i == 0 {
					return s.skipBytes("type name")
				}
				_, err := s.typeID()
				return err
			})
		case t.kind == gobStructT:
			err = s.defineFields(t)
		case t.kind == gobMapT && i == 1:
			t.key, err = s.typeID()
		case t.kind == gobArrayT && i == 2:
			t.length, err = s.int()
			if err == nil && t.length < 0 {
				err = errors.New("an array type has a negative length")
			}
		default:
			t.elem, err = s.typeID()
		}
		return err
	})
}

// defineFields reads a structType's []fieldType, {Name string; Id typeId}
// each.
func (s *gobScan) defineFields(t *gobType) error {
	n, err := s.count("struct type")
	if err != nil {
		return err
	}
	t.fields = make([]int32, n)
	for k := range t.fields {
		err := s.fields(2, func(i int) error {
			if i == 0 {
				return s.skipBytes("field name")
			}
			var err error
			t.fields[k], err = s.typeID()
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// value reads a value of type id where encoding/gob's decodeValue reads
// one (at the top level and in an interface): a struct as such, anything
// else as a struct's only field, behind a zero delta.
func (s *gobScan) value(id int32, depth int) error {
	if t := s.types[id]; t != nil && t.kind == gobStructT {
		return s.elem(id, depth)
	}
	d, err := s.uint()
	if err != nil {
		return err
	}
	if d != 0 {
		return errors.New("a value does not start with a zero field delta")
	}
	return s.elem(id, depth)
}

// elem reads a value of type id in place: a field, an element, a key.
func (s *gobScan) elem(id int32, depth int) error {
	if depth > gobMaxDepth {
		return fmt.Errorf("values nest more than %d levels deep", gobMaxDepth)
	}
	switch id {
	case gobBool, gobInt, gobUint, gobFloat:
		_, err := s.uint()
		return err
	case gobComplex:
		if _, err := s.uint(); err != nil {
			return err
		}
		_, err := s.uint()
		return err
	case gobBytes, gobString:
		return s.skipBytes("string")
	case gobInterface:
		return s.iface(depth)
	}
	t := s.types[id]
	if t == nil {
		return fmt.Errorf("a value has type %d, which the stream does not define", id)
	}
	return s.compound(t, depth)
}

// compound reads a value of a type the stream defines.
func (s *gobScan) compound(t *gobType, depth int) error {
	switch t.kind {
	case gobStructT:
		return s.fields(len(t.fields), func(i int) error { return s.elem(t.fields[i], depth+1) })
	case gobArrayT, gobSliceT:
		n, err := s.count("slice")
		if err != nil {
			return err
		}
		if t.kind == gobArrayT && int64(n) != t.length {
			return fmt.Errorf("an array of type length %d holds %d elements", t.length, n)
		}
		for range n {
			if err := s.elem(t.elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case gobMapT:
		n, err := s.count("map")
		if err != nil {
			return err
		}
		for range n {
			if err := s.elem(t.key, depth+1); err != nil {
				return err
			}
			if err := s.elem(t.elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return s.skipBytes("marshaled value")
}

// iface reads an interface value: the registered name of its concrete
// type (empty for nil), type definitions, the concrete type's id, the
// value's byte count (which encoding/gob skips too) and the value.
func (s *gobScan) iface(depth int) error {
	n, err := s.uint()
	if err != nil {
		return err
	}
	if n > gobMaxNameLen || n > uint64(s.end-s.off) {
		return fmt.Errorf("an interface value's type name declares %d bytes", n)
	}
	if n == 0 {
		return nil
	}
	s.off += int(n)
	id, err := s.typeSequence(true)
	if err != nil {
		return err
	}
	if _, err := s.uint(); err != nil {
		return err
	}
	return s.value(id, depth+1)
}
