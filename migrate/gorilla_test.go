package migrate

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/cookie"
	"github.com/cookiesession/cookiesession/internal/testjar"
	"github.com/gorilla/securecookie"
)

var (
	gHash1  = []byte("0123456789abcdef0123456789abcdef")
	gBlock1 = []byte("fedcba9876543210fedcba9876543210")
	gHash2  = []byte("an older hash key, 32 bytes long")
	gBlock2 = []byte("older block key!")
)

// gorillaCookie encodes values the way gorilla/sessions' CookieStore.Save
// does: securecookie.EncodeMulti over CodecsFromPairs(pairs...).
func gorillaCookie(t *testing.T, name string, values any, json bool, pairs ...[]byte) string {
	t.Helper()
	codecs := securecookie.CodecsFromPairs(pairs...)
	if json {
		for _, c := range codecs {
			c.(*securecookie.SecureCookie).SetSerializer(securecookie.JSONEncoder{})
		}
	}
	v, err := securecookie.EncodeMulti(name, values, codecs...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// gorillaRead decodes value the way a CookieStore with pairs does.
func gorillaRead(t *testing.T, name, value string, pairs ...[]byte) map[interface{}]interface{} {
	t.Helper()
	got := map[interface{}]interface{}{}
	if err := securecookie.DecodeMulti(name, value, &got, securecookie.CodecsFromPairs(pairs...)...); err != nil {
		t.Fatal(err)
	}
	return got
}

func mustGorilla(t *testing.T, g Gorilla) *gorillaFormat {
	t.Helper()
	f, err := g.compile()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestGorillaGob(t *testing.T) {
	registerGobBasics()
	values := map[interface{}]interface{}{
		"user":   "zoë 😀",
		"id":     42,
		"admin":  true,
		"score":  2.5,
		"big":    int64(math.MaxInt64),
		"ubig":   uint64(math.MaxUint64),
		"bytes":  []byte("raw"),
		"_flash": []interface{}{"saved", "twice"},
		7:        "int key",
		true:     "bool key",
		1.5:      "float key",
		"nested": []interface{}{"a", 1, []interface{}{false}},
	}
	want := `{"user":"zoë 😀","id":42,"admin":true,"score":2.5,"big":9223372036854775807,
		"ubig":18446744073709551615,"bytes":"cmF3","_flash":["saved","twice"],"7":"int key",
		"true":"bool key","1.5":"float key","nested":["a",1,[false]]}`
	for _, tc := range []struct {
		name  string
		pairs [][]byte
	}{
		{"encrypted", [][]byte{gHash1, gBlock1}},
		{"hash only", [][]byte{gHash1, nil}},
		{"hash only, odd pairs", [][]byte{gHash1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustGorilla(t, Gorilla{Name: "gsess", KeyPairs: tc.pairs})
			got, err := f.decode(gorillaCookie(t, "gsess", values, false, tc.pairs...), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			jsonEqual(t, got, want)
			if !bytes.Contains(got, []byte("9223372036854775807")) || !bytes.Contains(got, []byte("18446744073709551615")) {
				t.Fatalf("large integers not kept exactly: %s", got)
			}
		})
	}
}

func TestGorillaKeyRotation(t *testing.T) {
	registerGobBasics()
	old := gorillaCookie(t, "s", map[interface{}]interface{}{"k": "v"}, false, gHash2, gBlock2)
	f := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1, gHash2, gBlock2}})
	got, err := f.decode(old, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, got, `{"k":"v"}`)
	// A pair's block key belongs to its hash key: crossing them fails.
	crossed := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1, gHash2, gBlock1}})
	if _, err := crossed.decode(old, time.Now()); !errors.Is(err, cookiesession.ErrLegacyPayload) {
		t.Fatalf("wrong block key: %v", err)
	}
	only := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}})
	if _, err := only.decode(old, time.Now()); !errors.Is(err, cookiesession.ErrLegacySignature) {
		t.Fatalf("old pair removed: %v", err)
	}
}

