package main

import (
	"crypto/rand"
	"testing"

	"github.com/cookiesession/cookiesession/examples/internal/roundtrip"

	"github.com/gin-gonic/gin"
)

func TestSessionRoundTrip(t *testing.T) {
	gin.SetMode(gin.TestMode)
	key := make([]byte, 32)
	rand.Read(key)
	store, err := newStore([][]byte{key})
	if err != nil {
		t.Fatal(err)
	}
	roundtrip.Check(t, routes(store))
}
