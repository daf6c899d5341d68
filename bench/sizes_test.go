package bench

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession"
	"github.com/cookiesession/cookiesession/internal/bounds"
	"github.com/cookiesession/cookiesession/internal/format"
)

func TestPayloadSizes(t *testing.T) {
	want := map[string][2]int{"small": {250, 350}, "map": {1400, 1600}, "large": {2850, 3005}}
	for _, p := range payloads() {
		b, err := json.Marshal(p.value)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d bytes of JSON", p.name, len(b))
		if r := want[p.name]; len(b) < r[0] || len(b) > r[1] {
			t.Errorf("%s: %d bytes of JSON, want %d..%d", p.name, len(b), r[0], r[1])
		}
	}
}

// TestLargestFittingPayload checks, through the library, the figure the
// large payload is sized against: under the default name and limits one
// cookie holds at most 3,005 bytes of JSON with XChaCha20-Poly1305.
func TestLargestFittingPayload(t *testing.T) {
	const most = 3005
	store, err := cookiesession.New[string](cookiesession.Options{Keys: [][]byte{key32}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{most, most + 1} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		s := store.Get(r)
		s.Data = strings.Repeat("a", n-2) // JSON adds the quotes
		err := s.Save(httptest.NewRecorder())
		if n == most && err != nil {
			t.Errorf("%d bytes of JSON: %v", n, err)
		}
		if n > most && !errors.Is(err, cookiesession.ErrTooLarge) {
			t.Errorf("%d bytes of JSON: got %v, want ErrTooLarge", n, err)
		}
	}
	if got := len(bounds.DefaultName) + 1 + format.XChaCha20Poly1305.SealedLen(most); got > bounds.DefaultMaxCookieBytes+1 {
		t.Errorf("name=value of %d bytes", got)
	}
}

// TestContendersRoundTrip checks that every contender opens what it sealed
// and gets the payload back, so that the benchmarks measure working code.
func TestContendersRoundTrip(t *testing.T) {
	for _, p := range payloads() {
		want, _ := json.Marshal(p.value)
		for _, c := range contenders {
			t.Run(p.name+"/"+c.name, func(t *testing.T) {
				im := c.make(t, p)
				v, err := im.seal()
				if err != nil {
					t.Fatal(err)
				}
				if err := im.open(v); err != nil {
					t.Fatal(err)
				}
				if err := im.open(alter(v)); err == nil {
					t.Error("opened an altered value")
				}
				t.Logf("%d cookie bytes", len(v))
			})
		}
		t.Run(p.name+"/decoded", func(t *testing.T) {
			for _, c := range contenders {
				if strings.HasPrefix(c.name, "store") || c.name == "gorilla-sessions" {
					continue // they decode into their own data (TestStoreCodecs)
				}
				got := roundTripJSON(t, c, p)
				if !bytes.Equal(got, want) {
					t.Errorf("%s: got %s, want %s", c.name, got, want)
				}
			}
		})
	}
}

// alter changes one character in the middle of a cookie value.
func alter(v string) string {
	b := []byte(v)
	i := len(b) / 2
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// roundTripJSON seals and opens p with c and returns the opened data as
// JSON.
func roundTripJSON(t *testing.T, c contender, p payload) []byte {
	var got any
	q := p
	q.decode = func() any { got = p.decode(); return got }
	im := c.make(t, q)
	v, err := im.seal()
	if err != nil {
		t.Fatal(err)
	}
	if err := im.open(v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