func TestGorillaRejects(t *testing.T) {
	registerGobBasics()
	f := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}})
	good := gorillaCookie(t, "s", map[interface{}]interface{}{"secret-data": "alice"}, false, gHash1, gBlock1)
	raw, _ := base64.URLEncoding.DecodeString(good)
	flipped := append([]byte(nil), raw...)
	flipped[len(flipped)/2] ^= 1
	cases := []struct {
		name, value string
		want        error
	}{
		{"altered", base64.URLEncoding.EncodeToString(flipped), cookiesession.ErrLegacySignature},
		{"other cookie name", gorillaCookie(t, "other", map[interface{}]interface{}{"a": 1}, false, gHash1, gBlock1), cookiesession.ErrLegacySignature},
		{"other keys", gorillaCookie(t, "s", map[interface{}]interface{}{"a": 1}, false, gHash2, gBlock2), cookiesession.ErrLegacySignature},
		{"not base64", "%%%", cookiesession.ErrLegacyPayload},
		{"base64 without fields", base64.URLEncoding.EncodeToString([]byte("abc")), cookiesession.ErrLegacyPayload},
		{"too long", strings.Repeat("A", 4097), cookiesession.ErrLegacyPayload},
		{"empty", "", cookiesession.ErrLegacyPayload},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.decode(c.value, time.Now())
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), string(gHash1)) {
				t.Fatalf("error leaks data or key: %v", err)
			}
		})
	}
}

func TestGorillaMaxAge(t *testing.T) {
	registerGobBasics()
	v := gorillaCookie(t, "s", map[interface{}]interface{}{"a": 1}, false, gHash1, gBlock1)
	def := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}})
	if _, err := def.decode(v, time.Now().Add(29*24*time.Hour)); err != nil {
		t.Fatalf("29 days old, default MaxAge 30 days: %v", err)
	}
	if _, err := def.decode(v, time.Now().Add(31*24*time.Hour)); !errors.Is(err, cookiesession.ErrExpired) {
		t.Fatalf("31 days old: %v", err)
	}
	short := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}, MaxAge: 60})
	if _, err := short.decode(v, time.Now().Add(2*time.Minute)); !errors.Is(err, cookiesession.ErrExpired) {
		t.Fatalf("MaxAge 60s, 2 minutes old: %v", err)
	}
}

func TestGorillaKeys(t *testing.T) {
	registerGobBasics()
	f := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}})
	read := func(values map[interface{}]interface{}) ([]byte, error) {
		return f.decode(gorillaCookie(t, "s", values, false, gHash1, gBlock1), time.Now())
	}
	got, err := read(map[interface{}]interface{}{int8(-3): 1, uint16(9): 2, float32(0.25): 3, false: 4, "s": 5})
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, got, `{"-3":1,"9":2,"0.25":3,"false":4,"s":5}`)

	for name, values := range map[string]map[interface{}]interface{}{
		"int and string collide": {1: "a", "1": "b"},
		"int and int64 collide":  {1: "a", int64(1): "b"},
		"NaN key":                {math.NaN(): "a"},
		"NaN value":              {"a": math.NaN()},
		"infinite value":         {"a": math.Inf(1)},
		"complex value":          {"a": complex(1, 2)},
		"struct key":             {gorillaTestKey{1}: "a"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := read(values); !errors.Is(err, cookiesession.ErrLegacyPayload) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// gorillaTestKey stands for an application type used as a session key.
type gorillaTestKey struct{ A int }

// Registered under the name it had before package migrate existed, which
// the hand-built gob payloads of gob_ignored_test.go spell out.
func init() { gob.RegisterName(rvKeyName, gorillaTestKey{}) }

// gorillaTestUser stands for an application type stored in a session.
type gorillaTestUser struct {
	Name  string `json:"name"`
	Roles []string
}

func TestGorillaRegisteredTypes(t *testing.T) {
	registerGobBasics()
	values := map[interface{}]interface{}{"user": gorillaTestUser{Name: "zoë", Roles: []string{"admin"}}}
	// Encoding needs the type registered, as in the gorilla application.
	gob.RegisterName("app.User", gorillaTestUser{})
	cookie := gorillaCookie(t, "s", values, false, gHash1, gBlock1)

	f := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}})
	got, err := f.decode(cookie, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, got, `{"user":{"name":"zoë","Roles":["admin"]}}`)

	// A type this program never registered names itself in the error.
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(map[interface{}]interface{}{"x": gorillaTestUser{}}); err != nil {
		t.Fatal(err)
	}
	unknown := bytes.Replace(buf.Bytes(), []byte("app.User"), []byte("app.Usex"), 1)
	_, err = gobToJSON(unknown, "test cookie")
	if !errors.Is(err, cookiesession.ErrLegacyPayload) || !strings.Contains(err.Error(), "app.Usex") || !strings.Contains(err.Error(), "gob.Register") {
		t.Fatalf("unregistered type: %v", err)
	}
}

