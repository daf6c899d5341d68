package migrate

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/testjar"
)

// Vectors computed with Node.js 20, keygrip 1.1.0 and cookie-session 2.1.1:
//
//	v = Buffer.from(JSON.stringify({user: "alice", n: 1})).toString('base64')
//	Keygrip(['k1']).sign('session=' + v)
//	Keygrip(['k1'], 'sha256').sign('session=' + v)
const (
	vecValue  = "eyJ1c2VyIjoiYWxpY2UiLCJuIjoxfQ=="
	vecSig1   = "IkVgzUP-YuX-SH0rbHimxq8xOWc"
	vecSig256 = "6SH1Z5P-Qld2zflalQIiyOtN8_y0RQvRfl4nyLh03BY"
	vecJSON   = `{"user":"alice","n":1}`
)

func mustExpress(t *testing.T, e Express) *expressFormat {
	t.Helper()
	f, err := e.compile()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestExpressKeygripVectors(t *testing.T) {
	f := mustExpress(t, Express{Keys: []string{"k1"}})
	if got := f.sign([]byte("k1"), "session="+vecValue); got != vecSig1 {
		t.Fatalf("SHA-1 signature %q, keygrip gives %q", got, vecSig1)
	}
	obj, idx, found, err := decodeHeader(f, "session="+vecValue+"; session.sig="+vecSig1)
	if err != nil || !found || idx != 0 || string(obj) != vecJSON {
		t.Fatalf("decode = %s, %d, %v, %v", obj, idx, found, err)
	}
	value, sig, err := f.encode([]byte(vecJSON))
	if err != nil || value != vecValue || sig != vecSig1 {
		t.Fatalf("encode = %q, %q, %v; cookie-session writes %q, %q", value, sig, err, vecValue, vecSig1)
	}

	f256 := mustExpress(t, Express{Keys: []string{"k1"}, SHA256: true})
	if got := f256.sign([]byte("k1"), "session="+vecValue); got != vecSig256 {
		t.Fatalf("SHA-256 signature %q, keygrip gives %q", got, vecSig256)
	}
	if _, _, _, err := decodeHeader(f256, "session="+vecValue+"; session.sig="+vecSig256); err != nil {
		t.Fatal(err)
	}
	// The wrong algorithm is diagnosed from the signature's length.
	_, _, _, err = decodeHeader(f, "session="+vecValue+"; session.sig="+vecSig256)
	if !errors.Is(err, cookiesession.ErrLegacySignature) || !strings.Contains(err.Error(), "set SHA256") {
		t.Fatalf("SHA-256 cookie read as SHA-1: %v", err)
	}
	_, _, _, err = decodeHeader(f256, "session="+vecValue+"; session.sig="+vecSig1)
	if !errors.Is(err, cookiesession.ErrLegacySignature) || !strings.Contains(err.Error(), "unset SHA256") {
		t.Fatalf("SHA-1 cookie read as SHA-256: %v", err)
	}
}

func TestExpressKeyRotation(t *testing.T) {
	oldF := mustExpress(t, Express{Keys: []string{"old"}})
	value, sig, err := oldF.encode([]byte(vecJSON))
	if err != nil {
		t.Fatal(err)
	}
	header := "session=" + value + "; session.sig=" + sig

	rotated := mustExpress(t, Express{Keys: []string{"new", "old"}})
	obj, idx, _, err := decodeHeader(rotated, header)
	if err != nil || idx != 1 || string(obj) != vecJSON {
		t.Fatalf("cookie signed with the second key: %s, %d, %v", obj, idx, err)
	}
	// The first key signs.
	_, sig2, _ := rotated.encode([]byte(vecJSON))
	if sig2 == sig || sig2 != rotated.sign([]byte("new"), "session="+value) {
		t.Fatal("encode did not sign with Keys[0]")
	}
	// Order matters only for signing: reversed keys still read both.
	reversed := mustExpress(t, Express{Keys: []string{"old", "new"}})
	if _, idx, _, err := decodeHeader(reversed, "session="+value+"; session.sig="+sig2); err != nil || idx != 1 {
		t.Fatalf("second key after reversal: %d, %v", idx, err)
	}
	// Once the old key is dropped the cookie is refused.
	dropped := mustExpress(t, Express{Keys: []string{"new"}})
	if _, _, _, err := decodeHeader(dropped, header); !errors.Is(err, cookiesession.ErrLegacySignature) {
		t.Fatalf("old key removed: %v", err)
	}
}

func TestExpressRejects(t *testing.T) {
	f := mustExpress(t, Express{Keys: []string{"k1"}})
	good := "session=" + vecValue + "; session.sig=" + vecSig1
	cases := []struct {
		name, header string
		want         error
		found        bool
	}{
		{"no cookie", "other=1", nil, false},
		{"empty header", "", nil, false},
		{"empty value", "session=; session.sig=" + vecSig1, nil, false},
		{"signature only", "session.sig=" + vecSig1, nil, false},
		{"no signature", "session=" + vecValue, cookiesession.ErrLegacySignature, true},
		{"empty signature", "session=" + vecValue + "; session.sig=", cookiesession.ErrLegacySignature, true},
		{"value altered", "session=" + strings.Replace(vecValue, "eyJ1", "eyJ2", 1) + "; session.sig=" + vecSig1, cookiesession.ErrLegacySignature, true},
		{"value extended", "session=" + vecValue + "AA; session.sig=" + vecSig1, cookiesession.ErrLegacySignature, true},
		{"signature altered", "session=" + vecValue + "; session.sig=" + vecSig1[:26] + "x", cookiesession.ErrLegacySignature, true},
		{"signature padded", "session=" + vecValue + "; session.sig=" + vecSig1 + "=", cookiesession.ErrLegacySignature, true},
		{"signature in standard alphabet", "session=" + vecValue + "; session.sig=" + strings.ReplaceAll(vecSig1, "-", "+"), cookiesession.ErrLegacySignature, true},
		{"good", good, nil, true},
		{"first cookie wins", good + "; session=eyJ9; session.sig=x", nil, true},
		{"first cookie wins, bad first", "session=eyJ9; session.sig=x; " + good, cookiesession.ErrLegacySignature, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, found, err := decodeHeader(f, c.header)
			if found != c.found || !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("found %v err %v; want found %v err %v", found, err, c.found, c.want)
			}
			if err != nil && (strings.Contains(err.Error(), "k1") || strings.Contains(err.Error(), "alice")) {
				t.Fatalf("error message leaks the key or the data: %v", err)
			}
		})
	}

	wrong := mustExpress(t, Express{Keys: []string{"k2"}})
	if _, _, _, err := decodeHeader(wrong, good); !errors.Is(err, cookiesession.ErrLegacySignature) {
		t.Fatalf("wrong key: %v", err)
	}
	// The signature binds the cookie name.
	named := mustExpress(t, Express{Name: "sid", Keys: []string{"k1"}})
	if _, _, _, err := decodeHeader(named, "sid="+vecValue+"; sid.sig="+vecSig1); !errors.Is(err, cookiesession.ErrLegacySignature) {
		t.Fatalf("signature for another name: %v", err)
	}
}

