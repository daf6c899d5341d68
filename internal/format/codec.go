// Package format implements the sealed format, version 1: the cookie
// value's bytes, its keys and its ciphers. docs/FORMAT.md is the
// specification; this package implements it and nothing else. The library
// seals sessions with it; the CLI, the benchmarks and the interop tests use
// it directly.
//
//	value  = base64url-nopad( header || nonce || ciphertext || tag )
//	header = suite(1) || flags(1) || key id(4) || created(8, int64 BE Unix s)
//	         || age(4, uint32 BE seconds from created to sealed)
//	AD     = header || chunks(1) || cookie name
package format

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/cookiesession/cookiesession/internal/chunks"
	"golang.org/x/crypto/chacha20poly1305"
)

// Suite is a cipher suite: the AEAD that seals a value, and the first byte
// of every sealed value (the suite byte of docs/FORMAT.md). The library's
// Cipher option takes the same values.
type Suite uint8

const (
	// XChaCha20Poly1305 is XChaCha20-Poly1305 with a random 24-byte nonce.
	XChaCha20Poly1305 Suite = 0x01
	// AES256GCM is AES-256-GCM with a random 96-bit nonce: one key must not
	// seal more than 2^32 values.
	AES256GCM Suite = 0x02
)

// String returns the suite's name as docs/FORMAT.md writes it, or
// "Cipher(0xNN)" for a byte that names no suite.
func (c Suite) String() string {
	switch c {
	case XChaCha20Poly1305:
		return "XChaCha20-Poly1305"
	case AES256GCM:
		return "AES-256-GCM"
	}
	return fmt.Sprintf("Cipher(%#02x)", uint8(c))
}

// nonceSize is the nonce length the suite's values carry.
func (c Suite) nonceSize() int {
	if c == AES256GCM {
		return 12
	}
	return chacha20poly1305.NonceSizeX
}

// Format constants of version 1 (docs/FORMAT.md).
const (
	// MinKeySize is the least number of bytes of key material a master key
	// must have.
	MinKeySize = 32

	// HeaderSize is the length of the header, the first bytes of every
	// value.
	HeaderSize = 18

	tagSize   = 16
	keyIDSize = len(KeyID{})

	// MaxChunks is the most cookies one value can be split across: the
	// chunk count is bound into the associated data as one byte.
	MaxChunks = chunks.Max

	flagBrowserSession = 1 << 0 // cookie carries no Max-Age
	flagFlashes        = 1 << 1 // plaintext is [data, [flash...]]
	flagMeta           = 1 << 2 // plaintext starts with session metadata
	flagsKnown         = flagBrowserSession | flagFlashes | flagMeta

	infoKeyID = "cookiesession v1 key id"
)

// subkey info strings, one per purpose, so no two purposes share a key.
var sealInfo = map[Suite]string{
	XChaCha20Poly1305: "cookiesession v1 xchacha20-poly1305 seal",
	AES256GCM:         "cookiesession v1 aes-256-gcm seal",
}

// Overhead returns how many bytes sealing adds to a plaintext before base64:
// 18 bytes of header, the nonce (24 or 12) and the 16-byte tag, so 58 for
// XChaCha20Poly1305 and 46 for AES256GCM.
func (c Suite) Overhead() int { return HeaderSize + c.nonceSize() + tagSize }

// SealedLen returns the length in bytes of the cookie value that sealing a
// plaintext of n bytes produces: ceil(4*(n+Overhead)/3), base64 without
// padding.
func (c Suite) SealedLen(n int) int {
	return base64.RawURLEncoding.EncodedLen(n + c.Overhead())
}

// KeyID identifies a master key without revealing it: the first 4 bytes
// of HKDF-SHA256(key, info "cookiesession v1 key id") (docs/FORMAT.md).
type KeyID [4]byte

// String returns the key id in hex, as docs/FORMAT.md and the CLI write it.
func (id KeyID) String() string { return hex.EncodeToString(id[:]) }