func TestGorillaJSON(t *testing.T) {
	f := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}, JSON: true})
	v := gorillaCookie(t, "s", map[string]any{"a": "b", "n": json.Number("123456789012345678901234567890")}, true, gHash1, gBlock1)
	got, err := f.decode(v, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != `{"a":"b","n":123456789012345678901234567890}` {
		t.Fatalf("got %s", got)
	}
	for _, notObject := range []any{[]int{1}, "s", nil, 3} {
		v := gorillaCookie(t, "s", notObject, true, gHash1, gBlock1)
		if _, err := f.decode(v, time.Now()); !errors.Is(err, cookiesession.ErrLegacyPayload) {
			t.Fatalf("%v: %v", notObject, err)
		}
	}
	// A gob cookie read as JSON, and a JSON cookie read as gob.
	gobF := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1}})
	if _, err := gobF.decode(v, time.Now()); !errors.Is(err, cookiesession.ErrLegacyPayload) || !strings.Contains(err.Error(), "set JSON") {
		t.Fatalf("JSON read as gob: %v", err)
	}
	registerGobBasics()
	g := gorillaCookie(t, "s", map[interface{}]interface{}{"a": 1}, false, gHash1, gBlock1)
	if _, err := f.decode(g, time.Now()); !errors.Is(err, cookiesession.ErrLegacyPayload) {
		t.Fatalf("gob read as JSON: %v", err)
	}
}

