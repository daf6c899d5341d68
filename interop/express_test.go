package interop

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/migrate"
)

var storeKey = testKey(0x5a)

// goStore returns an untyped store that takes over Express sessions.
func goStore(t *testing.T, e migrate.Express) *cookiesession.Store[cookiesession.Map] {
	t.Helper()
	s, err := cookiesession.New[cookiesession.Map](cookiesession.Options{
		Keys: [][]byte{storeKey}, Name: "sid", Secure: cookiesession.SecureNever, Legacy: []cookiesession.Legacy{&e},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Session contents used throughout: unicode, nesting, numbers at the edges
// of what JavaScript represents, and characters JSON escapes.
var fixtures = map[string]string{
	"unicode": `{"user":"Zoë Ünal 😀 中文","quote":"\"'<>&\\/","ctl":"\u0000\u001f\u2028","empty":""}`,
	"nested":  `{"cart":{"items":[{"sku":"a-1","qty":2,"tags":["x",null,true]},{"sku":"b","qty":1,"tags":[]}],"coupon":null},"flags":{"a":{"b":{"c":{"d":[[1],[2,[3]]]}}}}}`,
	"numbers": `{"max_safe":9007199254740991,"beyond":9007199254740993,"big":12345678901234567890,"e21":1e21,"tiny":1e-7,"neg":-0.5,"zero":0,"float":0.1}`,
	"keys":    `{"":1,"x__proto__":2,"constructor_":3,"with space":4,"ünï":5,"1":6}`,
}

func TestExpressCookiesReadByGo(t *testing.T) {
	cases := []struct {
		name, profile string
		cfg           migrate.Express
	}{
		{"cookie-session 2 defaults", "v2", migrate.Express{Keys: []string{"k-current"}}},
		{"keys given as secret", "secret", migrate.Express{Name: "sec", Keys: []string{"a secret given as `secret`"}}},
		{"keygrip sha256", "sha256", migrate.Express{Name: "s256", Keys: []string{"k-256"}, SHA256: true}},
		{"custom cookie name", "custom", migrate.Express{Name: "my.app-sess_1", Keys: []string{"k-custom"}}},
		{"signed with the key now second", "v2old", migrate.Express{Keys: []string{"k-current", "k-old"}}},
		{"cookie-session 1.x, express:sess", "v1", migrate.Express{Name: "express:sess", Keys: []string{"k-v1"}}},
	}
	for _, c := range cases {
		for fname, js := range fixtures {
			t.Run(c.name+"/"+fname, func(t *testing.T) {
				j := expressSet(t, c.profile, js)
				isNew, expressView := expressGet(t, c.profile, j.clone())
				if isNew {
					t.Fatal("Express does not read back its own cookie")
				}
				legacyNames := append([]string(nil), j.names...)

				store := goStore(t, c.cfg)
				var goView []byte
				lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
					if s.Err() != nil || s.IsNew() {
						t.Errorf("Go store: err %v, new %v", s.Err(), s.IsNew())
					}
					goView, _ = json.Marshal(s.Data)
				})
				sameJSON(t, "Express's and Go's view of the session", expressView, goView)

				// The same response upgraded the session and expired the
				// Express cookies.
				set, deleted := lineNames(lines)
				if !reflect.DeepEqual(set, []string{"sid"}) || len(deleted) != 2 || !containsAll(deleted, legacyNames) {
					t.Fatalf("upgrade response sets %v, deletes %v; Express cookies %v", set, deleted, legacyNames)
				}
				// Express no longer sees a session ...
				if isNew, sess := expressGet(t, c.profile, j.clone()); !isNew || string(sess) != "{}" {
					t.Fatalf("Express still sees %s after the upgrade", sess)
				}
				// ... and Go reads its sealed cookie with the same data.
				if lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
					goView, _ = json.Marshal(s.Data)
				}); len(lines) != 0 {
					t.Fatalf("unchanged sealed session rewritten: %q", lines)
				}
				sameJSON(t, "session after upgrade", expressView, goView)
			})
		}
	}
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