// sealExpress returns a Cookie header with a validly signed value that
// decodes to payload.
func sealExpress(f *expressFormat, value string) string {
	return f.name + "=" + value + "; " + f.sigName + "=" + f.sign(f.keys[0], f.name+"="+value)
}

func TestExpressPayloads(t *testing.T) {
	f := mustExpress(t, Express{Keys: []string{"k1"}})
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	ok := []struct{ name, value, want string }{
		{"standard", b64(vecJSON), vecJSON},
		{"unpadded", strings.TrimRight(b64(vecJSON), "="), vecJSON},
		{"URL alphabet", base64.URLEncoding.EncodeToString([]byte(`{"k":"~~~???>>>"}`)), `{"k":"~~~???>>>"}`},
		{"mixed alphabets", "eyJrIjoifn5-Pz8_Pj4+In0", `{"k":"~~~???>>>"}`},
		{"junk between groups", "ey!Jh.Ijox*fQ==", `{"a":1}`},
		{"data after padding", b64(`{"a":1}`) + "AAAA", `{"a":1}`},
		{"whitespace around JSON", b64(" \n{\"a\":1}\t "), `{"a":1}`},
		{"unicode", b64(`{"name":"Zoë 😀","esc":"\u00e9\ud83d\ude00"}`), `{"name":"Zoë 😀","esc":"\u00e9\ud83d\ude00"}`},
		{"huge numbers", b64(`{"n":123456789012345678901234567890,"f":1e308,"neg":-9007199254740993}`), `{"n":123456789012345678901234567890,"f":1e308,"neg":-9007199254740993}`},
		{"nested", b64(`{"a":{"b":[1,{"c":[]}]},"d":null}`), `{"a":{"b":[1,{"c":[]}]},"d":null}`},
		{"prototype keys", b64(`{"__proto__":{"admin":true},"constructor":1,"isNew":false}`), `{"__proto__":{"admin":true},"constructor":1,"isNew":false}`},
		{"invalid UTF-8", b64("{\"s\":\"a\xffb\"}"), "{\"s\":\"a\uFFFDb\"}"},
		{"control characters", b64(`{"s":"\u0000\u001f<script>"}`), `{"s":"\u0000\u001f<script>"}`},
	}
	for _, c := range ok {
		t.Run(c.name, func(t *testing.T) {
			obj, _, found, err := decodeHeader(f, sealExpress(f, c.value))
			if err != nil || !found || string(obj) != c.want {
				t.Fatalf("got %s, %v; want %s", obj, err, c.want)
			}
		})
	}
	bad := []struct{ name, value string }{
		{"array", b64(`[1,2]`)},
		{"string", b64(`"abc"`)},
		{"number", b64(`42`)},
		{"null", b64(`null`)},
		{"boolean", b64(`true`)},
		{"truncated at inner padding", "eyJh=IjoxfQ"},
		{"not JSON", b64(`{a:1}`)},
		{"two values", b64(`{} {}`)},
		{"trailing comma", b64(`{"a":1,}`)},
		{"only junk", "!!!!"},
		{"byte order mark", b64("\uFEFF{}")},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, _, found, err := decodeHeader(f, sealExpress(f, c.value))
			if !found || !errors.Is(err, cookiesession.ErrLegacyPayload) {
				t.Fatalf("found %v, err %v; want ErrLegacyPayload", found, err)
			}
			if strings.Contains(err.Error(), "abc") {
				t.Fatalf("error leaks the payload: %v", err)
			}
		})
	}
}