func TestGorillaEncode(t *testing.T) {
	f := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1, gHash2, gBlock2}})
	v, err := f.encode([]byte(`{"user":"zoë","id":42,"big":12345678901234567890,"huge":1e30,"ratio":0.5,"ok":true,"none":null,"_flash":["hi"],"list":[1,"a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := gorillaRead(t, "s", v, gHash1, gBlock1)
	want := map[interface{}]interface{}{
		"user": "zoë", "id": 42, "big": uint64(12345678901234567890), "huge": 1e30, "ratio": 0.5,
		"ok": true, "none": nil, "_flash": []interface{}{"hi"}, "list": []interface{}{1, "a"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("gorilla reads\n%#v\nwant\n%#v", got, want)
	}
	// Written with the first pair only.
	if err := securecookie.DecodeMulti("s", v, &got, securecookie.CodecsFromPairs(gHash2, gBlock2)...); err == nil {
		t.Fatal("written with the second pair")
	}
	// And read back by this side.
	back, err := f.decode(v, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, back, `{"user":"zoë","id":42,"big":12345678901234567890,"huge":1e30,"ratio":0.5,"ok":true,"none":null,"_flash":["hi"],"list":[1,"a"]}`)

	if _, err := f.encode([]byte(`[1]`)); !errors.Is(err, cookiesession.ErrEncode) {
		t.Fatalf("array: %v", err)
	}

	// Nested objects need map[string]interface{} registered with gob, here
	// and in the gorilla services.
	nested := []byte(`{"prefs":{"theme":"dark","n":1}}`)
	if _, err := f.encode(nested); err != nil {
		if !errors.Is(err, cookiesession.ErrEncode) || !strings.Contains(err.Error(), "gob.Register(map[string]interface{}{})") {
			t.Fatalf("nested object: %v", err)
		}
		gob.Register(map[string]interface{}{})
	}
	v, err = f.encode(nested)
	if err != nil {
		t.Fatal(err)
	}
	got = gorillaRead(t, "s", v, gHash1, gBlock1)
	if !reflect.DeepEqual(got, map[interface{}]interface{}{"prefs": map[string]interface{}{"theme": "dark", "n": 1}}) {
		t.Fatalf("%#v", got)
	}

	js := mustGorilla(t, Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, nil}, JSON: true})
	v, err = js.encode([]byte(`{"a": [1, {"b": "c"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	codec := securecookie.New(gHash1, nil).SetSerializer(securecookie.JSONEncoder{})
	if err := codec.Decode("s", v, &m); err != nil || !reflect.DeepEqual(m, map[string]any{"a": []any{1.0, map[string]any{"b": "c"}}}) {
		t.Fatalf("%v %v", m, err)
	}
}

func TestGorillaOptions(t *testing.T) {
	bad := []Gorilla{
		{KeyPairs: [][]byte{gHash1}},
		{Name: "s"},
		{Name: "s", KeyPairs: [][]byte{nil, gBlock1}},
		{Name: "s", KeyPairs: [][]byte{gHash1, []byte("short")}},
		{Name: "s", KeyPairs: [][]byte{gHash1, gBlock1, gHash2, []byte("seventeen bytes!!")}},
		{Name: "s", KeyPairs: [][]byte{gHash1}, MaxAge: -1},
		{Name: "a:b", KeyPairs: [][]byte{gHash1}},
		{Name: "a b", KeyPairs: [][]byte{gHash1}},
	}
	for _, g := range bad {
		if _, err := g.compile(); !errors.Is(err, cookiesession.ErrInvalidOptions) {
			t.Errorf("%q: %v", g.Name, err)
		}
	}
	for _, block := range [][]byte{nil, {}, make([]byte, 16), make([]byte, 24), make([]byte, 32)} {
		if _, err := (&Gorilla{Name: "s", KeyPairs: [][]byte{gHash1, block}}).compile(); err != nil {
			t.Errorf("block key of %d bytes: %v", len(block), err)
		}
	}
}

func TestStoreUpgradesGorillaSession(t *testing.T) {
	registerGobBasics()
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1, gHash2, gBlock2}, MaxAge: 3600}
	now := time.Now()
	var rejected error
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}, Now: func() time.Time { return now }, OnEvent: onRejected(func(err error) { rejected = err })})
	var seen cookiesession.Map
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = s.Get(r).Data }))

	cookie := gorillaCookie(t, "gsess", map[interface{}]interface{}{"user": "zoë", 7: true, "_flash": []interface{}{"hi"}}, false, gHash2, gBlock2)
	cj := jar{"gsess": cookie}
	lines := cj.serve(h)
	if rejected != nil || seen["user"] != "zoë" || seen["7"] != true || !reflect.DeepEqual(seen["_flash"], []any{"hi"}) {
		t.Fatalf("seen %v, rejected %v", seen, rejected)
	}
	if !testjar.HasLine(lines, "sid=") || !testjar.HasLine(lines, "gsess=; Max-Age=0") || len(cj) != 1 {
		t.Fatalf("upgrade: %q", lines)
	}

	// An hour later by the store's clock, the gorilla cookie has expired.
	now = now.Add(time.Hour + time.Minute)
	cj = jar{"gsess": cookie}
	cj.serve(h)
	if !errors.Is(rejected, cookiesession.ErrExpired) || len(seen) != 0 {
		t.Fatalf("expired: %v, %v", rejected, seen)
	}
}

func TestStoreGorillaTransition(t *testing.T) {
	registerGobBasics()
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}, Transition: true}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if r.URL.Query().Has("logout") {
			sess.Destroy()
			return
		}
		n, _ := sess.Data["visits"].(json.Number)
		v, _ := n.Int64()
		sess.Data["visits"] = v + 1
	}))
	cj := jar{"gsess": gorillaCookie(t, "gsess", map[interface{}]interface{}{"user": "zoë", "visits": 1}, false, gHash1, gBlock1)}
	lines := cj.serve(h)
	if len(lines) != 1 || !testjar.HasLine(lines, "gsess=") {
		t.Fatalf("transition write: %q", lines)
	}
	got := gorillaRead(t, "gsess", cj["gsess"], gHash1, gBlock1)
	if !reflect.DeepEqual(got, map[interface{}]interface{}{"user": "zoë", "visits": 2}) {
		t.Fatalf("gorilla reads %#v", got)
	}
	r := httptest.NewRequest("GET", "/?logout", nil)
	r.Header.Set("Cookie", cj.header())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	if lines := rec.Result().Header["Set-Cookie"]; !testjar.HasLine(lines, "gsess=; Max-Age=0") {
		t.Fatalf("logout: %q", lines)
	}
}