// Header is the authenticated, unencrypted part of a sealed value.
type Header struct {
	// Suite is the AEAD the value is sealed with.
	Suite Suite
	// KeyID identifies the master key (docs/FORMAT.md, "Master keys and
	// subkeys").
	KeyID KeyID
	// Created is when the session began (seconds resolution).
	Created time.Time
	// Sealed is when this value was sealed; not before Created.
	Sealed time.Time
	// BrowserSession records that the cookie was set without a lifetime, so
	// the browser drops it when it closes ("remember me" unchecked).
	BrowserSession bool
	// Flashes records that the plaintext carries flash messages.
	Flashes bool
	// Meta records that the plaintext starts with the session's metadata
	// (its own lifetime, identifier, subject: docs/FORMAT.md, "Metadata").
	Meta bool
	// Chunks is the number of cookies the value is split across (0 means 1).
	// It is not stored in the value; it is bound as associated data.
	Chunks int
}

func (h *Header) marshal(dst []byte) ([]byte, error) {
	created, sealed := h.Created.Unix(), h.Sealed.Unix()
	if created < 0 || sealed < created || sealed-created > math.MaxUint32 {
		return nil, fmt.Errorf("%w: times out of range (created %d, sealed %d)", ErrEncode, created, sealed)
	}
	var flags byte
	if h.BrowserSession {
		flags |= flagBrowserSession
	}
	if h.Flashes {
		flags |= flagFlashes
	}
	if h.Meta {
		flags |= flagMeta
	}
	dst = append(dst, byte(h.Suite), flags)
	dst = append(dst, h.KeyID[:]...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(created))
	dst = binary.BigEndian.AppendUint32(dst, uint32(sealed-created))
	return dst, nil
}

func parseHeader(b []byte) (Header, error) {
	var h Header
	if len(b) < 1 {
		return h, fmt.Errorf("%w: empty", ErrMalformed)
	}
	h.Suite = Suite(b[0])
	if h.Suite != XChaCha20Poly1305 && h.Suite != AES256GCM {
		return h, fmt.Errorf("%w: unknown format byte %#02x (not a value this library wrote, or written by a newer version)", ErrMalformed, b[0])
	}
	if len(b) < h.Suite.Overhead() {
		return h, fmt.Errorf("%w: %d bytes, shorter than the %d-byte envelope", ErrMalformed, len(b), h.Suite.Overhead())
	}
	flags := b[1]
	if flags&^flagsKnown != 0 {
		return h, fmt.Errorf("%w: unknown flags %#02x", ErrMalformed, flags)
	}
	h.BrowserSession = flags&flagBrowserSession != 0
	h.Flashes = flags&flagFlashes != 0
	h.Meta = flags&flagMeta != 0
	copy(h.KeyID[:], b[2:6])
	created := binary.BigEndian.Uint64(b[6:14])
	if created > math.MaxInt64-math.MaxUint32 {
		return h, fmt.Errorf("%w: creation time out of range", ErrMalformed)
	}
	age := binary.BigEndian.Uint32(b[14:18])
	h.Created = time.Unix(int64(created), 0)
	h.Sealed = time.Unix(int64(created)+int64(age), 0)
	return h, nil
}

// ParseHeader decodes the header of a sealed value without any key. Nothing
// it returns is authenticated: use it only to inspect a value, never to
// decide anything. It fails with ErrMalformed.
func ParseHeader(value string) (Header, error) {
	raw, err := DecodeValue(value, 0)
	if err != nil {
		return Header{}, err
	}
	return parseHeader(raw)
}

// strictBase64 is base64url without padding, rejecting non-zero trailing
// bits, so that each value has exactly one encoding.
var strictBase64 = base64.RawURLEncoding.Strict()

