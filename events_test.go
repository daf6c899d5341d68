package cookiesession

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cookiesession/cookiesession/internal/format"
)

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