// Outputs of Buffer.from(s, 'base64').toString('hex') in Node.js 20.
func TestNodeBase64Decode(t *testing.T) {
	vectors := []struct{ in, hex string }{
		{"", ""},
		{"a", ""},
		{"ab", "69"},
		{"abc", "69b7"},
		{"abcd", "69b71d"},
		{"abcde", "69b71d"},
		{"=abc", ""},
		{"====", ""},
		{"=", ""},
		{"YQ", "61"},
		{"YR", "61"},
		{"YQ=", "61"},
		{"YQ==", "61"},
		{"YQ===", "61"},
		{"YQ=A", "61"},
		{"YWI", "6162"},
		{"YWJ", "6162"},
		{"YW=Jj", "61"},
		{"Y=W=J=j", ""},
		{"Y-_/+A", "63effff8"},
		{"eyJhIjoxfQ", "7b2261223a317d"},
		{"eyJhIjoxfQ=", "7b2261223a317d"},
		{"ey JhIjoxfQ", "7b2261223a317d"},
		{"ey\tJh\nIjoxfQ", "7b2261223a317d"},
		{"eyJhIjoxfQ==eyJh", "7b2261223a317d"},
		{"eyJh=IjoxfQ", "7b2261"},
		{"eyJh!IjoxfQ", "7b2261223a317d"},
		{"eyJhIjoxfQ%3D%3D", "7b2261223a317d0dc3dc"},
		{"eyJhIjoxfQ.eyJh", "7b2261223a317d07b226"},
		{"YWJj\u00e9ZGVm", "616263646566"},
		{"YWJj\x00ZGVm", "616263646566"},
		{"YWJj\u0141", "616263"},
		{"YW JjZGVmYW JjZGVmYW JjZGVmYW ", "61626364656661626364656661626364656661"},
	}
	for _, v := range vectors {
		if got := hex.EncodeToString(nodeBase64Decode(v.in)); got != v.hex {
			t.Errorf("nodeBase64Decode(%q) = %s, Node.js gives %s", v.in, got, v.hex)
		}
	}
}

