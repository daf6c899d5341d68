package cookiesession

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

// setCookie returns the response's Set-Cookie line for name.
func setCookie(t *testing.T, h http.Header, name string) string {
	t.Helper()
	for _, l := range h["Set-Cookie"] {
		if strings.HasPrefix(l, name+"=") {
			return l
		}
	}
	t.Fatalf("no Set-Cookie for %q in %q", name, h["Set-Cookie"])
	return ""
}

// maxAgeOf returns the Max-Age of a Set-Cookie line, or -1.
func maxAgeOf(line string) int {
	for _, a := range strings.Split(line, "; ") {
		if v, ok := strings.CutPrefix(a, "Max-Age="); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return -1
}

// TestSetMaxAge checks a per-session lifetime: sealed in the value, sent as
// Max-Age, enforced on the server past the store's MaxAge, bounded by the
// ceiling, and kept by Renew.
func TestSetMaxAge(t *testing.T) {
	clk := newClock()
	const month = 30 * 24 * time.Hour
	s := newStore[cart](t, Options{Now: clk.Now, MaxAgeCeiling: month})
	j := jar{}
	var setErr error
	remember := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess := s.Get(r)
		sess.Data.User = "ada"
		setErr = sess.SetMaxAge(month)
	}))
	rec := j.do(t, remember)
	if setErr != nil {
		t.Fatal(setErr)
	}
	if got := maxAgeOf(setCookie(t, rec.Header(), "session")); got != int(month/time.Second) {
		t.Fatalf("Max-Age %d, want %d", got, int(month/time.Second))
	}
	clk.Add(25 * time.Hour) // past the store's 24 h MaxAge
	if sess := s.Get(j.request("GET", "/")); sess.IsNew() || sess.Data.User != "ada" {
		t.Fatalf("remembered session refused after 25 h: %v", sess.Err())
	}
	renew := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Renew() }))
	rec = j.do(t, renew)
	if got := maxAgeOf(setCookie(t, rec.Header(), "session")); got != int(month/time.Second) {
		t.Fatalf("after Renew Max-Age %d, want the session's own %d", got, int(month/time.Second))
	}
	clk.Add(month)
	if sess := s.Get(j.request("GET", "/")); !errors.Is(sess.Err(), ErrExpired) {
		t.Fatalf("past its own lifetime: Err() = %v, want ErrExpired", sess.Err())
	}

	sess := s.Get(j.request("GET", "/"))
	for _, d := range []time.Duration{month + time.Second, -time.Second, time.Millisecond} {
		if err := sess.SetMaxAge(d); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("SetMaxAge(%v) = %v, want ErrInvalidOptions", d, err)
		}
	}
	if err := newStore[cart](t, Options{}).Get(j.request("GET", "/")).SetMaxAge(25 * time.Hour); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("without a ceiling SetMaxAge past MaxAge = %v", err)
	}
	if _, err := New[cart](Options{Keys: [][]byte{testKey(1)}, MaxAge: time.Hour, MaxAgeCeiling: time.Minute}); !errors.Is(err, ErrInvalidOptions) {
		t.Errorf("ceiling below MaxAge accepted: %v", err)
	}
}

// TestCipherRotation changes the cipher: the old cookies open, and are
// re-sealed with the new cipher on the same response.
func TestCipherRotation(t *testing.T) {
	old := newStore[cart](t, Options{Cipher: XChaCha20Poly1305})
	j := jar{}
	j.do(t, counter(old))
	var events []Event
	rotated := newStore[cart](t, Options{Cipher: AES256GCM, OnEvent: func(_ context.Context, e Event) { events = append(events, e) }})
	read := rotated.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sess := rotated.Get(r); sess.IsNew() || sess.Data.N != 1 {
			t.Errorf("old-cipher session refused: %v", sess.Err())
		}
	}))
	rec := j.do(t, read)
	h, err := format.ParseHeader(j["session"])
	if err != nil || h.Suite != format.AES256GCM || len(rec.Header()["Set-Cookie"]) == 0 {
		t.Fatalf("not re-sealed with AES-256-GCM: %v %v %q", h.Suite, err, rec.Header()["Set-Cookie"])
	}
	if len(events) != 1 || events[0].Kind != EventResealed {
		t.Fatalf("events %v, want one resealed", events)
	}
	if rec := j.do(t, read); len(rec.Header()["Set-Cookie"]) != 0 {
		t.Fatal("re-sealed again")
	}
}

// TestExpires checks that every persistent line carries Expires beside
// Max-Age, and deletions an Expires in the past; and that no line carries
// Chrome's Priority attribute, which the store no longer sends.
func TestExpires(t *testing.T) {
	clk := newClock()
	s := newStore[cart](t, Options{Now: clk.Now, MaxAge: time.Hour})
	j := jar{}
	line := setCookie(t, j.do(t, counter(s)).Header(), "session")
	want := "; Expires=" + clk.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if !strings.Contains(line, "; Max-Age=3600"+want) || strings.Contains(line, "Priority") {
		t.Fatalf("line %q", line)
	}
	c, err := http.ParseSetCookie(line)
	if err != nil || !c.Expires.Equal(clk.Now().Add(time.Hour)) {
		t.Fatalf("parsed %+v %v", c, err)
	}
	destroy := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Destroy() }))
	if line := setCookie(t, j.do(t, destroy).Header(), "session"); !strings.Contains(line, "Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT") {
		t.Fatalf("deletion %q", line)
	}
	browser := newStore[cart](t, Options{BrowserSession: true})
	if line := setCookie(t, (jar{}).do(t, counter(browser)).Header(), "session"); strings.Contains(line, "Expires=") || strings.Contains(line, "Max-Age") {
		t.Fatalf("browser-session line %q", line)
	}
}