func TestExpressTypedStore(t *testing.T) {
	type item struct {
		SKU string `json:"sku"`
		Qty int    `json:"qty"`
	}
	type cart struct {
		User  string      `json:"user"`
		Big   json.Number `json:"big"`
		Items []item      `json:"items"`
	}
	j := expressSet(t, "v2", `{"user":"zoë","big":12345678901234567890,"items":[{"sku":"a","qty":2}]}`)
	store, err := cookiesession.New[cart](cookiesession.Options{
		Keys: [][]byte{storeKey}, Name: "sid", Secure: cookiesession.SecureNever,
		Legacy: []cookiesession.Legacy{&migrate.Express{Keys: []string{"k-current"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got cart
	goServe(t, store, j, func(s *cookiesession.Session[cart]) { got = s.Data })
	// JavaScript stored 12345678901234567890 as the nearest double, which
	// JSON.stringify prints as 12345678901234567000.
	want := cart{User: "zoë", Big: "12345678901234567000", Items: []item{{"a", 2}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestGoTransitionCookiesReadByExpress(t *testing.T) {
	cases := []struct {
		name     string
		profiles []string // Express profiles that must read the cookie
		cfg      migrate.Express
	}{
		{"cookie-session 2", []string{"v2", "v2rot"}, migrate.Express{Keys: []string{"k-current", "k-old"}}},
		{"secret", []string{"secret"}, migrate.Express{Name: "sec", Keys: []string{"a secret given as `secret`"}}},
		{"sha256", []string{"sha256"}, migrate.Express{Name: "s256", Keys: []string{"k-256"}, SHA256: true}},
		{"custom name", []string{"custom"}, migrate.Express{Name: "my.app-sess_1", Keys: []string{"k-custom"}}},
		{"cookie-session 1.x", []string{"v1"}, migrate.Express{Name: "express:sess", Keys: []string{"k-v1"}}},
	}
	for _, c := range cases {
		for fname, js := range fixtures {
			t.Run(c.name+"/"+fname, func(t *testing.T) {
				c.cfg.Transition = true
				store := goStore(t, c.cfg)
				var data cookiesession.Map
				if err := json.Unmarshal([]byte(js), &data); err != nil {
					t.Fatal(err)
				}
				// A new session created by the Go service...
				j := newJar()
				lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) { s.Data = data })
				if set, deleted := lineNames(lines); len(set) != 2 || len(deleted) != 0 {
					t.Fatalf("transition response sets %v, deletes %v", set, deleted)
				}
				want, _ := json.Marshal(data)
				// ... is read by every Express service with the same data.
				for _, p := range c.profiles {
					isNew, sess := expressGet(t, p, j.clone())
					if isNew {
						t.Fatalf("Express %s does not accept the Go cookie", p)
					}
					sameJSON(t, "Go's data and Express "+p+"'s view", want, sess)
				}
				// Express changes it, and Go reads the change.
				p := c.profiles[0]
				call(t, j, "POST", "/"+p+"/merge", json.RawMessage(`{"fromExpress":"ja ✓"}`))
				var back []byte
				goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
					if s.Err() != nil || s.IsNew() {
						t.Fatalf("Go after Express's change: %v", s.Err())
					}
					back, _ = json.Marshal(s.Data)
				})
				_, expressView := expressGet(t, p, j.clone())
				sameJSON(t, "session changed by Express", expressView, back)
			})
		}
	}
}

// The transition cookies are the very cookies cookie-session writes for
// the same session (when the keys come in the same order).
func TestTransitionCookiesIdentical(t *testing.T) {
	js := `{"a":"Zoë 😀 <b>&amp;</b>","b":[1,2.5,1e+21,null],"c":{"d":"\u2028"}}`
	fromExpress := expressSet(t, "v2", js)
	store := goStore(t, migrate.Express{Keys: []string{"k-current"}, Transition: true})
	fromGo := newJar()
	goServe(t, store, fromGo, func(s *cookiesession.Session[cookiesession.Map]) {
		json.Unmarshal([]byte(js), &s.Data)
	})
	if fromGo.header() != fromExpress.header() {
		t.Fatalf("Go writes    %s\nExpress writes %s", fromGo.header(), fromExpress.header())
	}
}

func TestExpressLogoutAndTamper(t *testing.T) {
	cfg := migrate.Express{Keys: []string{"k-current"}, Transition: true}
	store := goStore(t, cfg)

	// Logout on the Go side, during the transition, logs out of Express.
	j := expressSet(t, "v2", `{"user":"zoë"}`)
	lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) { s.Destroy() })
	if _, deleted := lineNames(lines); !containsAll(deleted, []string{"session", "session.sig"}) {
		t.Fatalf("logout deletes %v", deleted)
	}
	if isNew, _ := expressGet(t, "v2", j.clone()); !isNew {
		t.Fatal("Express still sees the session after logout")
	}

	// A tampered value is refused by both sides.
	j = expressSet(t, "v2", `{"user":"zoë","admin":false}`)
	forged := base64.StdEncoding.EncodeToString([]byte(`{"user":"zoë","admin":true}`))
	j.set("session", forged)
	if isNew, _ := expressGet(t, "v2", j.clone()); !isNew {
		t.Fatal("Express accepted the forged cookie")
	}
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		if !errors.Is(s.Err(), cookiesession.ErrLegacySignature) || !s.IsNew() || len(s.Data) != 0 {
			t.Fatalf("Go accepted the forged cookie: %v %v", s.Err(), s.Data)
		}
	})

	// A key Express does not have either.
	j = expressSet(t, "v2old", `{"user":"zoë"}`)
	goServe(t, goStore(t, migrate.Express{Keys: []string{"k-current"}}), j, func(s *cookiesession.Session[cookiesession.Map]) {
		if !errors.Is(s.Err(), cookiesession.ErrLegacySignature) {
			t.Fatalf("cookie of an unknown key: %v", s.Err())
		}
	})
}