// DecodeValue decodes a cookie value, refusing every input but canonical
// base64url without padding, with ErrMalformed. The decoder skips CR and
// LF; a value that held any decodes to fewer bytes than its length implies,
// and is refused too. The result has spare capacity for spare more bytes:
// OpenRaw opens it in place, without allocating, given HeaderSize+1+len(name).
func DecodeValue(value string, spare int) ([]byte, error) {
	n := strictBase64.DecodedLen(len(value))
	buf := make([]byte, n, n+spare)
	n, err := strictBase64.Decode(buf, []byte(value))
	if err != nil || strictBase64.EncodedLen(n) != len(value) {
		return nil, notBase64(value)
	}
	return buf[:n], nil
}

// notBase64 says why value, which DecodeValue refused, is not canonical
// base64url: a character outside its alphabet, or an end no encoder
// writes (a length of 4k+1, or bits set past the last byte), which is
// what cutting a value short leaves two times in three.
func notBase64(value string) error {
	for i := 0; i < len(value); i++ {
		if c := value[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w: not base64url: character %d of %d is not one of A-Z a-z 0-9 - _", ErrMalformed, i+1, len(value))
		}
	}
	return fmt.Errorf("%w: cut short: its %d characters stop partway through a byte, so the value is shorter than when it was sealed (truncated by a proxy or a client's size limit, or its last chunk missing) or its last character altered", ErrMalformed, len(value))
}

type codecKey struct {
	id   KeyID
	aead [2]cipher.AEAD // by suite: XChaCha20-Poly1305, AES-GCM with random nonces; nil if refused
}

// aeadFor returns k's AEAD for suite c.
func (k *codecKey) aeadFor(c Suite) cipher.AEAD { return k.aead[c-XChaCha20Poly1305] }

// Codec seals and opens cookie values. It holds the derived keys; it is safe
// for concurrent use. A Store owns one.
type Codec struct {
	cipher Suite
	only   bool // refuse values of the other cipher (Options.RefuseOtherCipher)
	keys   []codecKey
	bufs   sync.Pool // *SealBuf, for SealPooled
}

// NewCodec derives the subkeys of every master key, for both ciphers. The
// first key seals, with cipher c (0 means XChaCha20Poly1305); every key
// opens values sealed with either cipher, so that changing the cipher logs
// nobody out (a value sealed with the other one should be re-sealed, like
// one sealed with an older key). With only, it derives no subkey for the
// other cipher and refuses its values with ErrCipherRefused. Each key must
// have at least MinKeySize bytes and pass CheckKey, and no two keys may be
// equal. Errors match ErrInvalidOptions.
func NewCodec(c Suite, only bool, keys ...[]byte) (*Codec, error) {
	if c == 0 {
		c = XChaCha20Poly1305
	}
	if _, ok := sealInfo[c]; !ok {
		return nil, optionsError("unknown cipher %v: use XChaCha20Poly1305 or AES256GCM", c)
	}
	if len(keys) == 0 {
		return nil, optionsError("no keys: give at least one key of %d random bytes (cookiesession keygen prints one)", MinKeySize)
	}
	codec := &Codec{cipher: c, only: only, keys: make([]codecKey, 0, len(keys))}
	for i, master := range keys {
		if len(master) < MinKeySize {
			return nil, optionsError("key %d has %d bytes: each key needs at least %d bytes of random key material (cookiesession keygen prints one)", i+1, len(master), MinKeySize)
		}
		if err := CheckKey(i+1, master); err != nil {
			return nil, err
		}
		k, err := codec.deriveKey(master)
		if err != nil {
			return nil, err
		}
		for j, prev := range codec.keys {
			if subtle.ConstantTimeCompare(prev.id[:], k.id[:]) == 1 {
				return nil, optionsError("keys %d and %d have the same key id: remove the duplicate key", j+1, i+1)
			}
		}
		codec.keys = append(codec.keys, k)
	}
	return codec, nil
}

