package format

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
// (testdata/vectors.json, which TestVectors checks against the codec):
// each parses to the vector's lifetime, identifier and subject, and
// AppendMeta writes it back byte for byte.
func TestVectorsMeta(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "vectors.json"))
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
		m, rest, err := ParseMeta(append(bytes.Clone(block), v.Plaintext...))
		if err != nil || string(rest) != v.Plaintext || int64(m.MaxAge/time.Second) != v.MaxAge ||
			(m.HasID && hex.EncodeToString(m.ID[:]) != v.ID) || m.HasID != (v.ID != "") || m.Subject != v.Subject {
			t.Fatalf("%s: metadata %+v, rest %q, %v", v.Comment, m, rest, err)
		}
		if again, err := AppendMeta(nil, &m); err != nil || !bytes.Equal(again, block) {
			t.Errorf("%s: AppendMeta writes %x (%v), want %s", v.Comment, again, err, v.Meta)
		}
	}
	if n < 2 {
		t.Fatalf("only %d vectors with metadata", n)
	}
}
