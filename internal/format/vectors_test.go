package format

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/vectors.json from the current implementation")

// vector is one entry of testdata/vectors.json (docs/FORMAT.md, "Test
// vectors").
type vector struct {
	Comment        string   `json:"comment"`
	Cipher         string   `json:"cipher"`            // "XChaCha20-Poly1305" or "AES-256-GCM"
	Keys           []string `json:"keys"`              // base64url master keys; the first seals
	Name           string   `json:"name"`              // cookie name
	Chunks         int      `json:"chunks"`            // bound in the associated data
	Created        int64    `json:"created"`           // Unix seconds
	Sealed         int64    `json:"sealed"`            // Unix seconds
	BrowserSession bool     `json:"browser_session"`   // flag bit 0
	Flashes        bool     `json:"flashes"`           // flag bit 1
	Nonce          string   `json:"nonce,omitempty"`   // hex
	Plaintext      string   `json:"plaintext"`         // the JSON sealed
	Meta           string   `json:"meta,omitempty"`    // hex metadata block before it (flag M)
	MaxAge         int64    `json:"max_age,omitempty"` // metadata fields
	ID             string   `json:"id,omitempty"`
	Subject        string   `json:"subject,omitempty"`
	KeyID          string   `json:"key_id,omitempty"` // hex, of the sealing key
	Value          string   `json:"value"`            // the cookie value
	Error          string   `json:"error,omitempty"`  // for vectors that must fail: malformed, unknown_key, authentication
}

var vectorErrors = map[string]error{
	"malformed":      ErrMalformed,
	"unknown_key":    ErrUnknownKey,
	"authentication": ErrAuthentication,
}

func suiteByName(t *testing.T, name string) Suite {
	for _, c := range []Suite{XChaCha20Poly1305, AES256GCM} {
		if c.String() == name {
			return c
		}
	}
	t.Fatalf("unknown cipher %q", name)
	return 0
}

func vectorCodec(t *testing.T, v *vector) *Codec {
	t.Helper()
	keys := make([][]byte, len(v.Keys))
	for i, k := range v.Keys {
		var err error
		if keys[i], err = base64.RawURLEncoding.DecodeString(k); err != nil {
			t.Fatalf("%s: key %d: %v", v.Comment, i, err)
		}
	}
	c, err := NewCodec(suiteByName(t, v.Cipher), false, keys...)
	if err != nil {
		t.Fatalf("%s: %v", v.Comment, err)
	}
	return c
}

