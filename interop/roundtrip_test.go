package interop

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

// The randomized round trip: random JSON sessions sealed by the Go store
// open identically in the JavaScript package, and the other way round,
// chunked sessions, flash messages (by category too) and subjects included.

// jsOptions are the JavaScript options matching roundTripStore.
type jsOptions struct {
	Keys          []string `json:"keys"`
	Name          string   `json:"name"`
	MaxChunks     int      `json:"max_chunks"`
	MaxTotalBytes int      `json:"max_total_bytes"`
}

type sessionReq struct {
	Op      string    `json:"op"`
	Options jsOptions `json:"options"`
	Cookie  string    `json:"cookie,omitempty"`
	Data    string    `json:"data,omitempty"`
	Flashes []string  `json:"flashes,omitempty"`
	Cats    []flashes `json:"categories,omitempty"`
	Subject string    `json:"subject,omitempty"`
}

// flashes is one flash category and its messages, as jsdriver.mjs passes
// them: [category, [message, ...]].
type flashes struct {
	Category string
	Messages []string
}

func (f flashes) MarshalJSON() ([]byte, error) { return json.Marshal([]any{f.Category, f.Messages}) }

func (f *flashes) UnmarshalJSON(b []byte) error {
	var p [2]json.RawMessage
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if err := json.Unmarshal(p[0], &f.Category); err != nil {
		return err
	}
	return json.Unmarshal(p[1], &f.Messages)
}

type sessionRes struct {
	Data      string    `json:"data"`
	Flashes   []string  `json:"flashes"`
	Cats      []flashes `json:"categories"`
	Subject   string    `json:"subject"`
	SetCookie []string  `json:"set_cookie"`
	Error     string    `json:"error"`
}

const roundTripSessions = 2000

var roundTripKeys = [][]byte{testKey(0x61), testKey(0x62)}

func roundTripStore(t *testing.T) (*cookiesession.Store[cookiesession.Map], jsOptions) {
	t.Helper()
	o := cookiesession.Options{Keys: roundTripKeys, Name: "sid", MaxChunks: 4, MaxTotalBytes: 16384, Secure: cookiesession.SecureNever,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			t.Errorf("Go store: %v", err)
			w.WriteHeader(500)
		}}
	s, err := cookiesession.New[cookiesession.Map](o)
	if err != nil {
		t.Fatal(err)
	}
	return s, jsOptions{Keys: b64(roundTripKeys...), Name: o.Name, MaxChunks: o.MaxChunks, MaxTotalBytes: o.MaxTotalBytes}
}

// roundTripSeed returns the seed of the random sessions: ROUNDTRIP_SEED
// when set (to reproduce a failure), else a new one, logged.
func roundTripSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ROUNDTRIP_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("seed %d (ROUNDTRIP_SEED=%d reproduces it)", seed, seed)
	return seed
}

// randomSession is one session's content.
type randomSession struct {
	data    string // a JSON object
	flashes []string
	cats    []flashes // distinct categories, none ""
	subject string
}

// flashCategories are categories a JavaScript object could mishandle
// (a prototype key, an integer key it orders first), beside random ones.
var flashCategories = []string{"error", "info", "__proto__", "constructor", "1", "é中😀"}

func randomSessions(seed uint64) []randomSession {
	r := rand.New(rand.NewPCG(seed, 21))
	out := make([]randomSession, roundTripSessions)
	for i := range out {
		size := 1 + r.IntN(12)
		if i%10 == 0 {
			size = 40 + r.IntN(60) // past one cookie: chunked, with room for Go re-sealing it (it escapes <>& as \u003c...)
		}
		obj := map[string]any{}
		for range size {
			obj[randomString(r, 12)] = randomValue(r, 3)
		}
		b, err := json.Marshal(obj)
		if err != nil {
			panic(err)
		}
		out[i].data = string(b)
		for range r.IntN(3) {
			out[i].flashes = append(out[i].flashes, randomString(r, 20))
		}
		out[i].cats = randomCategories(r)
		if r.IntN(2) == 0 {
			out[i].subject = "user-" + strconv.Itoa(r.IntN(1e6))
		}
	}
	return out
}

// randomCategories returns 0 to 3 distinct flash categories, 1 or 2
// messages each.
func randomCategories(r *rand.Rand) []flashes {
	var out []flashes
	seen := map[string]bool{"": true}
	for range r.IntN(4) {
		name := flashCategories[r.IntN(len(flashCategories))]
		if r.IntN(2) == 0 {
			name = randomString(r, 10)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		f := flashes{Category: name}
		for range 1 + r.IntN(2) {
			f.Messages = append(f.Messages, randomString(r, 20))
		}
		out = append(out, f)
	}
	return out
}

// sameCategories fails unless got holds want's categories and messages,
// in any order of categories (a JavaScript object puts integer keys first).
func sameCategories(t *testing.T, i int, got, want []flashes) {
	t.Helper()
	g, w := map[string][]string{}, map[string][]string{}
	for _, f := range got {
		g[f.Category] = f.Messages
	}
	for _, f := range want {
		w[f.Category] = f.Messages
	}
	if len(got) != len(g) || !reflect.DeepEqual(g, w) {
		t.Fatalf("session %d: flash categories %q, want %q", i, got, want)
	}
}

// randomValue returns a JSON value both languages represent exactly:
// integers within ±2^53, finite float64 (not -0), valid UTF-8 strings.
func randomValue(r *rand.Rand, depth int) any {
	switch k := r.IntN(9); {
	case k == 0:
		return nil
	case k == 1:
		return r.IntN(2) == 0
	case k == 2:
		return r.Int64N(1<<54) - 1<<53
	case k == 3:
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) || f == 0 {
			f = 0.1
		}
		return f
	case k <= 5 || depth == 0:
		return randomString(r, 40)
	case k == 6:
		a := make([]any, r.IntN(5))
		for i := range a {
			a[i] = randomValue(r, depth-1)
		}
		return a
	default:
		m := map[string]any{}
		for range r.IntN(5) {
			m[randomString(r, 8)] = randomValue(r, depth-1)
		}
		return m
	}
}