func TestLegacyConcurrentUse(t *testing.T) {
	registerGobBasics()
	e := Express{Keys: []string{"k1"}}
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}, Transition: true}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e, &g}})
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		if sess.Err() != nil || sess.IsNew() {
			t.Errorf("%v", sess.Err())
		}
		sess.Data["n"] = 1
	}))
	express := expressJar(t, e, `{"a":1}`)
	gorilla := jar{"gsess": gorillaCookie(t, "gsess", map[interface{}]interface{}{"a": 1}, false, gHash1, gBlock1)}
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := 0; k < 50; k++ {
				for _, j := range []jar{express, gorilla} {
					r := httptest.NewRequest("GET", "/", nil)
					r.Header.Set("Cookie", j.header())
					h.ServeHTTP(httptest.NewRecorder(), r)
				}
			}
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
}

func TestGorillaEmptyCookieIsAbsent(t *testing.T) {
	f := mustGorilla(t, Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1}})
	for _, h := range []string{"", "gsess=", "other=1", "gsess=\"\""} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", h)
		if l, err := f.Load(r.Header["Cookie"], time.Now()); l.Found || err != nil {
			t.Errorf("%q: found %v, err %v", h, l.Found, err)
		}
	}
}

// appendGobUint appends u in encoding/gob's unsigned-integer form: one byte below
// 128, else the negated byte count and the big-endian bytes.
func appendGobUint(b []byte, u uint64) []byte {
	if u < 0x80 {
		return append(b, byte(u))
	}
	var be [8]byte
	n := 0
	for v := u; v > 0; v >>= 8 {
		n++
	}
	for i := 0; i < n; i++ {
		be[7-i] = byte(u >> (8 * i))
	}
	return append(append(b, byte(-n)), be[8-n:]...)
}

// gobMsg prefixes payload with its length, as one gob message.
func gobMsg(b []byte, payload ...byte) []byte {
	return append(appendGobUint(b, uint64(len(payload))), payload...)
}

// gobIface appends an interface value's header: the registered name, the
// concrete type id (as gob's signed form) and a byte count.
func gobIface(b []byte, name string, id ...byte) []byte {
	b = appendGobUint(b, uint64(len(name)))
	b = append(b, name...)
	return append(append(b, id...), 0x7f)
}

// Type definitions, as encoding/gob sends them for a CookieStore: id 64 is
// map[interface{}]interface{}, id 65 []interface{}.
var (
	// Clipped, so that appending to them always copies.
	gobMapDef   = slices.Clip(gobMsg(nil, 0x7f, 0x04, 0x01, 0x02, 0xff, 0x80, 0x00, 0x01, 0x10, 0x01, 0x10, 0x00, 0x00))
	gobSliceDef = slices.Clip(gobMsg(nil, 0xff, 0x81, 0x02, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x10, 0x00, 0x00))
)

const (
	gobMapName   = "map[interface {}]interface {}"
	gobSliceName = "[]interface {}"
)

// gorillaBombs returns gob payloads small enough for a cookie that declare
// far more than they hold.
func gorillaBombs() map[string][]byte {
	bombs := map[string][]byte{}
	top := func(count uint64) []byte { return appendGobUint([]byte{0xff, 0x80, 0x00}, count) }
	for name, n := range map[string]uint64{"map of 16M": 1 << 24, "map of 64M": 1 << 26, "map of 2^62": 1 << 62} {
		bombs[name] = gobMsg(gobMapDef, top(n)...)
	}
	// Each level a map of 1M entries whose first value is the next level.
	nested := top(1 << 20)
	for len(nested) < 1700 {
		nested = append(gobIface(append(gobIface(nested, "string", 0x0c), 0x00, 0x01, 'k'), gobMapName, 0xff, 0x80), 0x00)
		nested = appendGobUint(nested, 1<<20)
	}
	bombs["nested maps"] = gobMsg(gobMapDef, nested...)
	// A slice of 600k interfaces (10 MB each) per level.
	slices := append(gobIface(top(1), "string", 0x0c), 0x00, 0x01, 'k')
	for len(slices) < 1700 {
		slices = append(gobIface(slices, gobSliceName, 0xff, 0x82), 0x00)
		slices = appendGobUint(slices, 600_000)
	}
	bombs["nested slices"] = gobMsg(append(gobMapDef, gobSliceDef...), slices...)
	str := appendGobUint(append(gobIface(top(1), "string", 0x0c), 0x00), 1<<30)
	bombs["string of 1G"] = gobMsg(gobMapDef, str...)
	bombs["message of 9M"] = append(appendGobUint(gobMapDef, 9<<20), top(1)...)
	// A struct type of 400k fields (24 bytes each in gob's wireType).
	bombs["type of 400k fields"] = gobMsg(nil, append([]byte{0xff, 0x81, 0x03, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01}, appendGobUint(nil, 400_000)...)...)
	// Behind an interface value gob skips by its byte count (a struct
	// field the registered type lacks): legacy_gob_ignored_test.go.
	bombs["skipped interface, nested slices"] = rvAlloc()
	bombs["skipped nil interface, nested slices"] = rvNilAlloc()
	return bombs
}