// Cookies cookie-session never writes but would accept: other base64
// spellings of the same JSON, validly signed. Go must see exactly what
// Express sees, or refuse when Express starts a new session.
func TestLenientBase64MatchesExpress(t *testing.T) {
	js := []byte(`{"user":"zoë ~~~ ???","n":[1,2,3],"deep":{"k":">>>"}}`)
	std := base64.StdEncoding.EncodeToString(js)
	variants := map[string]string{
		"standard":        std,
		"unpadded":        strings.TrimRight(std, "="),
		"url alphabet":    base64.URLEncoding.EncodeToString(js),
		"url unpadded":    base64.RawURLEncoding.EncodeToString(js),
		"junk characters": std[:4] + "!" + std[4:9] + ".%" + std[9:],
		"spaces inside":   std[:8] + " " + std[8:],
		"extra padding":   std + "==",
		"data after =":    std + "=e30",
		"inner padding":   std[:8] + "=" + std[8:],
		"trailing quote":  std + `"`,
	}
	refusedByNode := map[string]bool{
		"standard": false, "unpadded": false, "url alphabet": false, "url unpadded": false,
		"junk characters": false, "spaces inside": false, "extra padding": false,
		"data after =": false, "trailing quote": false,
		"inner padding": true, // decoding stops at the first '=': truncated JSON
	}
	rng := rand.New(rand.NewPCG(1, 2))
	junk := "!#$%&'()*+,-./:<=>?@[]^_`{|}~ "
	for i := 0; i < 40; i++ {
		b := []byte(std)
		for k := 0; k < 1+rng.IntN(4); k++ {
			at := rng.IntN(len(b) + 1)
			b = append(b[:at], append([]byte{junk[rng.IntN(len(junk))]}, b[at:]...)...)
		}
		variants["random "+string(rune('A'+i%26))+string(rune('a'+i/26))] = string(b)
	}
	store := goStore(t, migrate.Express{Keys: []string{"k-current"}})
	for name, value := range variants {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(value, ";") {
				t.Skip("a ';' ends the cookie value")
			}
			j := newJar()
			j.set("session", value)
			j.set("session.sig", expressSign(t, "v2", "session="+value))
			isNew, expressView := expressGet(t, "v2", j.clone())
			if refused, fixed := refusedByNode[name]; fixed && refused != isNew {
				t.Fatalf("Node.js refused %q: %v, expected %v", value, isNew, refused)
			}
			goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
				if isNew {
					if !errors.Is(s.Err(), cookiesession.ErrLegacyPayload) {
						t.Fatalf("Express refused %q, Go says %v", value, s.Err())
					}
					return
				}
				if s.Err() != nil {
					t.Fatalf("Express reads %q, Go refuses: %v", value, s.Err())
				}
				goView, _ := json.Marshal(s.Data)
				sameJSON(t, "views of "+value, expressView, goView)
			})
		})
	}
}

