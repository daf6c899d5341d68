package jsonx

import "testing"

// TestAppendQuoted: every ASCII byte, alone and between others, quoted as
// Marshal quotes it; bytes from 0x80 on pass through.
func TestAppendQuoted(t *testing.T) {
	for c := range 0x80 {
		s := "a" + string(rune(c)) + "b"
		want, err := Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendQuoted(nil, s); string(got) != string(want) {
			t.Errorf("byte %#x: %s, Marshal %s", c, got, want)
		}
	}
	if got := AppendQuoted([]byte("x"), "é\xff\u2028"); string(got) != "x\"é\xff\u2028\"" {
		t.Errorf("non-ASCII bytes: %q", got)
	}
}
