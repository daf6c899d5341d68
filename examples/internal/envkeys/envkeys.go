// Package envkeys loads the examples' session keys from the environment.
package envkeys

import (
	"crypto/rand"
	"log"
	"os"

	"github.com/cookiesession/cookiesession"
)

// Load reads COOKIESESSION_KEYS: comma-separated keys of 32 bytes or more
// in base64url, as "cookiesession keygen" prints them. The first key seals;
// all of them open. Without it a random key is used, and sessions end with
// the process.
func Load() [][]byte {
	list := os.Getenv("COOKIESESSION_KEYS")
	if list == "" {
		log.Print("COOKIESESSION_KEYS not set: using a random key; sessions end with the process")
		k := make([]byte, cookiesession.MinKeySize)
		rand.Read(k)
		return [][]byte{k}
	}
	keys, err := cookiesession.ParseKeys(list)
	if err != nil {
		log.Fatalf("COOKIESESSION_KEYS: %v", err)
	}
	return keys
}
