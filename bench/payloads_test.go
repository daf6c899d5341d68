package bench

import (
	"encoding/gob"
	"fmt"
	"strings"
	"testing"
)

// The three sessions every contender seals and opens.
//
//   - small: a typed session of about 300 bytes of JSON (a signed-in user);
//   - map: an untyped session of about 1.5 KB (string, number and boolean
//     values, as Express cookie-session's req.session holds them);
//   - large: a typed session of about 2.9 KB, close to the most JSON that
//     fits one cookie under the default name and limits (3,005 bytes with
//     XChaCha20-Poly1305, checked by TestLargestFittingPayload).

type smallSession struct {
	UserID    int64    `json:"uid"`
	Username  string   `json:"username"`
	Email     string   `json:"email"`
	Roles     []string `json:"roles"`
	CSRFToken string   `json:"csrf"`
	Locale    string   `json:"locale"`
	Theme     string   `json:"theme"`
	LoginAt   int64    `json:"login_at"`
	Visits    int      `json:"visits"`
	Verified  bool     `json:"verified"`
}

type cartItem struct {
	SKU        string `json:"sku"`
	Name       string `json:"name"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

type largeSession struct {
	User   smallSession `json:"user"`
	Cart   []cartItem   `json:"cart"`
	Recent []string     `json:"recent"`
	Coupon string       `json:"coupon"`
}

func newSmall() smallSession {
	return smallSession{
		UserID:    4815162342,
		Username:  "ada.lovelace",
		Email:     "ada.lovelace@analytical-engine.example",
		Roles:     []string{"customer", "beta-tester", "newsletter"},
		CSRFToken: "pK3vX9qL2mN8rT4wY6zB1cD5fG7hJ0kA-sE3uI9oP2q",
		Locale:    "en-GB-oxendict",
		Theme:     "dark-high-contrast",
		LoginAt:   1795694400,
		Visits:    42,
		Verified:  true,
	}
}

func newMap() map[string]any {
	m := make(map[string]any)
	for i := range 18 {
		m[fmt.Sprintf("pref_%02d", i)] = fmt.Sprintf("value %02d: %s", i, strings.Repeat("abcdefgh", 5))
	}
	for i := range 10 {
		m[fmt.Sprintf("count_%02d", i)] = float64(1000*i + 7)
	}
	for i := range 6 {
		m[fmt.Sprintf("flag_%02d", i)] = i%2 == 0
	}
	m["user"] = "ada.lovelace@analytical-engine.example"
	m["csrf"] = "pK3vX9qL2mN8rT4wY6zB1cD5fG7hJ0kA-sE3uI9oP2q"
	return m
}

func newLarge() largeSession {
	s := largeSession{User: newSmall(), Coupon: "WINTER-2026-FREE-SHIPPING"}
	for i := range 27 {
		s.Cart = append(s.Cart, cartItem{
			SKU:        fmt.Sprintf("SKU-%06d", 100000+i*7919),
			Name:       fmt.Sprintf("Product number %02d, colour blue", i),
			Qty:        1 + i%3,
			PriceCents: int64(999 + i*250),
		})
	}
	for i := range 8 {
		s.Recent = append(s.Recent, fmt.Sprintf("/catalogue/item/%06d", 200000+i*31))
	}
	return s
}

// payload is one session, in the forms the contenders need.
type payload struct {
	name string
	// value is what the JSON contenders marshal; decode returns a fresh
	// pointer to unmarshal into.
	value  any
	decode func() any
	// gorilla is the same session as gorilla/sessions holds it.
	gorilla map[any]any
	// interfaces: the data holds interface values (a Map), so a plugged
	// Unmarshal must decode numbers as json.Number.
	interfaces bool
	// store builds the library's Store path for this payload's type, with
	// a plugged serializer or (nil) encoding/json.
	store func(testing.TB, *serializer) impl
}

func payloads() []payload {
	small, large, m := newSmall(), newLarge(), newMap()
	gm := make(map[any]any, len(m))
	for k, v := range m {
		gm[k] = v
	}
	return []payload{
		{"small", small, func() any { return new(smallSession) }, map[any]any{"s": small}, false, storeImpl(small, false)},
		{"map", m, func() any { return new(map[string]any) }, gm, true, storeImpl(m, true)},
		{"large", large, func() any { return new(largeSession) }, map[any]any{"s": large}, false, storeImpl(large, false)},
	}
}

func init() {
	// gob, gorilla/sessions' serializer, must know the concrete types it
	// finds in interface values.
	gob.Register(smallSession{})
	gob.Register(largeSession{})
}