// sealGorilla wraps a raw payload in securecookie's MAC and encryption, as
// a CookieStore with gHash1 and gBlock1 would.
func sealGorilla(t testing.TB, name string, raw []byte) string {
	t.Helper()
	v, err := securecookie.New(gHash1, gBlock1).SetSerializer(securecookie.NopEncoder{}).Encode(name, raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > gorillaMaxLength {
		t.Fatalf("hostile cookie of %d bytes does not fit", len(v))
	}
	return v
}

// gorillaBombLimit is what reading one hostile cookie may allocate in all:
// a few times the cookie's size plus the store's fixed costs.
const gorillaBombLimit = 4 << 20

func TestGorillaGobBomb(t *testing.T) {
	registerGobBasics()
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	for name, raw := range gorillaBombs() {
		t.Run(name, func(t *testing.T) {
			cookie := sealGorilla(t, "gsess", raw)
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Cookie", "gsess="+cookie)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			sess := s.Get(r)
			runtime.ReadMemStats(&after)
			if !sess.IsNew() || len(sess.Data) != 0 || !errors.Is(sess.Err(), cookiesession.ErrLegacyPayload) {
				t.Fatalf("new %v, data %v, err %v", sess.IsNew(), sess.Data, sess.Err())
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > gorillaBombLimit {
				t.Fatalf("%d-byte cookie allocated %d bytes reading it, limit %d", len(cookie), n, gorillaBombLimit)
			}
			if strings.Contains(sess.Err().Error(), cookie[:40]) {
				t.Fatalf("error quotes the cookie: %v", sess.Err())
			}
		})
	}
}

func BenchmarkGorillaGobBomb(b *testing.B) {
	registerGobBasics()
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}}
	s, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{testKey(7)}, Name: "sid", Secure: cookiesession.SecureNever, Legacy: []cookiesession.Legacy{&g}})
	if err != nil {
		b.Fatal(err)
	}
	bombs := gorillaBombs()
	for _, name := range []string{"map of 16M", "nested maps", "nested slices"} {
		cookie := sealGorilla(b, "gsess", bombs[name])
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Cookie", "gsess="+cookie)
			for b.Loop() {
				if s.Get(r).Err() == nil {
					b.Fatal("hostile cookie accepted")
				}
			}
		})
	}
}

// TestGorillaUnhashableKey reads a payload whose map key is a slice, which
// encoding/gob decodes and then panics on when it inserts the key.
func TestGorillaUnhashableKey(t *testing.T) {
	registerGobBasics()
	v := appendGobUint([]byte{0xff, 0x80, 0x00}, 1)
	v = append(gobIface(v, gobSliceName, 0xff, 0x82), 0x00, 0x00) // key: []interface{}{}
	v = append(v, 0x00)                                           // value: nil
	raw := gobMsg(append(gobMapDef, gobSliceDef...), v...)
	f := mustGorilla(t, Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}})
	_, err := f.decode(sealGorilla(t, "gsess", raw), time.Now())
	if !errors.Is(err, cookiesession.ErrLegacyPayload) {
		t.Fatalf("got %v", err)
	}
}

// gorillaNumbers are values a CookieStore may hold that a float64 would
// round, or whose type JSON cannot keep.
func gorillaNumbers() map[interface{}]interface{} {
	return map[interface{}]interface{}{
		"i64": int64(1<<53 + 1), "u64": uint64(math.MaxUint64), "min": int64(math.MinInt64),
		"int": 7, "i32": int32(-5), "u8": uint8(200), "f64": 0.1, "f32": float32(0.1),
		"e20": 1e20, "e300": 1e300, "whole": 2.0,
		"list": []interface{}{int64(1<<62 + 1), uint64(1<<63 + 1)},
	}
}