// randomString mixes ASCII, the characters JSON and HTML escape, and
// multi-byte runes (U+2028, CJK, emoji).
func randomString(r *rand.Rand, max int) string {
	const special = "\"\\/<>&\u0000\u001f\u007f\u2028\u2029é中😀"
	var b strings.Builder
	for range r.IntN(max + 1) {
		if r.IntN(4) == 0 {
			runes := []rune(special)
			b.WriteRune(runes[r.IntN(len(runes))])
		} else {
			b.WriteByte(byte(' ' + r.IntN(95)))
		}
	}
	return b.String()
}

// goSetCookie saves one session through the Go store's middleware and
// returns the Cookie header a browser would send back.
func goSetCookie(t *testing.T, store *cookiesession.Store[cookiesession.Map], rs randomSession) string {
	t.Helper()
	h := store.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		if err := json.Unmarshal([]byte(rs.data), &s.Data); err != nil {
			t.Error(err)
		}
		for _, f := range rs.flashes {
			s.AddFlash(f)
		}
		for _, c := range rs.cats {
			for _, m := range c.Messages {
				s.AddFlashTo(c.Category, m)
			}
		}
		s.SetSubject(rs.subject)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/", nil))
	if rec.Code != 200 {
		t.Fatalf("Go store answered %d: %s", rec.Code, rec.Body)
	}
	j := newJar()
	j.update(rec.Result().Header["Set-Cookie"])
	return j.header()
}

// sameValue fails unless two JSON texts decode to the same value (numbers
// as float64, as both languages read them).
func sameValue(t *testing.T, what, a, b string) {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal([]byte(a), &va); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if err := json.Unmarshal([]byte(b), &vb); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !reflect.DeepEqual(va, vb) {
		t.Fatalf("%s differ:\n%.500s\n%.500s", what, a, b)
	}
}

func TestRandomSessionsGoToJS(t *testing.T) {
	requireJS(t)
	seed := roundTripSeed(t)
	store, opts := roundTripStore(t)
	sessions := randomSessions(seed)
	reqs := make([]sessionReq, len(sessions))
	chunked := 0
	for i, rs := range sessions {
		reqs[i] = sessionReq{Op: "read", Options: opts, Cookie: goSetCookie(t, store, rs)}
		if strings.Contains(reqs[i].Cookie, "sid~2=") {
			chunked++
		}
	}
	var res []sessionRes
	runJS(t, reqs, &res)
	for i, rs := range sessions {
		got := res[i]
		if got.Error != "" {
			t.Fatalf("session %d: JavaScript refused Go's cookie: %s", i, got.Error)
		}
		sameValue(t, "session data", rs.data, got.Data)
		if !reflect.DeepEqual(got.Flashes, append([]string{}, rs.flashes...)) || got.Subject != rs.subject {
			t.Fatalf("session %d: flashes %q subject %q, want %q %q", i, got.Flashes, got.Subject, rs.flashes, rs.subject)
		}
		sameCategories(t, i, got.Cats, rs.cats)
	}
	if chunked == 0 {
		t.Fatal("no session was chunked")
	}
	t.Logf("%d sessions, %d of them chunked, opened identically in JavaScript", len(sessions), chunked)
}

func TestRandomSessionsJSToGo(t *testing.T) {
	requireJS(t)
	seed := roundTripSeed(t)
	store, opts := roundTripStore(t)
	sessions := randomSessions(seed)
	reqs := make([]sessionReq, len(sessions))
	for i, rs := range sessions {
		reqs[i] = sessionReq{Op: "write", Options: opts, Data: rs.data, Flashes: rs.flashes, Cats: rs.cats, Subject: rs.subject}
	}
	var res []sessionRes
	runJS(t, reqs, &res)
	chunked := 0
	for i, rs := range sessions {
		if res[i].Error != "" {
			t.Fatalf("session %d: JavaScript could not write it: %s", i, res[i].Error)
		}
		if len(res[i].SetCookie) > 4 || len(res[i].SetCookie) == 0 {
			t.Fatalf("session %d: %d Set-Cookie lines", i, len(res[i].SetCookie))
		}
		j := newJar()
		j.update(res[i].SetCookie)
		if len(j.names) > 1 {
			chunked++
		}
		goServe(t, store, j, func(s *cookiesession.Session[cookiesession.Map]) {
			if s.Err() != nil || s.IsNew() {
				t.Fatalf("session %d: Go refused JavaScript's cookie: %v", i, s.Err())
			}
			b, err := json.Marshal(s.Data)
			if err != nil {
				t.Fatal(err)
			}
			sameValue(t, "session data", rs.data, string(b))
			if f := s.Flashes(); !reflect.DeepEqual(f, rs.flashes) || s.Subject() != rs.subject {
				t.Fatalf("session %d: flashes %q subject %q, want %q %q", i, f, s.Subject(), rs.flashes, rs.subject)
			}
			var got []flashes
			for _, c := range rs.cats {
				got = append(got, flashes{c.Category, s.FlashesOf(c.Category)})
			}
			sameCategories(t, i, got, rs.cats)
		})
	}
	if chunked == 0 {
		t.Fatal("no session was chunked")
	}
	t.Logf("%d sessions, %d of them chunked, opened identically in Go", len(sessions), chunked)
}