// specSeal seals v's plaintext with v's nonce as docs/FORMAT.md specifies,
// written from the document and sharing no code with codec.go, so that the
// vectors check the implementation against the specification.
func specSeal(t *testing.T, v *vector) (value, keyID string) {
	t.Helper()
	master, err := base64.RawURLEncoding.DecodeString(v.Keys[0])
	if err != nil {
		t.Fatal(err)
	}
	id, err := hkdf.Key(sha256.New, master, nil, "cookiesession v1 key id", 4)
	if err != nil {
		t.Fatal(err)
	}
	var suite byte
	var aead cipher.AEAD
	switch v.Cipher {
	case "XChaCha20-Poly1305":
		sub, _ := hkdf.Key(sha256.New, master, nil, "cookiesession v1 xchacha20-poly1305 seal", 32)
		suite, aead = 0x01, must(chacha20poly1305.NewX(sub))
	case "AES-256-GCM":
		sub, _ := hkdf.Key(sha256.New, master, nil, "cookiesession v1 aes-256-gcm seal", 32)
		suite, aead = 0x02, must(cipher.NewGCM(must(aes.NewCipher(sub))))
	}
	var flags byte
	if v.BrowserSession {
		flags |= 1
	}
	if v.Flashes {
		flags |= 2
	}
	plaintext := []byte(v.Plaintext)
	if v.Meta != "" {
		flags |= 4
		plaintext = append(must(hex.DecodeString(v.Meta)), plaintext...)
	}
	header := append([]byte{suite, flags}, id...)
	header = binary.BigEndian.AppendUint64(header, uint64(v.Created))
	header = binary.BigEndian.AppendUint32(header, uint32(v.Sealed-v.Created))
	chunks := max(v.Chunks, 1)
	ad := append(append(bytes.Clone(header), byte(chunks)), v.Name...)
	nonce, err := hex.DecodeString(v.Nonce)
	if err != nil {
		t.Fatal(err)
	}
	out := append(append(header, nonce...), aead.Seal(nil, nonce, plaintext, ad)...)
	return base64.RawURLEncoding.EncodeToString(out), hex.EncodeToString(id)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestVectors checks testdata/vectors.json three ways: the specification
// (specSeal) yields each value exactly from its inputs; the codec opens it
// to the plaintext and header; and what the codec seals now, with a random
// nonce, opens to the same. Failing vectors fail with the named error.
func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	if *updateVectors {
		writeVectors(t, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var vectors []vector
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 10 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	for _, v := range vectors {
		c := vectorCodec(t, &v)
		if v.Error != "" {
			_, _, err := c.Open(v.Name, v.Chunks, v.Value)
			if want := vectorErrors[v.Error]; want == nil || !errors.Is(err, want) {
				t.Errorf("%s: Open err = %v, want %s", v.Comment, err, v.Error)
			}
			continue
		}
		if got, id := specSeal(t, &v); got != v.Value || id != v.KeyID {
			t.Errorf("%s: the specification seals\n%s (key id %s)\nwant\n%s (key id %s)", v.Comment, got, id, v.Value, v.KeyID)
		}
		checkOpens(t, c, &v, v.Value)
		h := Header{Created: time.Unix(v.Created, 0), Sealed: time.Unix(v.Sealed, 0), BrowserSession: v.BrowserSession, Flashes: v.Flashes, Meta: v.Meta != "", Chunks: v.Chunks}
		fresh, err := c.Seal(v.Name, h, append(must(hex.DecodeString(v.Meta)), v.Plaintext...))
		if err != nil {
			t.Fatalf("%s: Seal: %v", v.Comment, err)
		}
		if len(fresh) != len(v.Value) || fresh == v.Value {
			t.Errorf("%s: Seal gives %d characters (want %d) or repeats the vector's nonce", v.Comment, len(fresh), len(v.Value))
		}
		checkOpens(t, c, &v, fresh)
	}
}

// checkOpens checks that value opens to v's plaintext, after its metadata
// block if any, and header. The library's tests check the metadata fields.
func checkOpens(t *testing.T, c *Codec, v *vector, value string) {
	t.Helper()
	oh, pt, err := c.Open(v.Name, v.Chunks, value)
	if err != nil {
		t.Fatalf("%s: Open: %v", v.Comment, err)
	}
	if oh.Meta != (v.Meta != "") {
		t.Fatalf("%s: flag M = %v", v.Comment, oh.Meta)
	}
	meta := must(hex.DecodeString(v.Meta))
	if !bytes.HasPrefix(pt, meta) {
		t.Fatalf("%s: plaintext does not start with the metadata %s", v.Comment, v.Meta)
	}
	pt = pt[len(meta):]
	if string(pt) != v.Plaintext || oh.Created.Unix() != v.Created || oh.Sealed.Unix() != v.Sealed ||
		oh.BrowserSession != v.BrowserSession || oh.Flashes != v.Flashes || oh.KeyID.String() != v.KeyID {
		t.Errorf("%s: Open = %+v %q", v.Comment, oh, pt)
	}
}

// writeVectors regenerates the vector file. Fixed inputs only: the output
// changes only if the format does, which the diff then shows.
func writeVectors(t *testing.T, path string) {
	// Fixed keys that look random (hashes of their names): NewCodec refuses
	// obviously non-random keys. k2 is longer than MinKeySize, as allowed.
	k1sum, k2sum := sha256.Sum256([]byte("cookiesession test vector key 1")), sha512.Sum512([]byte("cookiesession test vector key 2"))
	k1 := base64.RawURLEncoding.EncodeToString(k1sum[:])
	k2 := base64.RawURLEncoding.EncodeToString(k2sum[:42])
	nonce24 := "000102030405060708090a0b0c0d0e0f1011121314151617"
	nonce12 := "a0a1a2a3a4a5a6a7a8a9aaab"
	base := []vector{
		{Comment: "XChaCha20-Poly1305, small object", Cipher: "XChaCha20-Poly1305", Keys: []string{k1}, Name: "session", Chunks: 1, Created: 1796212800, Sealed: 1796212800, Nonce: nonce24, Plaintext: `{"user":"ada","n":1}`},
		{Comment: "XChaCha20-Poly1305, sealed an hour after creation, browser-session flag", Cipher: "XChaCha20-Poly1305", Keys: []string{k1}, Name: "__Host-sid", Chunks: 1, Created: 1796212800, Sealed: 1796216400, BrowserSession: true, Nonce: nonce24, Plaintext: `{"cart":["a","b"],"é":"ü"}`},
		{Comment: "XChaCha20-Poly1305, flashes envelope", Cipher: "XChaCha20-Poly1305", Keys: []string{k1}, Name: "session", Chunks: 1, Created: 1796212800, Sealed: 1796212860, Flashes: true, Nonce: nonce24, Plaintext: `[{"n":2},["saved"]]`},
		{Comment: "XChaCha20-Poly1305, value split across 3 cookies", Cipher: "XChaCha20-Poly1305", Keys: []string{k1}, Name: "session", Chunks: 3, Created: 1796212800, Sealed: 1796212800, Nonce: nonce24, Plaintext: `{}`},
		{Comment: "XChaCha20-Poly1305, second key configured but first seals", Cipher: "XChaCha20-Poly1305", Keys: []string{k2, k1}, Name: "session", Chunks: 1, Created: 0, Sealed: 4294967295, Nonce: nonce24, Plaintext: `null`},
		{Comment: "AES-256-GCM, small object", Cipher: "AES-256-GCM", Keys: []string{k1}, Name: "session", Chunks: 1, Created: 1796212800, Sealed: 1796212800, Nonce: nonce12, Plaintext: `{"user":"ada","n":1}`},
		{Comment: "AES-256-GCM, both flags", Cipher: "AES-256-GCM", Keys: []string{k2}, Name: "s", Chunks: 2, Created: 1796212800, Sealed: 1796299200, BrowserSession: true, Flashes: true, Nonce: nonce12, Plaintext: `[{},["a","b"]]`},
		{Comment: "XChaCha20-Poly1305, metadata: the session's own lifetime (30 days)", Cipher: "XChaCha20-Poly1305", Keys: []string{k1}, Name: "__Host-session", Chunks: 1, Created: 1796212800, Sealed: 1796212800, Nonce: nonce24, Meta: "01010400278d00", MaxAge: 2592000, Plaintext: `{"user":"ada"}`},
		{Comment: "AES-256-GCM, metadata: lifetime, identifier and subject, with flashes", Cipher: "AES-256-GCM", Keys: []string{k1}, Name: "session", Chunks: 1, Created: 1796212800, Sealed: 1796216400, Flashes: true, Nonce: nonce12, Meta: "030104000151800210" + "00112233445566778899aabbccddeeff" + "0308757365722d343231", MaxAge: 86400, ID: "00112233445566778899aabbccddeeff", Subject: "user-421", Plaintext: `[{"n":1},["hi"]]`},
		{Comment: "XChaCha20-Poly1305, flashes envelope with categories: default messages, then [category, messages] pairs", Cipher: "XChaCha20-Poly1305", Keys: []string{k1}, Name: "session", Chunks: 1, Created: 1796212800, Sealed: 1796212860, Flashes: true, Nonce: nonce24, Plaintext: `[{"n":3},["saved"],[["error",["bad password","try again"]],["info",["é"]]]]`},
	}
	var out []vector
	for _, v := range base {
		v.Value, v.KeyID = specSeal(t, &v)
		out = append(out, v)
	}
	good := out[0]
	raw, _ := base64.RawURLEncoding.DecodeString(good.Value)
	mutate := func(comment, errName string, f func(v *vector, raw []byte)) {
		v := good
		v.Comment, v.Error, v.Nonce, v.KeyID = comment, errName, "", ""
		r := bytes.Clone(raw)
		f(&v, r)
		if v.Value == good.Value {
			v.Value = base64.RawURLEncoding.EncodeToString(r)
		}
		out = append(out, v)
	}
	mutate("must fail: opened under another cookie name", "authentication", func(v *vector, _ []byte) { v.Name = "other" })
	mutate("must fail: opened as 2 chunks", "authentication", func(v *vector, _ []byte) { v.Chunks = 2 })
	mutate("must fail: last tag byte flipped", "authentication", func(_ *vector, r []byte) { r[len(r)-1] ^= 1 })
	mutate("must fail: creation time changed", "authentication", func(_ *vector, r []byte) { r[13] ^= 1 })
	mutate("must fail: flag bit 0 set", "authentication", func(_ *vector, r []byte) { r[1] ^= flagBrowserSession })
	mutate("must fail: ciphertext byte flipped", "authentication", func(_ *vector, r []byte) { r[50] ^= 0x80 })
	mutate("must fail: sealing key not configured", "unknown_key", func(v *vector, _ []byte) { v.Keys = []string{k2} })
	mutate("must fail: key id altered", "unknown_key", func(_ *vector, r []byte) { r[2] ^= 1 })
	mutate("must fail: unknown format byte", "malformed", func(_ *vector, r []byte) { r[0] = 0x03 })
	mutate("must fail: unknown flag bit", "malformed", func(_ *vector, r []byte) { r[1] |= 0x80 })
	mutate("must fail: truncated below the envelope", "malformed", func(v *vector, r []byte) { v.Value = base64.RawURLEncoding.EncodeToString(r[:57]) })
	mutate("must fail: standard base64 with padding", "malformed", func(v *vector, r []byte) { v.Value = base64.StdEncoding.EncodeToString(r) + "=" })
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}