// TestEvents checks each lifecycle event once, in a session's life.
func TestEvents(t *testing.T) {
	clk := newClock()
	var got []string
	record := func(_ context.Context, e Event) {
		s := e.Kind.String()
		if e.Kind == EventSizeWarning {
			s += ":" + strconv.Itoa(e.Size) + "/" + strconv.Itoa(e.Budget)
		}
		got = append(got, s)
	}
	s := newStore[cart](t, Options{Now: clk.Now, OnEvent: record, MaxAge: time.Hour})
	j := jar{}
	step := func(name string, fn func(*Session[cart]), want ...string) {
		t.Helper()
		got = nil
		j.do(t, s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fn(s.Get(r)) })))
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("%s: events %v, want %v", name, got, want)
		}
	}
	step("create", func(x *Session[cart]) { x.Data.N = 1 }, "created")
	step("change", func(x *Session[cart]) { x.Data.N = 2 })
	step("renew", func(x *Session[cart]) { x.Renew() }, "renewed")
	big := strings.Repeat("u", 2800)
	size := len("session") + format.XChaCha20Poly1305.SealedLen(len(`{"user":"`+big+`","n":2}`))
	step("grow", func(x *Session[cart]) { x.Data.User = big }, "size-warning:"+strconv.Itoa(size)+"/4092")
	step("destroy", func(x *Session[cart]) { x.Destroy() }, "destroyed")
	step("create again", func(x *Session[cart]) { x.Data.N = 1 }, "created")
	clk.Add(2 * time.Hour)
	step("expired", func(x *Session[cart]) {}, "expired")
	if !errors.Is(s.Get(j.request("GET", "/")).Err(), ErrExpired) {
		t.Fatal("not expired")
	}
}

// TestChangedPopulated checks cookie-session's isChanged and isPopulated.
func TestChangedPopulated(t *testing.T) {
	s := newStore[cart](t, Options{})
	sess := s.Get(j0())
	if sess.Changed() || sess.Populated() {
		t.Fatal("new session changed or populated")
	}
	sess.Data.N = 1
	if !sess.Changed() || !sess.Populated() {
		t.Fatal("changed data not seen")
	}
	j := jar{}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x := s.Get(r)
		x.Data.N++
		w.Write([]byte("x")) // saved now
		if !x.Changed() {
			t.Error("Changed() false after the save of a change")
		}
	}))
	j.do(t, h)
	read := s.Get(j.request("GET", "/"))
	if read.Changed() || !read.Populated() {
		t.Fatalf("opened session: changed %v populated %v", read.Changed(), read.Populated())
	}
	read.AddFlash("hi")
	if !read.Changed() {
		t.Fatal("flash not a change")
	}
}

func j0() *http.Request { return (jar{}).request("GET", "/") }

// TestPluggableJSON checks that Options.JSON replaces encoding/json.
func TestPluggableJSON(t *testing.T) {
	var marshals, unmarshals int
	s := newStore[Map](t, Options{JSON: countingJSON{&marshals, &unmarshals}})
	j := jar{}
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Get(r).Data["n"] = 1 }))
	j.do(t, h)
	j.do(t, h)
	if marshals == 0 || unmarshals == 0 {
		t.Fatalf("codec not used: %d marshals, %d unmarshals", marshals, unmarshals)
	}
}

// countingJSON is a plugged JSONCodec that counts its calls.
type countingJSON struct{ marshals, unmarshals *int }

func (c countingJSON) Marshal(v any) ([]byte, error) { *c.marshals++; return jsonMarshal(v) }

func (c countingJSON) Unmarshal(b []byte, v any) error { *c.unmarshals++; return jsonUnmarshal(b, v) }

// jsonMarshal and jsonUnmarshal stand for a plugged codec in tests.
func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func jsonUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// TestRefuseOtherCipher: by default a store opens a value of either cipher
// (TestCipherRotation); with RefuseOtherCipher it refuses the other one with
// ErrCipherRefused (format's TestNewCodecOnly checks that such a codec
// holds no subkey of the other cipher), whatever key sealed the value.
func TestRefuseOtherCipher(t *testing.T) {
	for _, c := range []Cipher{AES256GCM, XChaCha20Poly1305} {
		other := AES256GCM
		if c == AES256GCM {
			other = XChaCha20Poly1305
		}
		j := jar{}
		j.do(t, counter(newStore[cart](t, Options{Cipher: other})))
		lenient := newStore[cart](t, Options{Cipher: c})
		if sess := lenient.Get(j.request("GET", "/")); sess.IsNew() || sess.Err() != nil {
			t.Errorf("%v store, default: %v value refused: %v", c, other, sess.Err())
		}
		var rejected error
		strict := newStore[cart](t, Options{Cipher: c, RefuseOtherCipher: true, OnEvent: onRejected(func(err error) { rejected = err })})
		sess := strict.Get(j.request("GET", "/"))
		if !sess.IsNew() || !errors.Is(sess.Err(), ErrCipherRefused) || rejected != sess.Err() {
			t.Errorf("%v store, strict: %v value gave new=%v err=%v (EventRejected %v), want ErrCipherRefused", c, other, sess.IsNew(), sess.Err(), rejected)
		}
		// Its own cipher still opens.
		own := jar{}
		own.do(t, counter(strict))
		if sess := strict.Get(own.request("GET", "/")); sess.IsNew() || sess.Data.N != 1 {
			t.Errorf("%v store, strict: own value refused: %v", c, sess.Err())
		}
	}
}
