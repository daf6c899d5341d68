package cookiesession

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

// TestCipherIsSuite checks that each Cipher is its suite byte in the
// format, under the same name.
func TestCipherIsSuite(t *testing.T) {
	for c, s := range map[Cipher]format.Suite{XChaCha20Poly1305: format.XChaCha20Poly1305, AES256GCM: format.AES256GCM, 3: 3} {
		if uint8(c) != uint8(s) || c.String() != s.String() {
			t.Errorf("Cipher %v (%#02x) against suite %v (%#02x)", c, uint8(c), s, uint8(s))
		}
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
