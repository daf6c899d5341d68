package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bytedance/sonic"
	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
	gojson "github.com/goccy/go-json"
	"github.com/gorilla/securecookie"
)

// serializer is a JSON implementation plugged into the store through
// Options.JSON, and into securecookie through
// SetSerializer, so that both are measured with the same one.
type serializer struct {
	name    string
	marshal func(v any) ([]byte, error)
	// unmarshal is what a store of typed data without interface values
	// needs; exact also decodes numbers in interface values as
	// json.Number, as a Map store needs.
	unmarshal, exact func(data []byte, v any) error
}

// jsonPair is a cookiesession.JSONCodec made of a serializer's functions.
type jsonPair struct {
	marshal   func(v any) ([]byte, error)
	unmarshal func(data []byte, v any) error
}

func (p jsonPair) Marshal(v any) ([]byte, error)      { return p.marshal(v) }
func (p jsonPair) Unmarshal(data []byte, v any) error { return p.unmarshal(data, v) }

// unmarshalFor returns the decoder a store of p's data would be given.
func (s *serializer) unmarshalFor(p payload) func([]byte, any) error {
	if p.interfaces {
		return s.exact
	}
	return s.unmarshal
}

// sonicStd is sonic's encoding/json-compatible configuration (sorted map
// keys, HTML escaping, strings validated and copied) with UseNumber.
// Sorted keys are required: the store tells an untouched session by
// encoding it again and comparing with what it opened, so a Map encoded
// in random key order would be written back on every request.
var sonicStd = sonic.Config{
	EscapeHTML:       true,
	SortMapKeys:      true,
	CompactMarshaler: true,
	CopyString:       true,
	ValidateString:   true,
	UseNumber:        true,
}.Froze()

// serializers are the plugged JSON implementations, after the default
// (encoding/json, the contenders without a suffix).
var serializers = []*serializer{
	{
		name:      "goccy",
		marshal:   gojson.Marshal,
		unmarshal: gojson.Unmarshal,
		// go-json has UseNumber only on its Decoder.
		exact: func(data []byte, v any) error {
			d := gojson.NewDecoder(bytes.NewReader(data))
			d.UseNumber()
			if err := d.Decode(v); err != nil {
				return err
			}
			if d.More() {
				return errors.New("data after the JSON value")
			}
			return nil
		},
	},
	{
		name:      "sonic",
		marshal:   sonicStd.Marshal,
		unmarshal: sonicStd.Unmarshal,
		exact:     sonicStd.Unmarshal,
	},
}

// scSerializer adapts a serializer to securecookie.Serializer.
type scSerializer struct {
	marshal   func(any) ([]byte, error)
	unmarshal func([]byte, any) error
}

func (s scSerializer) Serialize(v any) ([]byte, error)   { return s.marshal(v) }
func (s scSerializer) Deserialize(b []byte, v any) error { return s.unmarshal(b, v) }

var _ securecookie.Serializer = scSerializer{}

// codecContenders are, for each plugged serializer, the floor, the codec,
// the store and securecookie with that serializer.
func codecContenders() []contender {
	var out []contender
	for _, s := range serializers {
		out = append(out,
			contender{"floor-" + s.name, func(tb testing.TB, p payload) impl { return floorWith(tb, p, s.marshal, s.unmarshalFor(p)) }},
			contender{"codec-" + s.name, func(tb testing.TB, p payload) impl {
				return codecWith(tb, p, cookiesession.XChaCha20Poly1305, s.marshal, s.unmarshalFor(p))
			}},
			contender{"store-" + s.name, func(tb testing.TB, p payload) impl { return p.store(tb, s) }},
			contender{"securecookie-" + s.name, func(tb testing.TB, p payload) impl {
				return secureCookieWith(p, scSerializer{s.marshal, s.unmarshalFor(p)})
			}},
		)
	}
	return out
}

