package cookiesession

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestParseKeys(t *testing.T) {
	k1, k2 := testKey(1), bytes.Repeat([]byte{0xfb}, 40)
	list := base64.RawURLEncoding.EncodeToString(k1) + " , " + base64.StdEncoding.EncodeToString(k2)
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
