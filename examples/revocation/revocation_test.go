package revocation

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession"
)

type session struct {
	User string `json:"user,omitempty"`
}

func userOf(s *session) string { return s.User }

// clock is the servers' time, shared by the store and the revocations.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// app is a small application: /login?user=NAME signs in, / says who is
// signed in, /logout-everywhere revokes every session of the current user.
func app(t *testing.T, clk *clock, users *Users, validAfter ValidAfterFunc) http.Handler {
	key := make([]byte, 32)
	rand.Read(key)
	store, err := cookiesession.New[session](cookiesession.Options{
		Keys:   [][]byte{key},
		MaxAge: 24 * time.Hour,
		Now:    clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "user=%s", store.Get(r).Data.User)
	})
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		s.Data.User = r.URL.Query().Get("user")
		s.Renew()
		fmt.Fprintf(w, "user=%s", s.Data.User)
	})
	mux.HandleFunc("/logout-everywhere", func(w http.ResponseWriter, r *http.Request) {
		s := store.Get(r)
		users.RevokeAll(s.Data.User, clk.Now())
		s.Destroy()
		fmt.Fprint(w, "user=")
	})
	return store.Middleware(Check(store, userOf, validAfter)(mux))
}

// device is one browser: it keeps the session cookie it was last given.
type device struct {
	t      *testing.T
	h      http.Handler
	cookie *http.Cookie
}

func (d *device) get(target string) (string, int) {
	d.t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	if d.cookie != nil {
		r.AddCookie(d.cookie)
	}
	rec := httptest.NewRecorder()
	d.h.ServeHTTP(rec, r)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			d.cookie = nil
		} else {
			d.cookie = c
		}
	}
	return rec.Body.String(), rec.Code
}

func TestLogoutEverywhere(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	users := &Users{}
	h := app(t, clk, users, users.ValidAfter)

	laptop := &device{t: t, h: h}
	if body, _ := laptop.get("/login?user=ada"); body != "user=ada" {
		t.Fatalf("login: %q", body)
	}
	clk.Add(time.Minute)
	phone := &device{t: t, h: h}
	phone.get("/login?user=ada")
	// A copy of the laptop's cookie, taken by someone else.
	stolen := &device{t: t, h: h, cookie: laptop.cookie}

	clk.Add(time.Hour)
	for name, d := range map[string]*device{"laptop": laptop, "phone": phone, "stolen": stolen} {
		if body, _ := d.get("/"); body != "user=ada" {
			t.Fatalf("%s before revocation: %q", name, body)
		}
	}

	clk.Add(500 * time.Millisecond) // revocations need not fall on a whole second
	laptop.get("/logout-everywhere")
	clk.Add(time.Second)

	for name, d := range map[string]*device{"phone": phone, "stolen": stolen} {
		if body, _ := d.get("/"); body != "user=" {
			t.Fatalf("%s after revocation: %q", name, body)
		}
		if d.cookie != nil {
			t.Fatalf("%s: the revoked cookie was not expired", name)
		}
	}
	// Signing in again later works.
	if body, _ := phone.get("/login?user=ada"); body != "user=ada" {
		t.Fatalf("new login: %q", body)
	}
	clk.Add(time.Minute)
	if body, _ := phone.get("/"); body != "user=ada" {
		t.Fatalf("after new login: %q", body)
	}
	// Other users are not affected.
	bob := &device{t: t, h: h}
	bob.get("/login?user=bob")
	if body, _ := bob.get("/"); body != "user=bob" {
		t.Fatalf("bob: %q", body)
	}
}

func TestSameSecondCountsAsRevoked(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 700e6, time.UTC)
	for _, c := range []struct {
		created time.Time
		want    bool
	}{
		{at.Add(-time.Hour), true},
		{at.Truncate(time.Second), true}, // same second: revoked
		{at.Truncate(time.Second).Add(time.Second), false},
	} {
		if got := Revoked(c.created, at); got != c.want {
			t.Errorf("Revoked(%v, %v) = %v", c.created, at, got)
		}
	}
	if Revoked(at, time.Time{}) {
		t.Error("a user never revoked")
	}
}

func TestLookupFailureRefuses(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	var fail bool
	users := &Users{}
	h := app(t, clk, users, func(ctx context.Context, user string) (time.Time, error) {
		if fail {
			return time.Time{}, errors.New("database unavailable")
		}
		return users.ValidAfter(ctx, user)
	})
	d := &device{t: t, h: h}
	d.get("/login?user=ada")
	fail = true
	if _, code := d.get("/"); code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", code)
	}
	// A visitor who is not signed in needs no lookup.
	if body, code := (&device{t: t, h: h}).get("/"); code != http.StatusOK || body != "user=" {
		t.Fatalf("anonymous visitor: %d %q", code, body)
	}
}