func TestNodeCookie(t *testing.T) {
	cases := []struct {
		header, name, want string
		ok                 bool
	}{
		{"session=abc", "session", "abc", true},
		{"a=1; session=abc; b=2", "session", "abc", true},
		{"a=1;session=abc", "session", "abc", true},
		{"a=1;   session=abc", "session", "abc", true},
		{"xsession=abc", "session", "", false},
		{"session.sig=x; session=abc", "session", "abc", true},
		{"session.sig=x", "session", "", false},
		{"session=abc; session.sig=x", "session.sig", "x", true},
		{"sessionXsig=x", "session.sig", "", false},
		{"session=abc ; b=2", "session", "abc ", true},
		{`session="abc"`, "session", "abc", true},
		{`session="abc`, "session", "ab", true},
		{`session="`, "session", "", true},
		{"session=", "session", "", true},
		{"session=a=b=c", "session", "a=b=c", true},
		{"express:sess=abc; express:sess.sig=x", "express:sess", "abc", true},
		{"a=session=x", "session", "", false},
		{"\tsession=abc", "session", "", false},
		{";session=abc", "session", "abc", true},
	}
	for _, c := range cases {
		got, ok := nodeCookie([]string{c.header}, c.name)
		if got != c.want || ok != c.ok {
			t.Errorf("nodeCookie(%q, %q) = %q, %v; want %q, %v", c.header, c.name, got, ok, c.want, c.ok)
		}
	}
	// Linear in the header size even when every pair nearly matches.
	long := strings.Repeat("sessio=1;", 200000) + "session=abc"
	if got, ok := nodeCookie([]string{long}, "session"); !ok || got != "abc" {
		t.Fatal("long header")
	}
}

func TestJSStringify(t *testing.T) {
	// JSON.stringify({s: "é😀 <>&\u2028\u2029\u0001\u007f\"\\/\n\t",
	//   arr: [1, 2.5, -0, 1e21, 1e-7, {x: null}], t: true}) in Node.js 20,
	// except that -0 stays -0 here: numbers are copied, not reformatted.
	in := "{\"s\": \"\\u00e9\\ud83d\\ude00 \\u003c\\u003e\\u0026\\u2028\\u2029\\u0001\u007f\\\"\\\\\\/\\n\\t\",\n \"arr\": [1, 2.5, 0, 1e+21, 1e-7, {\"x\": null}], \"t\": true}"
	want := "{\"s\":\"é😀 <>&\u2028\u2029\\u0001\u007f\\\"\\\\/\\n\\t\",\"arr\":[1,2.5,0,1e+21,1e-7,{\"x\":null}],\"t\":true}"
	got, err := jsStringify([]byte(in))
	if err != nil || string(got) != want {
		t.Fatalf("got  %s\nwant %s (%v)", got, want, err)
	}
	// and cookie-session's base64 of it, from Node.js
	const nodeB64 = "eyJzIjoiw6nwn5iAIDw+JuKAqOKAqVx1MDAwMX9cIlxcL1xuXHQiLCJhcnIiOlsxLDIuNSwwLDFlKzIxLDFlLTcseyJ4IjpudWxsfV0sInQiOnRydWV9"
	f := mustExpress(t, Express{Keys: []string{"k1"}})
	if v, _, _ := f.encode([]byte(in)); v != nodeB64 {
		t.Fatalf("encode = %s\nNode.js  %s", v, nodeB64)
	}
	if _, err := jsStringify([]byte(`{"a":`)); !errors.Is(err, cookiesession.ErrEncode) {
		t.Fatalf("invalid JSON: %v", err)
	}
}

