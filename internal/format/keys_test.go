package format

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// TestParseKeysForms checks that ParseKeys reads exactly what
// cookiesession keygen prints and hex of 32 or 64 bytes, and refuses any
// other text (a passphrase once decoded as base64 into 39 random-looking
// bytes; openssl's hex once read as base64) with a message naming the
// forms expected.
func TestParseKeysForms(t *testing.T) {
	k32, k64 := testKey(7), append(testKey(8), testKey(9)...)
	keygen := base64.RawURLEncoding.EncodeToString(k32) // as cookiesession keygen prints it
	hex32, hex64 := hex.EncodeToString(k32), hex.EncodeToString(k64)
	for name, tc := range map[string]struct {
		list string
		want [][]byte
	}{
		"keygen output":                 {keygen + "\n", [][]byte{k32}},
		"openssl rand -hex 32":          {hex32, [][]byte{k32}},
		"openssl rand -hex 32, newline": {hex32 + "\n", [][]byte{k32}},
		"openssl rand -hex 64, crlf":    {hex64 + "\r\n", [][]byte{k64}},
		"upper-case hex":                {strings.ToUpper(hex32), [][]byte{k32}},
		"mixed list, commas":            {keygen + "," + hex64 + "," + hex32[2:] + "ab", [][]byte{k32, k64, append(append([]byte{}, k32[1:]...), 0xab)}},
		"mixed list, one key per line":  {hex64 + "\n" + keygen + "\n", [][]byte{k64, k32}},
	} {
		keys, err := ParseKeys(tc.list)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(keys) != len(tc.want) {
			t.Errorf("%s: %d keys, want %d", name, len(keys), len(tc.want))
			continue
		}
		for i := range keys {
			if !bytes.Equal(keys[i], tc.want[i]) {
				t.Errorf("%s: key %d = %d bytes %x..., want %x...", name, i+1, len(keys[i]), keys[i][:4], tc.want[i][:4])
			}
		}
	}
	std := base64.StdEncoding.EncodeToString(k32) // openssl rand -base64 32
	for name, bad := range map[string]string{
		"passphrase":                      "MyCompanySessionSecretKeyForProductionDeployment2024",
		"passphrase with spaces":          "correct horse battery staple correct horse battery staple",
		"base64url of 16 bytes":           base64.RawURLEncoding.EncodeToString(k32[:16]),
		"base64url of 33 bytes":           base64.RawURLEncoding.EncodeToString(append(k32, 1)),
		"base64url of 64 bytes":           base64.RawURLEncoding.EncodeToString(k64),
		"padded base64url":                base64.URLEncoding.EncodeToString(k32),
		"standard base64, padded":         std,
		"standard base64, no padding":     strings.TrimRight(std, "="),
		"hex of 31 bytes":                 hex32[:62],
		"hex of 33 bytes":                 hex32 + "ab",
		"hex, odd length":                 hex32[:63],
		"hex of 48 bytes":                 hex64[:96],
		"keygen, last char not canonical": keygen[:42] + string(nonCanonicalLast(keygen[42])),
		"mixed list, one bad":             keygen + "\n" + std,
	} {
		_, err := ParseKeys(bad)
		if !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: err = %v, want ErrInvalidOptions", name, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, "43 base64url characters") || !strings.Contains(msg, "64 or 128 hex digits") {
			t.Errorf("%s: %q does not say which forms are expected", name, msg)
		}
		for _, f := range strings.Fields(strings.ReplaceAll(bad, ",", " ")) {
			if len(f) >= 8 && strings.Contains(msg, f[:8]) {
				t.Errorf("%s: %q echoes the key", name, msg)
			}
		}
	}
}

// nonCanonicalLast returns a base64url character that, last of 43, sets
// bits that 32 bytes do not have (c's value with its low 2 bits set).
func nonCanonicalLast(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return alphabet[strings.IndexByte(alphabet, c)|3]
}

// TestParseKeysSeparators checks that commas and whitespace of every kind
// separate keys, and never merge two keys into one: Go's base64 decoders
// skip line breaks, so "k1\nk2" once parsed as one 64-byte key.
func TestParseKeysSeparators(t *testing.T) {
	k1, k2, k3 := testKey(1), testKey(2), testKey(3)
	e1, e2, e3 := base64.RawURLEncoding.EncodeToString(k1), base64.RawURLEncoding.EncodeToString(k2), hex.EncodeToString(k3)
	for name, list := range map[string]string{
		"newline":          e1 + "\n" + e2 + "\n" + e3,
		"crlf":             e1 + "\r\n" + e2 + "\r\n" + e3 + "\r\n",
		"spaces":           e1 + " " + e2 + "   " + e3,
		"tabs":             e1 + "\t" + e2 + "\t\t" + e3,
		"commas":           e1 + "," + e2 + "," + e3,
		"comma and spaces": " " + e1 + " , " + e2 + " ,\t" + e3 + " ",
		"mixed":            "\n" + e1 + ",\r\n" + e2 + " \t\n\n" + e3 + "\n",
		"vertical tab, ff": e1 + "\v" + e2 + "\f" + e3,
	} {
		keys, err := ParseKeys(list)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(keys) != 3 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) || !bytes.Equal(keys[2], k3) {
			t.Errorf("%s: ParseKeys gave %d keys of %d, ... bytes, want k1, k2, k3 of 32", name, len(keys), len(keys[0]))
		}
	}
	// The rotation written one key per line: two keys, not one of 64 bytes.
	if keys, err := ParseKeys(e1 + "\n" + e2); err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) {
		t.Errorf("ParseKeys(k1\\nk2) = %d keys, %v; want k1, k2", len(keys), err)
	}
	for name, bad := range map[string]string{
		"two commas":           e1 + ",\n," + e2,
		"trailing comma":       e1 + "\n" + e2 + ",\n",
		"leading comma":        " ," + e1,
		"only a comma":         " , ",
		"whitespace only":      "\r\n\t ",
		"newline inside a key": e1[:20] + "\n" + e1[20:] + "\n" + e2,
		"crlf inside a key":    e1[:21] + "\r\n" + e1[21:],
		"space inside a key":   e1[:22] + " " + e1[22:],
	} {
		keys, err := ParseKeys(bad)
		if !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: ParseKeys = %d keys, %v; want ErrInvalidOptions", name, len(keys), err)
			continue
		}
		if strings.Contains(err.Error(), e1[:8]) || strings.Contains(err.Error(), e1[len(e1)-8:]) {
			t.Errorf("%s: error %q echoes a key", name, err)
		}
	}
}

// TestDecodeKeyLineBreak checks that decoding one key never skips a line
// break inside it, as encoding/base64 would.
func TestDecodeKeyLineBreak(t *testing.T) {
	e := base64.RawURLEncoding.EncodeToString(testKey(1))
	for _, s := range []string{e[:10] + "\n" + e[10:], e[:10] + "\r" + e[10:], e + "\r\n", e[:10] + "\r\n" + e[10:] + "=\n"} {
		if k, err := decodeKey(1, s); err == nil {
			t.Errorf("decodeKey(%q) = %d bytes, want an error", s, len(k))
		}
	}
	if k, err := decodeKey(1, e); err != nil || !bytes.Equal(k, testKey(1)) {
		t.Errorf("decodeKey(e) = %x, %v", k, err)
	}
}
