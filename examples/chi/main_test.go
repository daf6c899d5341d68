package main

import (
	"testing"

	"github.com/cookiesession/cookiesession/examples/internal/roundtrip"
)

func TestSessionRoundTrip(t *testing.T) {
	store, err := newStore(roundtrip.Keys())
	if err != nil {
		t.Fatal(err)
	}
	roundtrip.Check(t, routes(store))
}