func TestExpressRoundTrip(t *testing.T) {
	f := mustExpress(t, Express{Name: "express:sess", Keys: []string{"k1", "k0"}, SHA256: true})
	for _, js := range []string{
		`{}`,
		`{"a":"b"}`,
		`{"u":"Zoë 😀 \u0000 \"q\" \\ /","n":[1,-2.5e-9,123456789012345678901234567890],"o":{"p":{}}}`,
	} {
		value, sig, err := f.encode([]byte(js))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(value, ";, \"") {
			t.Fatalf("value %q is not a plain cookie value", value)
		}
		obj, idx, found, err := decodeHeader(f, "express:sess="+value+"; express:sess.sig="+sig)
		if err != nil || !found || idx != 0 {
			t.Fatalf("%s: %v", js, err)
		}
		again, _ := jsStringify([]byte(js))
		if string(obj) != string(again) {
			t.Fatalf("round trip %s -> %s", js, obj)
		}
	}
}

func TestExpressOptions(t *testing.T) {
	bad := []Express{
		{},
		{Keys: []string{}},
		{Keys: []string{"a", ""}},
		{Name: "a b", Keys: []string{"k"}},
		{Name: "a;b", Keys: []string{"k"}},
		{Name: "a=b", Keys: []string{"k"}},
		{Name: "sé", Keys: []string{"k"}},
	}
	for _, e := range bad {
		if _, err := e.compile(); !errors.Is(err, cookiesession.ErrInvalidOptions) {
			t.Errorf("%+v: %v", e, err)
		}
	}
	f := mustExpress(t, Express{Keys: []string{"k"}})
	if f.name != "session" || f.sigName != "session.sig" {
		t.Fatalf("default name %q", f.name)
	}
	f = mustExpress(t, Express{Name: "express:sess", Keys: []string{"k"}, Path: "/app", Domain: "example.test"})
	if f.sigName != "express:sess.sig" {
		t.Fatal(f.sigName)
	}
	// The store checks the names, Path and Domain, and writes with them
	// (the root's TestStoreLegacyOptions and TestStoreLegacyPathDomain).
	if names, path, domain := f.Cookies(); fmt.Sprint(names) != "[express:sess express:sess.sig]" || path != "/app" || domain != "example.test" {
		t.Fatalf("Cookies() = %q, %q, %q", names, path, domain)
	}
}

// expressJar returns a jar holding the cookies cookie-session writes with
// the configuration e for the session JSON js.
func expressJar(t *testing.T, e Express, js string) jar {
	t.Helper()
	f := mustExpress(t, e)
	value, sig, err := f.encode([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return jar{f.name: value, f.sigName: sig}
}

func TestStoreUpgradesExpress(t *testing.T) {
	e := Express{Name: "express:sess", Keys: []string{"new", "old"}}
	old := e
	old.Keys = []string{"old"}
	js := `{"user":"zoë","cart":[1,2,{"sku":"a"}],"big":123456789012345678}`
	cj := expressJar(t, old, js)

	var rejects []error
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e}, OnEvent: onRejected(func(err error) { rejects = append(rejects, err) })})
	var seen []byte
	var isNew bool
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		seen, _ = json.Marshal(sess.Data)
		isNew = sess.IsNew()
	}))
	lines := cj.serve(h)
	jsonEqual(t, seen, js)
	if isNew || len(rejects) > 0 {
		t.Fatalf("isNew %v, rejects %v", isNew, rejects)
	}
	if !testjar.HasLine(lines, "sid=") || !testjar.HasLine(lines, "express:sess=; Max-Age=0") || !testjar.HasLine(lines, "express:sess.sig=; Max-Age=0") {
		t.Fatalf("upgrade response: %q", lines)
	}
	if _, ok := cj["express:sess"]; ok || len(cj) != 1 {
		t.Fatalf("jar after upgrade: %v", cj)
	}
	// The next request reads the sealed cookie and writes nothing.
	seen = nil
	if lines := cj.serve(h); len(lines) != 0 {
		t.Fatalf("second response sets cookies: %q", lines)
	}
	jsonEqual(t, seen, `{"user":"zoë","cart":[1,2,{"sku":"a"}],"big":123456789012345678}`)

	// A typed store gets the same data.
	type user struct {
		User string `json:"user"`
		Big  int64  `json:"big"`
	}
	ts := newStore[user](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e}})
	var got user
	expressJar(t, old, js).serve(ts.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = ts.Get(r).Data
	})))
	if got.User != "zoë" || got.Big != 123456789012345678 {
		t.Fatalf("typed: %+v", got)
	}
}

