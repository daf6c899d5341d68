package main

import (
	"testing"

	"github.com/cookiesession/cookiesession/examples/internal/roundtrip"

	"github.com/gin-gonic/gin"
)

func TestSessionRoundTrip(t *testing.T) {
	gin.SetMode(gin.TestMode)
	store, err := newStore(roundtrip.Keys())
	if err != nil {
		t.Fatal(err)
	}
	roundtrip.Check(t, routes(store))
}
