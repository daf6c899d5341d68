package cookiesession

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cookiesession/cookiesession/internal/format"
)

func TestParseKeys(t *testing.T) {
	k1, k2 := testKey(1), append(testKey(0xfb), testKey(0xfc)...)
	list := base64.RawURLEncoding.EncodeToString(k1) + " , " + hex.EncodeToString(k2)
	keys, err := ParseKeys(list)
	if err != nil || len(keys) != 2 || !bytes.Equal(keys[0], k1) || !bytes.Equal(keys[1], k2) {
		t.Fatalf("ParseKeys = %x, %v", keys, err)
	}
	short := base64.RawURLEncoding.EncodeToString([]byte("sixteen byte key"))
	for _, bad := range []string{"", " ", "a,,b", "!!!", short, list + ",", base64.RawURLEncoding.EncodeToString(k1) + ",%%%"} {
		_, err := ParseKeys(bad)
		if !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("ParseKeys(%q) err = %v", bad, err)
		}
		if err != nil && bad != "" && strings.Contains(err.Error(), strings.TrimSpace(bad)) && strings.TrimSpace(bad) != "" {
			t.Errorf("error %q echoes the input", err)
		}
	}
}

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

// TestWeakKeys checks that master keys that are obviously not random are
// refused by New, NewCodec and ParseKeys, with an error that names the key
// by position, never by content, and says what to do.
func TestWeakKeys(t *testing.T) {
	random := testKey(1)
	hexText := []byte(hex.EncodeToString(testKey(2)))
	b64Text := []byte(base64.RawURLEncoding.EncodeToString(testKey(3)))
	pattern := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 3)
	for _, tc := range []struct {
		name string
		key  []byte
		text bool
	}{
		{"32 zero bytes", make([]byte, 32), false},
		{"64 zero bytes", make([]byte, 64), false},
		{"aaaa", bytes.Repeat([]byte("a"), 32), true},
		{"password four times", bytes.Repeat([]byte("password"), 4), true},
		{"15-byte pattern", pattern, false},
		{"0xff and 0x00", bytes.Repeat([]byte{0xff, 0x00}, 20), false},
		{"hex text", hexText, true},
		{"base64 text", b64Text, true},
		{"passphrase", []byte("correct horse battery staple, then some\n"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			check := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, ErrInvalidOptions) {
					t.Fatalf("%s: err = %v, want ErrInvalidOptions", what, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, "key 2") || !strings.Contains(msg, "cookiesession keygen") {
					t.Errorf("%s: %q does not name key 2 and cookiesession keygen", what, msg)
				}
				if tc.text && !strings.Contains(msg, "ParseKeys") {
					t.Errorf("%s: %q does not point at ParseKeys", what, msg)
				}
				if strings.Contains(msg, string(tc.key[:16])) || strings.Contains(msg, base64.RawURLEncoding.EncodeToString(tc.key)[:8]) {
					t.Errorf("%s: %q reveals the key", what, msg)
				}
			}
			_, err := New[cart](Options{Keys: [][]byte{random, tc.key}})
			check("New", err)
			_, err = format.NewCodec(format.AES256GCM, false, random, tc.key)
			check("format.NewCodec", err)
			switch len(tc.key) { // the lengths ParseKeys reads
			case format.MinKeySize:
				_, err = ParseKeys(base64.RawURLEncoding.EncodeToString(random) + "," + base64.RawURLEncoding.EncodeToString(tc.key))
				check("ParseKeys", err)
			case 2 * format.MinKeySize:
				_, err = ParseKeys(base64.RawURLEncoding.EncodeToString(random) + "," + hex.EncodeToString(tc.key))
				check("ParseKeys", err)
			}
		})
	}
}

// TestWeakLegacyKeysAccepted checks that the weak-key checks leave legacy
// keys as the old apps had them (format's TestRandomKeysAccepted checks
// that random keys pass).
func TestWeakLegacyKeysAccepted(t *testing.T) {
	if _, err := New[Map](Options{Keys: [][]byte{testKey(1)}, Name: "x",
		Legacy: []Legacy{&testLegacy{Keys: []string{"aaaa"}}}}); err != nil {
		t.Fatalf("weak legacy keys refused: %v", err)
	}
}

// TestGenerateKey checks that GenerateKey gives format.MinKeySize bytes that New
// and ParseKeys (in both text forms) accept, and a different key each call.
func TestGenerateKey(t *testing.T) {
	seen := map[string]bool{}
	for i := range 1000 {
		k := GenerateKey()
		if len(k) != format.MinKeySize {
			t.Fatalf("draw %d: %d bytes, want %d", i, len(k), format.MinKeySize)
		}
		if err := format.CheckKey(1, k); err != nil {
			t.Fatalf("draw %d refused: %v", i, err)
		}
		if seen[string(k)] {
			t.Fatalf("draw %d repeats an earlier key", i)
		}
		seen[string(k)] = true
	}
	k := GenerateKey()
	if _, err := New[Map](Options{Keys: [][]byte{k}}); err != nil {
		t.Fatalf("New refused a generated key: %v", err)
	}
	for _, text := range []string{base64.RawURLEncoding.EncodeToString(k), hex.EncodeToString(k)} {
		keys, err := ParseKeys(text)
		if err != nil || len(keys) != 1 || !bytes.Equal(keys[0], k) {
			t.Fatalf("ParseKeys(%d characters) = %x, %v", len(text), keys, err)
		}
	}
}

// TestKeyTextVectors checks ParseKeys against testdata/keytexts.json, which
// the JavaScript package's parseKeys is tested against too, so that a key
// text one accepts the other accepts, as the same bytes.
func TestKeyTextVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/keytexts.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Comment, Text string
		Keys          []string
		Error         bool
	}
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 20 {
		t.Fatalf("%d vectors", len(vectors))
	}
	for _, v := range vectors {
		keys, err := ParseKeys(v.Text)
		if v.Error != (err != nil) {
			t.Errorf("%s: err = %v, want error %v", v.Comment, err, v.Error)
			continue
		}
		if v.Error && !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: err = %v, want ErrInvalidOptions", v.Comment, err)
		}
		got := make([]string, len(keys))
		for i, k := range keys {
			got[i] = hex.EncodeToString(k)
		}
		if strings.Join(got, ",") != strings.Join(v.Keys, ",") {
			t.Errorf("%s: keys %v, want %v", v.Comment, got, v.Keys)
		}
	}
}