func TestStoreRejectsBadExpressCookie(t *testing.T) {
	e := Express{Keys: []string{"k1"}}
	var rejected error
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e}, OnEvent: onRejected(func(err error) { rejected = err })})
	var sessErr error
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sessErr = sess.Err()
		if !sess.IsNew() || len(sess.Data) != 0 {
			t.Errorf("rejected cookie gave data %v", sess.Data)
		}
	}))
	for name, cj := range map[string]jar{
		"wrong key":     expressJar(t, Express{Keys: []string{"k2"}}, `{"a":1}`),
		"no signature":  {"session": "eyJhIjoxfQ=="},
		"not an object": expressJar(t, e, `[1]`),
	} {
		rejected, sessErr = nil, nil
		cj.serve(h)
		want := cookiesession.ErrLegacySignature
		if name == "not an object" {
			want = cookiesession.ErrLegacyPayload
		}
		if !errors.Is(sessErr, want) || !errors.Is(rejected, want) {
			t.Errorf("%s: Session.Err %v, EventRejected %v", name, sessErr, rejected)
		}
	}
}

func TestStoreExpressTransition(t *testing.T) {
	e := Express{Keys: []string{"k1"}, Transition: true, SHA256: true}
	f := mustExpress(t, e)
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e}})
	mutate := false
	destroy := false
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		switch {
		case destroy:
			sess.Destroy()
		case mutate:
			sess.Data["n"] = 1 + len(sess.Data)
			sess.Data["html"] = "<b>&</b>"
		}
	}))
	// Keys out of JSON.stringify order and nothing changed: nothing written.
	cj := expressJar(t, e, `{"z":1,"a":"x"}`)
	if lines := cj.serve(h); len(lines) != 0 {
		t.Fatalf("unchanged transition session rewritten: %q", lines)
	}
	// Changed: written in cookie-session's format, not sealed.
	mutate = true
	lines := cj.serve(h)
	if len(lines) != 2 || !testjar.HasLine(lines, "session=") || !testjar.HasLine(lines, "session.sig=") {
		t.Fatalf("transition write: %q", lines)
	}
	obj, _, _, err := decodeHeader(f, cj.header())
	if err != nil {
		t.Fatal(err)
	}
	if string(obj) != `{"a":"x","html":"<b>&</b>","n":3,"z":1}` {
		t.Fatalf("Express would read %s", obj)
	}
	// A new session is written in the old format too.
	cj = jar{}
	lines = cj.serve(h)
	if len(lines) != 2 || !testjar.HasLine(lines, "session=") {
		t.Fatalf("new session in transition: %q", lines)
	}
	// A session already sealed stays sealed.
	sealedStore := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid"})
	cj = jar{}
	cj.serve(sealedStore.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sealedStore.Get(r).Data["x"] = 1
	})))
	lines = cj.serve(h)
	if !testjar.HasLine(lines, "sid=") || testjar.HasLine(lines, "session=") {
		t.Fatalf("sealed session in transition: %q", lines)
	}
	// Destroy deletes the old cookies too, so logout reaches Express.
	cj = expressJar(t, e, `{"user":"a"}`)
	destroy = true
	lines = cj.serve(h)
	if !testjar.HasLine(lines, "session=; Max-Age=0") || !testjar.HasLine(lines, "session.sig=; Max-Age=0") || len(cj) != 0 {
		t.Fatalf("destroy: %q, jar %v", lines, cj)
	}
}