// deriveKey derives a master key's identifier and its subkey for each
// cipher the codec opens (docs/FORMAT.md, "Master keys and subkeys").
func (c *Codec) deriveKey(master []byte) (codecKey, error) {
	var k codecKey
	id, err := hkdf.Key(sha256.New, master, nil, infoKeyID, keyIDSize)
	if err != nil {
		return k, err
	}
	copy(k.id[:], id)
	for _, suite := range []Suite{XChaCha20Poly1305, AES256GCM} {
		if c.only && suite != c.cipher {
			continue
		}
		sub, err := hkdf.Key(sha256.New, master, nil, sealInfo[suite], 32)
		if err != nil {
			return k, err
		}
		var aead cipher.AEAD
		if suite == XChaCha20Poly1305 {
			aead, err = chacha20poly1305.NewX(sub)
		} else if block, berr := aes.NewCipher(sub); berr != nil {
			err = berr
		} else {
			aead, err = cipher.NewGCMWithRandomNonce(block) // the FIPS 140-3 nonce path
		}
		if err != nil {
			return k, err
		}
		k.aead[suite-XChaCha20Poly1305] = aead
	}
	return k, nil
}

// Suite returns the AEAD this codec seals with.
func (c *Codec) Suite() Suite { return c.cipher }

// KeyID returns the identifier of the i-th master key (0 seals).
func (c *Codec) KeyID(i int) KeyID { return c.keys[i].id }

// Seal encrypts plaintext for the cookie called name under the first key.
// It sets h.Suite and h.KeyID; h.Created, h.Sealed, the flags and h.Chunks
// are taken as given.
func (c *Codec) Seal(name string, h Header, plaintext []byte) (string, error) {
	raw, err := c.SealRaw(name, h, plaintext)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(strictBase64.EncodedLen(len(raw)))
	AppendBase64(&b, raw)
	return b.String(), nil
}

// AppendBase64 writes raw to b as base64url without padding, through a
// small buffer, so that the only allocation is b's own: grow b by
// EncodedLen(len(raw)) first.
func AppendBase64(b *strings.Builder, raw []byte) {
	var buf [64]byte
	for len(raw) > 0 {
		n := min(len(raw), 48) // 48 bytes encode to 64 characters, no padding
		strictBase64.Encode(buf[:], raw[:n])
		b.Write(buf[:strictBase64.EncodedLen(n)])
		raw = raw[n:]
	}
}

// SealRaw is Seal without the base64: it returns the sealed value's bytes,
// in one allocation.
func (c *Codec) SealRaw(name string, h Header, plaintext []byte) ([]byte, error) {
	return c.sealInto(make([]byte, 0, c.sealCap(name, plaintext)), name, h, plaintext)
}

// SealBuf holds the bytes of a value sealed by SealPooled until Release.
type SealBuf struct{ b []byte }

// SealPooled is SealRaw into a buffer from c's pool: the bytes it returns
// are sb's, valid until c.Release(sb); copy them out (base64) before.
func (c *Codec) SealPooled(name string, h Header, plaintext []byte) (sb *SealBuf, raw []byte, err error) {
	sb, _ = c.bufs.Get().(*SealBuf)
	if sb == nil {
		sb = new(SealBuf)
	}
	if n := c.sealCap(name, plaintext); cap(sb.b) < n {
		sb.b = make([]byte, 0, n)
	}
	raw, err = c.sealInto(sb.b[:0], name, h, plaintext)
	if err != nil {
		c.Release(sb)
		return nil, nil, err
	}
	return sb, raw, nil
}

// Release returns sb to c's pool; nothing may use its bytes afterwards.
func (c *Codec) Release(sb *SealBuf) { c.bufs.Put(sb) }

// sealCap is the capacity sealInto needs: the sealed value, then the
// associated data.
func (c *Codec) sealCap(name string, plaintext []byte) int {
	return c.cipher.Overhead() + len(plaintext) + HeaderSize + 1 + len(name)
}