// allSerializers is encoding/json (as the store uses it by default) and
// the plugged ones.
func allSerializers() []*serializer {
	std := &serializer{name: "json", marshal: json.Marshal, unmarshal: json.Unmarshal, exact: func(data []byte, v any) error {
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		return d.Decode(v)
	}}
	return append([]*serializer{std}, serializers...)
}

// vector is the part of an internal/format/testdata/vectors.json entry these tests use.
type vector struct {
	Comment   string   `json:"comment"`
	Keys      []string `json:"keys"`
	Name      string   `json:"name"`
	Chunks    int      `json:"chunks"`
	Created   int64    `json:"created"`
	Sealed    int64    `json:"sealed"`
	Flashes   bool     `json:"flashes"`
	Plaintext string   `json:"plaintext"`
	Value     string   `json:"value"`
	Error     string   `json:"error"`
}

func readVectors(t *testing.T) []vector {
	b, err := os.ReadFile("../internal/format/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestCodecVectors checks that every serializer decodes each test vector's
// plaintext to what encoding/json decodes (numbers as json.Number), encodes
// it back to the bytes encoding/json produces, and that a store using it
// opens the vectors' cookie values to the same data.
func TestCodecVectors(t *testing.T) {
	vs := readVectors(t)
	for _, s := range allSerializers() {
		t.Run(s.name, func(t *testing.T) {
			for _, v := range vs {
				var want, got any
				if err := allSerializers()[0].exact([]byte(v.Plaintext), &want); err != nil {
					t.Fatalf("%s: encoding/json: %v", v.Comment, err)
				}
				if err := s.exact([]byte(v.Plaintext), &got); err != nil {
					t.Fatalf("%s: %v", v.Comment, err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s: decoded %#v, want %#v", v.Comment, got, want)
				}
				wantJSON, _ := json.Marshal(want)
				gotJSON, err := s.marshal(got)
				if err != nil || !bytes.Equal(gotJSON, wantJSON) {
					t.Errorf("%s: encoded %s (%v), want %s", v.Comment, gotJSON, err, wantJSON)
				}
				if v.Error != "" || v.Chunks > 1 || v.Sealed-v.Created > int64(bounds.MaxAgeLimit/time.Second) {
					continue // failures, chunks, edge times: the root's vector tests
				}
				storeOpensVector(t, s, v, want)
			}
		})
	}
}

// storeOpensVector opens v's value through a Map store using s and
// compares its data with want (the plaintext as encoding/json decodes it,
// the data part of a flashes envelope).
func storeOpensVector(t *testing.T, s *serializer, v vector, want any) {
	t.Helper()
	keys := make([][]byte, len(v.Keys)) // base64url of any length: not ParseKeys's form
	for i, k := range v.Keys {
		var err error
		if keys[i], err = base64.RawURLEncoding.DecodeString(k); err != nil {
			t.Fatal(err)
		}
	}
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys: keys, Name: v.Name, JSON: jsonPair{s.marshal, s.exact}, MaxAge: bounds.MaxAgeLimit,
		Now: func() time.Time { return time.Unix(v.Sealed, 0) },
	})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", v.Name+"="+v.Value)
	sess := store.Get(r)
	if sess.IsNew() {
		t.Fatalf("%s: not opened: %v", v.Comment, sess.Err())
	}
	if v.Flashes {
		want = want.([]any)[0]
	}
	var got any = sess.Data
	if sess.Data == nil {
		got = nil
	}
	if want != nil && !reflect.DeepEqual(got, any(cookiesession.Map(want.(map[string]any)))) {
		t.Errorf("%s: store data %#v, want %#v", v.Comment, got, want)
	}
}

// TestCodecMapNumbers checks, for every serializer, the Map guarantees
// through the middleware: an int64 beyond 2^53, the largest uint64 and a
// decimal longer than a float64 holds come back exact on the next two
// requests and stay exact in the sealed JSON after another key changes,
// and a request that does not change the session writes no Set-Cookie.
func TestCodecMapNumbers(t *testing.T) {
	const (
		big = "9007199254740993" // 1<<53 + 1
		u64 = "18446744073709551615"
		dec = "3.14159265358979323846264338327950288"
	)
	for _, s := range allSerializers() {
		t.Run(s.name, func(t *testing.T) {
			store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: [][]byte{key32}, Name: cookieName, JSON: jsonPair{s.marshal, s.exact}})
			if err != nil {
				t.Fatal(err)
			}
			var step func(cookiesession.Map)
			var got cookiesession.Map
			h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sess := store.Get(r)
				got = sess.Data
				if step != nil {
					step(sess.Data)
				}
			}))
			cookie := ""
			do := func() []string {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				if cookie != "" {
					r.Header.Set("Cookie", cookie)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				lines := rec.Result().Header["Set-Cookie"]
				for _, l := range lines {
					cookie, _, _ = strings.Cut(l, ";")
				}
				return lines
			}
			exact := func(when string) {
				t.Helper()
				for k, w := range map[string]string{"i": big, "u": u64, "dec": dec} {
					if n, ok := got[k].(json.Number); !ok || n.String() != w {
						t.Errorf("%s: Data[%q] = %#v, want json.Number %s", when, k, got[k], w)
					}
				}
			}
			step = func(d cookiesession.Map) {
				d["i"] = int64(1<<53 + 1)
				d["u"] = uint64(math.MaxUint64)
				d["dec"] = json.Number(dec)
				d["n"] = 1
			}
			if len(do()) != 1 {
				t.Fatal("first request: no Set-Cookie")
			}
			step = nil
			for i := range 2 { // two untouched requests
				if lines := do(); len(lines) != 0 {
					t.Fatalf("untouched request %d wrote %q", i+1, lines)
				}
				exact(fmt.Sprintf("untouched request %d", i+1))
			}
			step = func(d cookiesession.Map) { d["n"] = 2 }
			if len(do()) != 1 {
				t.Fatal("changed request: no Set-Cookie")
			}
			codec, _ := format.NewCodec(format.XChaCha20Poly1305, false, key32)
			_, pt, err := codec.Open(cookieName, 1, strings.TrimPrefix(cookie, cookieName+"="))
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"dec":` + dec + `,"i":` + big + `,"n":2,"u":` + u64 + `}`; string(pt) != want {
				t.Errorf("sealed %s, want %s", pt, want)
			}
			step = nil
			if lines := do(); len(lines) != 0 {
				t.Fatalf("untouched request after the change wrote %q", lines)
			}
			exact("after the change")
		})
	}
}

// TestCodecTypedStore checks that a store with each serializer gives back
// the typed payloads as they were saved.
func TestCodecTypedStore(t *testing.T) {
	for _, s := range allSerializers() {
		t.Run(s.name, func(t *testing.T) {
			checkTyped(t, s, newSmall())
			checkTyped(t, s, newLarge())
		})
	}
}

func checkTyped[T any](t *testing.T, s *serializer, v T) {
	t.Helper()
	store, err := cookiesession.New[T](cookiesession.Options{Keys: [][]byte{key32}, Name: cookieName, JSON: jsonPair{s.marshal, s.unmarshal}})
	if err != nil {
		t.Fatal(err)
	}
	sess := store.Get(httptest.NewRequest(http.MethodGet, "/", nil))
	sess.Data = v
	rec := httptest.NewRecorder()
	if err := sess.Save(rec); err != nil {
		t.Fatal(err)
	}
	value, err := setCookieValue(rec.Header())
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", cookieName+"="+value)
	got := store.Get(r)
	if got.IsNew() || !reflect.DeepEqual(got.Data, v) {
		t.Errorf("%T: got %+v (%v), want %+v", v, got.Data, got.Err(), v)
	}
}
