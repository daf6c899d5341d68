package format

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"
	"time"
)

// testKey returns a fixed master key that passes CheckKey.
func testKey(i byte) []byte {
	k := sha256.Sum256([]byte{'k', i})
	return k[:]
}

// TestNewCodecOnly checks that a codec made with only holds no subkey of
// the other cipher, so its algorithm never runs, and refuses its values
// with ErrCipherRefused; without only, it opens both.
func TestNewCodecOnly(t *testing.T) {
	now := time.Unix(1796212800, 0)
	for _, c := range []Suite{XChaCha20Poly1305, AES256GCM} {
		other := XChaCha20Poly1305 + AES256GCM - c
		sealer := must(NewCodec(other, false, testKey(1)))
		value := must(sealer.Seal("session", Header{Created: now, Sealed: now}, []byte("{}")))
		if _, _, err := must(NewCodec(c, false, testKey(1))).Open("session", 1, value); err != nil {
			t.Errorf("%v codec: %v value refused: %v", c, other, err)
		}
		strict := must(NewCodec(c, true, testKey(1)))
		for _, k := range strict.keys {
			if k.aeadFor(other) != nil || k.aeadFor(c) == nil {
				t.Fatalf("%v codec, only: holds a %v subkey", c, other)
			}
		}
		if _, _, err := strict.Open("session", 1, value); !errors.Is(err, ErrCipherRefused) {
			t.Errorf("%v codec, only: %v value gave %v, want ErrCipherRefused", c, other, err)
		}
	}
}

// TestSealAllocations checks that SealRaw allocates once, and Seal once
// more for the string.
func TestSealAllocations(t *testing.T) {
	now := time.Unix(1796212800, 0)
	pt := []byte(`{"user":"ada","n":1}`)
	for _, c := range []Suite{XChaCha20Poly1305, AES256GCM} {
		codec := must(NewCodec(c, false, testKey(1)))
		h := Header{Created: now, Sealed: now}
		raw := testing.AllocsPerRun(100, func() { must(codec.SealRaw("session", h, pt)) })
		str := testing.AllocsPerRun(100, func() { must(codec.Seal("session", h, pt)) })
		if raw != 1 || str != 2 {
			t.Errorf("%v: SealRaw allocates %v times, Seal %v; want 1 and 2", c, raw, str)
		}
	}
}

// TestRandomKeysAccepted checks that random keys pass CheckKey: the chance
// that one in this test is refused is below 1e-10.
func TestRandomKeysAccepted(t *testing.T) {
	for i := range 1000 {
		k := make([]byte, MinKeySize+i%33)
		rand.Read(k)
		if err := CheckKey(1, k); err != nil {
			t.Fatalf("random key of %d bytes refused: %v", len(k), err)
		}
	}
}