// TestExpressOversizeRefusedBeforeHMAC checks that a legacy value no browser
// would have stored is refused by size, whatever its signature.
func TestExpressOversizeRefusedBeforeHMAC(t *testing.T) {
	f, err := (&Express{Keys: []string{"k1", "k2", "k3"}}).compile()
	if err != nil {
		t.Fatal(err)
	}
	// 20,000 levels of nesting, which no browser would have kept either.
	big := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)))
	header := "session=" + big + "; session.sig=" + f.sign([]byte("k1"), "session="+big)
	_, _, found, err := decodeHeader(f, header)
	if !found || !errors.Is(err, cookiesession.ErrTooLarge) {
		t.Fatalf("found=%v err=%v", found, err)
	}
}

// decodeHeader runs f.decode on a request with one Cookie header line.
func decodeHeader(f *expressFormat, header string) ([]byte, int, bool, error) {
	return f.decode([]string{header})
}

// TestExpressTransitionResignsOldKey checks that in transition mode a
// cookie signed with an older Express key is re-signed with the first one
// on the same response, as Express does, and then left alone.
func TestExpressTransitionResignsOldKey(t *testing.T) {
	old := Express{Name: "session", Keys: []string{"old"}}
	cur := Express{Name: "session", Keys: []string{"new", "old"}, Transition: true}
	cj := expressJar(t, old, `{"user":"ada"}`)
	s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&cur}})
	read := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sess := s.Get(r); sess.Data["user"] != "ada" {
			t.Errorf("session %v, %v", sess.Data, sess.Err())
		}
	}))
	lines := cj.serve(read)
	if !testjar.HasLine(lines, "session.sig=") {
		t.Fatalf("old-key cookie not re-signed: %q", lines)
	}
	// Only the new key is needed from now on.
	newOnly := mustExpress(t, Express{Name: "session", Keys: []string{"new"}})
	if data, idx, found, err := newOnly.decode([]string{cj.header()}); err != nil || !found || idx != 0 || string(data) != `{"user":"ada"}` {
		t.Fatalf("re-signed cookie under the new key alone: %s %d %v %v", data, idx, found, err)
	}
	if lines := cj.serve(read); len(lines) != 0 {
		t.Fatalf("current-key cookie re-written: %q", lines)
	}
}

// TestExpressNumbersExact upgrades an Express session holding numbers a
// float64 cannot hold (Node writes them as JSON text, which a cookie may
// carry) through a Map store, in transition and not: the digits survive.
func TestExpressNumbersExact(t *testing.T) {
	js := `{"id":9007199254740993,"u":18446744073709551615,"d":0.1000000000000000055511151231257827}`
	for _, transition := range []bool{false, true} {
		e := Express{Name: "session", Keys: []string{"k"}, Transition: transition}
		cj := expressJar(t, e, js)
		s := newStore[cookiesession.Map](t, cookiesession.Options{Name: "sid", Legacy: []cookiesession.Legacy{&e}})
		var got cookiesession.Map
		h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = s.Get(r).Data
			got["n"] = 1 // a change, so the session is written
		}))
		cj.serve(h)
		if got["id"].(json.Number).String() != "9007199254740993" || got["d"].(json.Number).String() != "0.1000000000000000055511151231257827" {
			t.Fatalf("transition %v: read %v", transition, got)
		}
		// The next request reads what was written back, digit for digit.
		cj.serve(s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = s.Get(r).Data })))
		if got["u"].(json.Number).String() != "18446744073709551615" || got["id"].(json.Number).String() != "9007199254740993" {
			t.Fatalf("transition %v: after write-back %v", transition, got)
		}
	}
}