// TestGoTransitionResignsOldExpressKey: a session that real Express signed
// with an old key reaches only the Go service, in transition mode, which
// re-signs it with the current key, as Express would; an Express service
// that has dropped the old key then still reads it.
func TestGoTransitionResignsOldExpressKey(t *testing.T) {
	js := `{"user":"ada","n":1}`
	j := expressSet(t, "v2old", js) // signed with k-old only
	if isNew, _ := expressGet(t, "v2", j.clone()); !isNew {
		t.Fatal("control: Express without k-old read the old-key cookie")
	}
	store := goStore(t, migrate.Express{Keys: []string{"k-current", "k-old"}, Transition: true})
	lines := goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		if s.IsNew() || s.Data["user"] != "ada" {
			t.Fatalf("Go did not read the old-key cookie: %v", s.Err())
		}
	})
	if set, _ := lineNames(lines); !containsAll(set, []string{"session.sig"}) {
		t.Fatalf("no re-signed session.sig: %q", lines)
	}
	isNew, sess := expressGet(t, "v2", j.clone())
	if isNew {
		t.Fatal("Express with only the current key does not read the re-signed cookie")
	}
	sameJSON(t, "re-signed session", []byte(js), sess)
	if lines := goServe(t, store, j, func(*cookiesession.Session[cookiesession.Map]) {}); len(lines) != 0 {
		t.Fatalf("current-key cookie re-written: %q", lines)
	}
}

// TestExpressFlashCategories: flash messages by category cross between Go
// and the JavaScript package's middleware under real Express: Express
// reads one category Go wrote (req.flash(category)) and adds another;
// Go reads each, the rest untouched.
func TestExpressFlashCategories(t *testing.T) {
	requireJS(t)
	store, err := cookiesession.New[cookiesession.Map](cookiesession.Options{Keys: roundTripKeys, Name: "sealed", Secure: cookiesession.SecureNever})
	if err != nil {
		t.Fatal(err)
	}
	j := newJar()
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		s.AddFlash("plain")
		s.AddFlashTo("error", "from Go")
		s.AddFlashTo("info", "é <&> 😀")
	})
	var of struct{ Messages []string }
	if err := json.Unmarshal(call(t, j, "GET", "/sealed/flash-of?cat=error", nil), &of); err != nil || !reflect.DeepEqual(of.Messages, []string{"from Go"}) {
		t.Fatalf("Express read %q (%v)", of.Messages, err)
	}
	call(t, j, "GET", "/sealed/flash-add?cat=warning&msg="+url.QueryEscape("from Express"), nil)
	goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
		got := [][]string{s.FlashesOf("error"), s.FlashesOf("info"), s.FlashesOf("warning"), s.Flashes()}
		if want := [][]string{nil, {"é <&> 😀"}, {"from Express"}, {"plain"}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("Go read %q, want %q", got, want)
		}
	})
}