// sealInto seals into buf, of capacity sealCap at least (the associated
// data is built in its spare capacity, past the end of the ciphertext,
// where sealing never writes).
func (c *Codec) sealInto(buf []byte, name string, h Header, plaintext []byte) ([]byte, error) {
	k := &c.keys[0]
	h.Suite, h.KeyID = c.cipher, k.id
	nonceSize := c.cipher.nonceSize()
	n := c.cipher.Overhead() + len(plaintext)
	raw, err := h.marshal(buf)
	if err != nil {
		return nil, err
	}
	ad, err := appendAD(buf[n:n], raw, h.Chunks, name)
	if err != nil {
		return nil, err
	}
	raw = raw[:HeaderSize:n] // cap the output short of the AD (crypto/cipher.AEAD)
	aead := k.aeadFor(c.cipher)
	if c.cipher == AES256GCM {
		return aead.Seal(raw, nil, plaintext, ad), nil // appends nonce || ct || tag
	}
	nonce := raw[HeaderSize : HeaderSize+nonceSize]
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, fmt.Errorf("cookiesession: reading random nonce: %w", err)
	}
	return aead.Seal(raw[:HeaderSize+nonceSize], nonce, plaintext, ad), nil
}

// appendAD appends the associated data, header || chunks || name, to dst.
func appendAD(dst, header []byte, chunks int, name string) ([]byte, error) {
	if chunks == 0 {
		chunks = 1
	}
	if chunks < 1 || chunks > MaxChunks {
		return nil, fmt.Errorf("%w: chunk count %d out of range", ErrEncode, chunks)
	}
	dst = append(dst, header[:HeaderSize]...)
	dst = append(dst, byte(chunks))
	return append(dst, name...), nil
}

// Open authenticates and decrypts value, sealed for the cookie called name
// and split across chunks cookies (0 means 1), and returns its header and
// plaintext. The header tells which key and cipher sealed it: a value not
// sealed with KeyID(0) and Suite() should be re-sealed. It checks no times:
// the Store enforces lifetimes. Errors match ErrMalformed, ErrUnknownKey,
// ErrCipherRefused or ErrAuthentication.
func (c *Codec) Open(name string, chunks int, value string) (Header, []byte, error) {
	raw, err := DecodeValue(value, HeaderSize+1+len(name))
	if err != nil {
		return Header{}, nil, err
	}
	h, pt, _, err := c.OpenRaw(name, chunks, raw)
	return h, pt, err
}

// OpenRaw is Open for a value DecodeValue decoded: it opens raw in place,
// whichever cipher sealed it (unless the codec refuses the other one), and
// also returns the index of the key that opened it.
func (c *Codec) OpenRaw(name string, chunks int, raw []byte) (Header, []byte, int, error) {
	h, err := parseHeader(raw)
	if err != nil {
		return h, nil, -1, err
	}
	h.Chunks = chunks
	if c.only && h.Suite != c.cipher {
		return h, nil, -1, fmt.Errorf("%w: sealed with %v, and this store opens only %v (Options.RefuseOtherCipher)", ErrCipherRefused, h.Suite, c.cipher)
	}
	idx := -1
	for i := range c.keys {
		if c.keys[i].id == h.KeyID {
			idx = i
			break
		}
	}
	if idx < 0 {
		return h, nil, -1, fmt.Errorf("%w: key id %s is not configured (rotated out, or another deployment's key)", ErrUnknownKey, h.KeyID)
	}
	ad, err := appendAD(raw[len(raw):], raw, chunks, name) // spare capacity, if any
	if err != nil {
		return h, nil, -1, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	aead := c.keys[idx].aeadFor(h.Suite)
	var pt []byte
	if h.Suite == AES256GCM { // NewGCMWithRandomNonce reads nonce || ciphertext
		pt, err = aead.Open(raw[HeaderSize:HeaderSize:len(raw)], nil, raw[HeaderSize:], ad)
	} else {
		n := HeaderSize + h.Suite.nonceSize()
		pt, err = aead.Open(raw[n:n:len(raw)], raw[HeaderSize:n], raw[n:], ad)
	}
	if err != nil {
		return h, nil, -1, fmt.Errorf("%w: altered, truncated, or sealed for a cookie other than %q", ErrAuthentication, name)
	}
	return h, pt, idx, nil
}
