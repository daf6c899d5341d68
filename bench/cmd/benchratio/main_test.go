package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
BenchmarkSealOpen/payload=small/impl=floor-2  100  1000 ns/op  452.0 cookie-bytes  2600 B/op  22 allocs/op
BenchmarkSealOpen/payload=small/impl=floor-2  100  1200 ns/op  452.0 cookie-bytes  2600 B/op  22 allocs/op
BenchmarkSealOpen/payload=small/impl=codec-xchacha-2  100  1100 ns/op  476.0 cookie-bytes  2700 B/op  24 allocs/op
BenchmarkSealOpen/payload=small/impl=securecookie-json-2  100  2500 ns/op  624.0 cookie-bytes  9000 B/op  53 allocs/op
BenchmarkSealOpen/payload=small/impl=store-goccy-2  100  800 ns/op  476.0 cookie-bytes  2000 B/op  20 allocs/op
BenchmarkSealOpen/payload=small/impl=securecookie-goccy-2  100  2000 ns/op  624.0 cookie-bytes  8000 B/op  50 allocs/op
BenchmarkSeal/payload=small/impl=floor-2  100  500 ns/op  452.0 cookie-bytes  1000 B/op  5 allocs/op
BenchmarkSeal/payload=small/impl=codec-xchacha-2  100  520 ns/op  476.0 cookie-bytes  1100 B/op  8 allocs/op
PASS
`

func TestReport(t *testing.T) {
	s := samples{}
	if err := s.parse(strings.NewReader(sample)); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.median("SealOpen", "small", "floor", "ns/op"); m != 1100 {
		t.Errorf("median %v, want 1100", m)
	}
	var b strings.Builder
	ok := report(&b, s)
	out := b.String()
	for _, want := range []string{
		"| seal+open ≥ 2× faster than securecookie JSON (codec, XChaCha20) | 2.27× met |",
		"| seal+open within 1.3× of the floor (codec, XChaCha20) | 1.00× met |",
		"| allocs per seal ≤ floor + 2 (codec, XChaCha20) | +3 (8 vs 5) **missed** |",
		"| small | 1.10 µs · 2600 · 22 · 452 |",
		"| [goccy] seal+open ≥ 2× faster than securecookie with goccy (store path) | 2.50× met |",
		"| [goccy] seal+open ≥ 2× faster than securecookie JSON (store path) | 3.12× met |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if ok {
		t.Error("a missed target reported as met")
	}
}
