package format

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
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

// TestSealPooled checks that values sealed by SealPooled open to their
// plaintext, that two buffers held at once never share bytes (the second
// seal leaves the first value intact), and that sealing through the pool
// allocates nothing once it holds a buffer.
func TestSealPooled(t *testing.T) {
	now := time.Unix(1796212800, 0)
	h := Header{Created: now, Sealed: now}
	for _, c := range []Suite{XChaCha20Poly1305, AES256GCM} {
		codec := must(NewCodec(c, false, testKey(1)))
		sb1, raw1, err := codec.SealPooled("session", h, []byte(`{"n":1}`))
		if err != nil {
			t.Fatal(err)
		}
		was := bytes.Clone(raw1)
		sb2, raw2, err := codec.SealPooled("session", h, []byte(`{"n":2}`))
		if err != nil {
			t.Fatal(err)
		}
		if sb1 == sb2 || &raw1[:cap(raw1)][cap(raw1)-1] == &raw2[:cap(raw2)][cap(raw2)-1] || !bytes.Equal(raw1, was) {
			t.Fatalf("%v: two buffers held at once share bytes", c)
		}
		for i, raw := range [][]byte{raw1, raw2} {
			_, pt, err := codec.Open("session", 1, base64.RawURLEncoding.EncodeToString(raw))
			if want := fmt.Sprintf(`{"n":%d}`, i+1); err != nil || string(pt) != want {
				t.Fatalf("%v: opened %q, %v; want %s", c, pt, err, want)
			}
		}
		codec.Release(sb1)
		codec.Release(sb2)
		pt := []byte(`{"n":3}`)
		allocs := testing.AllocsPerRun(100, func() {
			sb, _, _ := codec.SealPooled("session", h, pt)
			codec.Release(sb)
		})
		if allocs != 0 && !raceEnabled { // the race detector drops some of a pool's buffers
			t.Errorf("%v: SealPooled allocates %v times, want 0", c, allocs)
		}
	}
}

// TestSealPooledConcurrent seals from several goroutines at once: each
// value, copied out before its buffer goes back, opens to its own
// plaintext (run with -race: a buffer shared by two seals is a race).
func TestSealPooledConcurrent(t *testing.T) {
	now := time.Unix(1796212800, 0)
	codec := must(NewCodec(XChaCha20Poly1305, false, testKey(1)))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				want := fmt.Sprintf(`{"g":%d,"i":%d,"pad":"%*s"}`, g, i, i%50, "")
				sb, raw, err := codec.SealPooled("session", Header{Created: now, Sealed: now}, []byte(want))
				if err != nil {
					t.Error(err)
					return
				}
				value := base64.RawURLEncoding.EncodeToString(raw)
				codec.Release(sb)
				if _, pt, err := codec.Open("session", 1, value); err != nil || string(pt) != want {
					t.Errorf("goroutine %d, seal %d: opened %q, %v; want %s", g, i, pt, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
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