func TestGorillaNumbersToJSON(t *testing.T) {
	registerGobBasics()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(gorillaNumbers()); err != nil {
		t.Fatal(err)
	}
	out, err := gobToJSON(buf.Bytes(), "test cookie")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var got map[string]any
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"i64": "9007199254740993", "u64": "18446744073709551615", "min": "-9223372036854775808",
		"int": "7", "i32": "-5", "u8": "200", "f64": "0.1", "f32": "0.1",
		"e20": "100000000000000000000", "e300": "1e+300", "whole": "2",
	}
	for k, w := range want {
		if n, ok := got[k].(json.Number); !ok || string(n) != w {
			t.Errorf("%s: %#v, want %s", k, got[k], w)
		}
	}
	if l := got["list"].([]any); l[0].(json.Number) != "4611686018427387905" || l[1].(json.Number) != "9223372036854775809" {
		t.Errorf("list: %v", l)
	}
}

func TestGorillaNumbersFromJSON(t *testing.T) {
	ok := map[string]any{
		"9007199254740993":      9007199254740993,
		"-9223372036854775808":  math.MinInt64,
		"9223372036854775807":   math.MaxInt64,
		"9223372036854775808":   uint64(1 << 63),
		"18446744073709551615":  uint64(math.MaxUint64),
		"7":                     7,
		"-0":                    0,
		"100000000000000000000": 1e20,
		"0.1":                   0.1,
		"2.5":                   2.5,
		"1.0":                   1.0,
		"1e30":                  1e30,
		"1e+300":                1e300,
		"-1.5E-7":               -1.5e-7,
	}
	if strconv.IntSize == 32 {
		ok["9007199254740993"] = int64(9007199254740993)
		ok["-9223372036854775808"] = int64(math.MinInt64)
		ok["9223372036854775807"] = int64(math.MaxInt64)
	}
	for text, want := range ok {
		got, err := jsonToGorilla([]byte(`{"n":` + text + `,"l":[` + text + `]}`))
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		if got["n"] != want || got["l"].([]interface{})[0] != want {
			t.Errorf("%s: %#v (%T), want %#v (%T)", text, got["n"], got["n"], want, want)
		}
	}
	for _, text := range []string{
		"-9223372036854775809", "18446744073709551616", "123456789012345678901234567890",
		"3.14159265358979323846264338327950288", "0.10000000000000000001", "1e400", "1e-400",
	} {
		for _, js := range []string{`{"n":` + text + `}`, `{"l":[{"m":` + text + `}]}`} {
			_, err := jsonToGorilla([]byte(js))
			if !errors.Is(err, cookiesession.ErrEncode) || strings.Contains(err.Error(), text) {
				t.Errorf("%s: %v", js, err)
			}
		}
	}
}

// TestStoreGorillaNumbers reads a CookieStore session with large numbers
// through a Map store, over two requests, with and without transition.
func TestStoreGorillaNumbers(t *testing.T) {
	registerGobBasics()
	wantNumbers := map[string]string{"i64": "9007199254740993", "u64": "18446744073709551615", "min": "-9223372036854775808", "i32": "-5", "f64": "0.1"}
	for _, trans := range []bool{false, true} {
		t.Run(map[bool]string{false: "upgrade", true: "transition"}[trans], func(t *testing.T) {
			g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1, gBlock1}, Transition: trans}
			s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
			var seen cookiesession.Map
			h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := s.Get(r)
				if sess.Err() != nil {
					t.Errorf("request: %v", sess.Err())
				}
				seen = maps.Clone(sess.Data)
				sess.Data["visits"] = len(seen)
			}))
			cj := jar{"gsess": gorillaCookie(t, "gsess", gorillaNumbers(), false, gHash1, gBlock1)}
			for req := 1; req <= 2; req++ {
				cj.serve(h)
				for k, w := range wantNumbers {
					if n, ok := seen[k].(json.Number); !ok || string(n) != w {
						t.Errorf("request %d: Data[%q] = %#v, want json.Number %s", req, k, seen[k], w)
					}
				}
				_, hasSealed := cj["sid"]
				if hasSealed == trans || len(cj) != 1 {
					t.Fatalf("request %d: jar %v", req, cj)
				}
			}
			if !trans {
				return
			}
			// Every key the handler left alone comes back as gorilla wrote
			// it, Go type and all; the one it set is converted from JSON.
			got := gorillaRead(t, "gsess", cj["gsess"], gHash1, gBlock1)
			want := gorillaNumbers()
			want["visits"] = 13
			if strconv.IntSize == 32 {
				t.Skip("expectations are for 64-bit int")
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("gorilla reads\n%#v\nwant\n%#v", got, want)
			}
		})
	}
}

