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
