package cookiesession

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestVectorsMeta checks the metadata blocks of the format's test vectors
// (internal/format/testdata/vectors.json, which format's TestVectors
// checks against the codec): each parses to the vector's lifetime,
// identifier and subject, and appendMeta writes it back byte for byte.
func TestVectorsMeta(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("internal", "format", "testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Comment, Meta, ID, Subject string
		MaxAge                     int64 `json:"max_age"`
		Plaintext                  string
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range vectors {
		if v.Meta == "" {
			continue
		}
		n++
		block, err := hex.DecodeString(v.Meta)
		if err != nil {
			t.Fatal(err)
		}
		m, rest, err := parseMeta(append(bytes.Clone(block), v.Plaintext...))
		if err != nil || string(rest) != v.Plaintext || int64(m.maxAge/time.Second) != v.MaxAge ||
			(m.hasID && hex.EncodeToString(m.id[:]) != v.ID) || m.hasID != (v.ID != "") || m.subject != v.Subject {
			t.Fatalf("%s: metadata %+v, rest %q, %v", v.Comment, m, rest, err)
		}
		if again, err := appendMeta(nil, &m); err != nil || !bytes.Equal(again, block) {
			t.Errorf("%s: appendMeta writes %x (%v), want %s", v.Comment, again, err, v.Meta)
		}
	}
	if n < 2 {
		t.Fatalf("only %d vectors with metadata", n)
	}
}