// BenchmarkGorillaHostileHeader measures the gorilla reader (r.Cookie, as
// a CookieStore uses) on 1 MB Cookie headers, the net/http server's
// default MaxHeaderBytes, against Request.Cookies parsing the same header.
func BenchmarkGorillaHostileHeader(b *testing.B) {
	f, err := (&Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1}}).compile()
	if err != nil {
		b.Fatal(err)
	}
	const size = 1 << 20 // http.DefaultMaxHeaderBytes
	for _, h := range []struct{ name, header string }{
		{"semicolons", strings.Repeat(";", size)},
		{"200k pairs", strings.Repeat("a=b; ", 200_000)},
		{"80k chunk names", strings.Repeat("gsess~2=x; ", 80_000)},
		// net/http ignores a header of more than 3,000 cookies (GODEBUG
		// httpcookiemaxnum) after counting them, so the shapes above cost
		// one scan; this one stays below and fills 1 MB with long values.
		{"2999 long pairs", strings.Repeat("a="+strings.Repeat("v", size/2999-4)+"; ", 2999)},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header["Cookie"] = []string{h.header}
		b.Run(h.name+"/gorilla", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(h.header)))
			for b.Loop() {
				// Past net/http's cap the reader reports the request
				// (ErrChunks) instead of reading it; below it finds none.
				if l, err := f.Load(r.Header["Cookie"], time.Now()); l.Data != nil || (err != nil && !errors.Is(err, cookiesession.ErrChunks)) {
					b.Fatalf("read %q, %v", l.Data, err)
				}
			}
		})
		b.Run(h.name+"/Request.Cookies", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(h.header)))
			for b.Loop() {
				_ = r.Cookies()
			}
		})
	}
}

// TestGorillaPastCookieCapReported checks that a gorilla session behind
// more cookies than net/http parses is reported, not silently dropped.
func TestGorillaPastCookieCapReported(t *testing.T) {
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1}}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	valid := gorillaCookie(t, "gsess", map[interface{}]interface{}{"user": "ada"}, false, gHash1)
	for _, n := range []int{10, cookie.MaxCookies + 10} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Cookie", strings.Repeat("a=b; ", n)+"gsess="+valid)
		sess := s.Get(r)
		switch {
		case n < cookie.MaxCookies && (sess.IsNew() || sess.Data["user"] != "ada"):
			t.Errorf("%d junk cookies: session not read: %v", n, sess.Err())
		case n > cookie.MaxCookies && !errors.Is(sess.Err(), cookiesession.ErrChunks):
			t.Errorf("%d junk cookies: Err() = %v, want ErrChunks", n, sess.Err())
		}
	}
}

// TestGorillaTransitionKeepsUntouchedValues checks the faithful write-back:
// keys the handler did not change keep their Go key and value types (an
// int key, an int64, a registered struct); a changed one is converted from
// JSON, as MIGRATING.md lists (a changed struct becomes a
// map[string]interface{}, which gob needs registered: TestGorillaEncode).
func TestGorillaTransitionKeepsUntouchedValues(t *testing.T) {
	registerGobBasics()
	gob.RegisterName("app.User", gorillaTestUser{}) // as the gorilla application did
	g := Gorilla{Name: "gsess", KeyPairs: [][]byte{gHash1}, Transition: true}
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&g}})
	values := map[interface{}]interface{}{
		99: "an int key", "user": gorillaTestUser{Name: "zoë", Roles: []string{"admin"}}, "n": int64(5), "visits": 1,
	}
	cj := jar{"gsess": gorillaCookie(t, "gsess", values, false, gHash1)}
	cj.serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		n, _ := sess.Data["visits"].(json.Number).Int64()
		sess.Data["visits"] = n + 1
	})))
	got := gorillaRead(t, "gsess", cj["gsess"], gHash1)
	want := map[interface{}]interface{}{
		99: "an int key", "user": gorillaTestUser{Name: "zoë", Roles: []string{"admin"}}, "n": int64(5), "visits": 2,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("gorilla reads\n%#v\nwant\n%#v", got, want)
	}
}
